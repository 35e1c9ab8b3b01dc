import { DataSource } from 'typeorm';
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

/**
 * One balance account's open lots in one text column, `entryId,occurredMs,open` joined by `;`
 * (far cheaper to read than one row, or three arrays, per lot).
 */
interface LotsRow {
  project_id: string;
  balance: BalanceKind;
  lots: string;
}

const PROJECT_ACCOUNT = /^liability:project:([^:]+):(directed|allocated):([a-z]{3})$/;

/**
 * Streams the projects with open lots, a page of about `pageSize` projects at a time in
 * project-id order. One query reads every project posting (sequential scans and hash joins, like
 * a plain aggregation) through a server-side cursor on its own read-only connection, so only one
 * page of lots is ever in this process's memory and the caller can commit on its own connection.
 *
 * Rule 1 of the run (see `DISBURSEMENT_ALGORITHM`), in SQL: credits count when their entry is at
 * or before the ledger mark and occurred at or before the cut-off; debits count when their entry
 * is at or before the mark (so a move never exceeds what the account holds now); debits consume
 * the oldest credits first (occurred_at, then entry id); what is left of each credit is returned.
 */
export async function* readProjectLots(
  dataSource: DataSource,
  query: BalancesQuery,
  options: { pageSize?: number; after?: string | null } = {},
): AsyncGenerator<ProjectLots[]> {
  const pageSize = options.pageSize ?? 500;
  const reader = dataSource.createQueryRunner();
  await reader.connect();
  try {
    await reader.startTransaction('REPEATABLE READ');
    await reader.query('SET TRANSACTION READ ONLY');
    // The plan of a plain aggregation (hash joins over sequential scans, one in-memory sort): the
    // planner misjudges the account filter and would otherwise probe the indexes once per account.
    await reader.query('SET LOCAL enable_nestloop = off');
    await reader.query(`SET LOCAL work_mem = '256MB'`);
    await reader.query(
      `DECLARE disbursement_lots NO SCROLL CURSOR FOR
       WITH acct AS (
         SELECT a.id, split_part(a.code, ':', 3) AS project_id, split_part(a.code, ':', 4) AS balance
           FROM ledger_accounts a
          WHERE a.code LIKE 'liability:project:%' AND right(a.code, 4) = $1
            AND split_part(a.code, ':', 4) IN ('directed', 'allocated') AND split_part(a.code, ':', 3) > $2
       ),
       w AS (
         SELECT acct.project_id, acct.balance, p.direction, p.amount, p.entry_id, e.occurred_at,
                sum(p.amount) FILTER (WHERE p.direction = 'D') OVER (PARTITION BY acct.project_id, acct.balance) AS debited,
                sum(p.amount) FILTER (WHERE p.direction = 'C' AND e.occurred_at <= $4)
                  OVER (PARTITION BY acct.project_id, acct.balance ORDER BY e.occurred_at, p.entry_id ROWS UNBOUNDED PRECEDING) AS running
           FROM ledger_postings p
           JOIN acct ON acct.id = p.account_id
           JOIN ledger_entries e ON e.id = p.entry_id
          WHERE p.entry_id <= $3 AND e.flow IN ('posted', 'post_pending')
       )
       SELECT project_id, balance,
              string_agg(entry_id || ',' || (extract(epoch FROM occurred_at) * 1000)::bigint || ',' ||
                         least(amount, running - coalesce(debited, 0)), ';' ORDER BY occurred_at, entry_id) AS lots
         FROM w
        WHERE direction = 'C' AND occurred_at <= $4 AND running > coalesce(debited, 0)
        GROUP BY project_id, balance
        ORDER BY project_id, balance`,
      [`:${query.currency.toLowerCase()}`, options.after ?? '', query.ledgerMark, query.cutoff],
    );
    let page: ProjectLots[] = [];
    for (;;) {
      const rows = (await reader.query(
        `FETCH ${Math.max(2, pageSize * 2)} FROM disbursement_lots`,
      )) as LotsRow[];
      for (const row of rows) {
        let current = page[page.length - 1];
        if (!current || current.projectId !== row.project_id) {
          if (page.length >= pageSize) {
            yield page;
            page = [];
          }
          current = { projectId: row.project_id, directed: [], allocated: [] };
          page.push(current);
        }
        const lots = current[row.balance];
        for (const lot of row.lots.split(';')) {
          const [entryId, ms, open] = lot.split(',');
          lots.push({ sourceId: entryId, occurredAt: new Date(Number(ms)), amount: BigInt(open) });
        }
      }
      if (rows.length === 0) break;
    }
    if (page.length > 0) yield page;
    await reader.commitTransaction();
  } finally {
    if (reader.isTransactionActive) await reader.rollbackTransaction();
    await reader.release();
  }
}

/** The project id in a project balance account code, or null. */
export function projectOfAccount(
  code: string,
): { projectId: string; balance: BalanceKind; currency: string } | null {
  const m = PROJECT_ACCOUNT.exec(code);
  return m ? { projectId: m[1], balance: m[2] as BalanceKind, currency: m[3].toUpperCase() } : null;
}
