import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The log append in one statement: lock the head row, place the index into the canonical leaf
 * (`prefix ‖ index ‖ suffix`), hash it (RFC 6962: leaf = SHA-256(0x00 ‖ data), node =
 * SHA-256(0x01 ‖ left ‖ right)), store the leaf and every perfect subtree it completes, move the
 * head. One round trip inside the entry's transaction, so the head is held for as little as
 * possible before COMMIT. Same algorithm as `appendLeaves` in libs/transparency (the tests check
 * both against each other).
 */
export class AddTransparencyAppendFunction1763769620001 implements MigrationInterface {
  name = 'AddTransparencyAppendFunction1763769620001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION transparency_append(p_entry_id bigint, p_prefix text, p_suffix text) RETURNS bigint
      LANGUAGE plpgsql AS $$
      DECLARE
        n bigint;
        fr bytea;
        data text;
        h bytea;
        lvl integer := 0;
        pos bigint;
        lvls smallint[];
        idxs bigint[];
        hs bytea[];
      BEGIN
        SELECT size, frontier INTO n, fr FROM transparency_log_head WHERE id = 1 FOR UPDATE;
        data := p_prefix || n::text || p_suffix;
        h := sha256('\\x00'::bytea || convert_to(data, 'UTF8'));
        pos := n;
        lvls := ARRAY[0::smallint];
        idxs := ARRAY[pos];
        hs := ARRAY[h];
        WHILE ((n >> lvl) & 1) = 1 LOOP
          h := sha256('\\x01'::bytea || substring(fr FROM length(fr) - 31 FOR 32) || h);
          fr := substring(fr FROM 1 FOR length(fr) - 32);
          lvl := lvl + 1;
          pos := pos >> 1;
          lvls := lvls || lvl::smallint;
          idxs := idxs || pos;
          hs := hs || h;
        END LOOP;
        INSERT INTO transparency_log_leaves (log_index, entry_id, leaf_data, leaf_hash) VALUES (n, p_entry_id, data, hs[1]);
        INSERT INTO transparency_log_nodes (level, idx, hash) SELECT * FROM unnest(lvls, idxs, hs);
        UPDATE transparency_log_head SET size = n + 1, frontier = fr || h, updated_at = now() WHERE id = 1;
        RETURN n;
      END $$;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP FUNCTION transparency_append(bigint, text, text)');
  }
}
