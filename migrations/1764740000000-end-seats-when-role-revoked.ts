import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Revoking a user's committee_member role for a college ends the seats the user holds in that
 * college at that instant (issue 15): a revoked member can no longer vote, whichever path revoked
 * the role (API, CLI, a page). Seats that had not begun end where they begin.
 */
export class EndSeatsWhenRoleRevoked1764740000000 implements MigrationInterface {
  name = 'EndSeatsWhenRoleRevoked1764740000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION end_seats_of_revoked_member() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE governance_members SET ended_at = greatest(NEW.revoked_at, term_start)
         WHERE user_id = NEW.user_id AND college_id = NEW.scope_id AND ended_at IS NULL
           AND term_end > NEW.revoked_at;
        RETURN NULL;
      END $$;
      CREATE TRIGGER role_grants_end_seats AFTER UPDATE OF revoked_at ON role_grants
        FOR EACH ROW WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL AND NEW.role = 'committee_member')
        EXECUTE FUNCTION end_seats_of_revoked_member();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER role_grants_end_seats ON role_grants;
      DROP FUNCTION end_seats_of_revoked_member();
    `);
  }
}
