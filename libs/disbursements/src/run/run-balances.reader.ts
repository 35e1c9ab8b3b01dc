import { EntityManager } from 'typeorm';
import { BalanceKind, SourceCredit } from './run-computation.types';

/** One project's open lots at the cut-off, as read from the ledger (rule 1 done in SQL). */
export interface ProjectLots {
  readonly projectId: string;
  readonly directed: SourceCredit[];
  readonly allocated: SourceCredit[];
}

export interface BalancesQuery {
  readonly currency: string;
  readonly cutoff: Date;
  /** The highest ledger entry id the run considers (taken when it starts), for reproducibility. */
  readonly ledgerMark: string;
}

/** One balance account's open lots, as parallel arrays (far cheaper to read than one row per lot). */
interface LotsRow {
  project_id: string;
  balance: BalanceKind;
  entry_ids: (string | bigint)[];
  occurred_ms: number[];
  opens: (string | bigint)[];
}

const PROJECT_ACCOUNT = /^liability:project:([^:]+):(directed|allocated):([a-z]{3})$/;

/**
 * Streams the projects that have directed/allocated accounts, one page of `pageSize` projects at
 * a time in project-id order: only the list of accounts and one page of lots are in memory.
 *
 * Rule 1 of the run (see `DISBURSEMENT_ALGORITHM`), in SQL: credits count when their entry is at
 * or before the ledger mark and occurred at or before the cut-off; debits count when their entry
 * is at or before the mark (so a move never exceeds what the account holds now); debits consume
 * the oldest credits first (occurred_at, then entry id); what is left of each credit is returned.
 */
export async function* readProjectLots(
  manager: EntityManager,
  query: BalancesQuery,
  options: { pageSize?: number; after?: string | null } = {},
): AsyncGenerator<ProjectLots[]> {
  const pageSize = options.pageSize ?? 500;
  const suffix = `:${query.currency.toLowerCase()}`;
  // The project accounts (not their postings): two small rows per project, in project order.
  const accounts = (await manager.query(
    `SELECT id::text AS id, split_part(code, ':', 3) AS project_id
       FROM ledger_accounts
      WHERE code LIKE 'liability:project:%' AND right(code, 4) = $1 AND split_part(code, ':', 4) IN ('directed', 'allocated')
        AND split_part(code, ':', 3) > $2
      ORDER BY 2, 1`,
    [suffix, options.after ?? ''],
  )) as { id: string; project_id: string }[];
  let i = 0;
  while (i < accounts.length) {
    const projectIds: string[] = [];
    const accountIds: string[] = [];
    while (i < accounts.length && (projectIds.length < pageSize || accounts[i].project_id === projectIds[projectIds.length - 1])) {
      if (projectIds[projectIds.length - 1] !== accounts[i].project_id) projectIds.push(accounts[i].project_id);
      accountIds.push(accounts[i].id);
      i += 1;
    }
    const rows = (await manager.query(
      `WITH acct AS (
         SELECT a.id, split_part(a.code, ':', 3) AS project_id, split_part(a.code, ':', 4) AS balance
           FROM ledger_accounts a
          WHERE a.id = ANY($1::bigint[])
       ),
       mv AS (
         SELECT acct.project_id, acct.balance, p.direction, p.amount, e.id AS entry_id, e.occurred_at
           FROM acct
           JOIN ledger_postings p ON p.account_id = acct.id
           JOIN ledger_entries e ON e.id = p.entry_id
          WHERE p.entry_id <= $2 AND e.flow IN ('posted', 'post_pending')
       ),
       deb AS (
         SELECT project_id, balance, sum(amount) AS debited FROM mv WHERE direction = 'D' GROUP BY 1, 2
       ),
       cr AS (
         SELECT mv.*, sum(amount) OVER (PARTITION BY project_id, balance ORDER BY occurred_at, entry_id) AS running
           FROM mv WHERE direction = 'C' AND occurred_at <= $3
       )
       SELECT cr.project_id, cr.balance,
              array_agg(cr.entry_id ORDER BY cr.occurred_at, cr.entry_id) AS entry_ids,
              array_agg((extract(epoch FROM cr.occurred_at) * 1000)::float8 ORDER BY cr.occurred_at, cr.entry_id) AS occurred_ms,
              array_agg(least(cr.amount, cr.running - coalesce(deb.debited, 0)) ORDER BY cr.occurred_at, cr.entry_id) AS opens
         FROM cr LEFT JOIN deb USING (project_id, balance)
        WHERE cr.running > coalesce(deb.debited, 0)
        GROUP BY cr.project_id, cr.balance`,
      [accountIds, query.ledgerMark, query.cutoff],
    )) as LotsRow[];
    const byProject = new Map<string, ProjectLots>(projectIds.map((id) => [id, { projectId: id, directed: [], allocated: [] }]));
    for (const row of rows) {
      const lots = byProject.get(row.project_id)![row.balance];
      for (let k = 0; k < row.entry_ids.length; k++) {
        lots.push({ sourceId: String(row.entry_ids[k]), occurredAt: new Date(row.occurred_ms[k]), amount: BigInt(row.opens[k]) });
      }
    }
    yield [...byProject.values()];
  }
}

/** The project id in a project balance account code, or null. */
export function projectOfAccount(code: string): { projectId: string; balance: BalanceKind; currency: string } | null {
  const m = PROJECT_ACCOUNT.exec(code);
  return m ? { projectId: m[1], balance: m[2] as BalanceKind, currency: m[3].toUpperCase() } : null;
}
