import { EntityManager } from 'typeorm';
import { SubtreeHashSource } from '../merkle/subtree-source';
import { SubtreeRef } from '../merkle/tree-math';

/** Perfect-subtree hashes from transparency_log_nodes, all the refs of a proof in one query. */
export class DbSubtreeSource implements SubtreeHashSource {
  constructor(private readonly manager: EntityManager) {}

  async getSubtreeHashes(refs: readonly SubtreeRef[]): Promise<ReadonlyArray<Buffer | undefined>> {
    if (refs.length === 0) return [];
    const rows = (await this.manager.query(
      `SELECT n.level, n.idx::text AS idx, n.hash
         FROM unnest($1::smallint[], $2::bigint[]) AS r(level, idx)
         JOIN transparency_log_nodes n USING (level, idx)`,
      [refs.map((r) => r.level), refs.map((r) => String(r.index))],
    )) as { level: number; idx: string; hash: Buffer }[];
    const found = new Map(rows.map((r) => [`${r.level}:${r.idx}`, r.hash]));
    return refs.map((r) => found.get(`${r.level}:${r.index}`));
  }
}
