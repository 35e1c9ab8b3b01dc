import { DataSource, QueryRunner } from 'typeorm';
import { BalanceKind, BalanceSums, SourceCredit } from './run-computation.types';

/** One balance account of a project as the run sees it. */
export interface AccountBalance extends BalanceSums {
  readonly accountId: string;
}

/** One project's balances at the cut-off and the mark (zero when it has no such account). */
export interface ProjectBalances {
  readonly projectId: string;
  readonly directed: AccountBalance | null;
  readonly allocated: AccountBalance | null;
}

export interface BalancesQuery {
  readonly currency: string;
  readonly cutoff: Date;
  /** The public log's size when the run started: the run sees the entries whose leaf index is below it. */
  readonly ledgerMark: string;
}

/** A page of projects, and what else the run may ask in the same snapshot. */
export interface BalancesPage {
  readonly projects: ProjectBalances[];
  /** Per account id: the credits the run sees that occurred strictly before `before`. */
  creditedBefore(accountIds: readonly string[], before: Date): Promise<Map<string, bigint>>;
}

interface SumsRow {
  project_id: string;
  balance: BalanceKind;
  account_id: string;
  credited: string;
  debited: string;
}

/**
 * The entries a run with this mark does not see, in the reader's snapshot: those logged at or
 * after the mark, and those committed but still queued for the log (the sequencer appends them
 * right after their commit). The database refuses at COMMIT an entry that is neither queued nor
 * logged, so every other visible entry has a leaf below the mark. Small: what was written since
 * the run started.
 */
const UNSEEN_ENTRIES = `SELECT coalesce(array_agg(entry_id), '{}')::text[] AS ids FROM (
  SELECT entry_id FROM transparency_log_leaves WHERE log_index >= $1
  UNION SELECT entry_id FROM transparency_log_queue) unseen`;

/**
 * Streams the projects with money on their balances, a page of about `pageSize` projects at a
 * time in project-id order, as sums (rule 1 of `DISBURSEMENT_ALGORITHM`, no lot in memory):
 * what the ledger's balances hold, less the postings of the entries the run does not see and the
 * credits that occurred after the cut-off (both found through small index ranges). One read-only
 * REPEATABLE READ transaction on its own connection, so every page, and `creditedBefore`, read the
 * same snapshot while the caller commits on its own connection.
 */
export async function* readProjectBalances(
  dataSource: DataSource,
  query: BalancesQuery,
  options: { pageSize?: number; after?: string | null } = {},
): AsyncGenerator<BalancesPage> {
  const pageSize = options.pageSize ?? 500;
  const reader = dataSource.createQueryRunner();
  await reader.connect();
  try {
    await reader.startTransaction('REPEATABLE READ');
    await reader.query('SET TRANSACTION READ ONLY');
    const [{ ids: unseen }] = (await reader.query(UNSEEN_ENTRIES, [query.ledgerMark])) as { ids: string[] }[];
    await reader.query(
      `DECLARE disbursement_balances NO SCROLL CURSOR FOR
       WITH acct AS (
         SELECT a.id, split_part(a.code, ':', 3) AS project_id, split_part(a.code, ':', 4) AS balance
           FROM ledger_accounts a
          WHERE a.code LIKE 'liability:project:%' AND right(a.code, 4) = $1
            AND split_part(a.code, ':', 4) IN ('directed', 'allocated') AND split_part(a.code, ':', 3) > $2
       ), bal AS (
         SELECT b.account_id, sum(b.credits_posted) AS credited, sum(b.debits_posted) AS debited
           FROM ledger_account_balances b
          WHERE b.account_id IN (SELECT id FROM acct)
          GROUP BY b.account_id
       ), unseen AS (
         SELECT p.account_id,
                coalesce(sum(p.amount) FILTER (WHERE p.direction = 'C'), 0) AS credited,
                coalesce(sum(p.amount) FILTER (WHERE p.direction = 'D'), 0) AS debited
           FROM ledger_postings p
           JOIN ledger_entries e ON e.id = p.entry_id
          WHERE p.entry_id = ANY($3::bigint[]) AND e.flow IN ('posted', 'post_pending')
          GROUP BY p.account_id
       ), late AS (
         SELECT l.account_id, sum(l.amount) AS credited
           FROM disbursement_lots l
          WHERE l.occurred_at > $4 AND l.entry_id <> ALL ($3::bigint[])
          GROUP BY l.account_id
       ), sums AS (
         SELECT acct.project_id, acct.balance, acct.id AS account_id,
                bal.credited - coalesce(unseen.credited, 0) - coalesce(late.credited, 0) AS credited,
                bal.debited - coalesce(unseen.debited, 0) AS debited
           FROM acct
           JOIN bal ON bal.account_id = acct.id
           LEFT JOIN unseen ON unseen.account_id = acct.id
           LEFT JOIN late ON late.account_id = acct.id
       )
       SELECT project_id, balance, account_id::text, credited::text, debited::text
         FROM sums
        WHERE credited > debited
        ORDER BY project_id, balance`,
      [`:${query.currency.toLowerCase()}`, options.after ?? '', unseen, query.cutoff],
    );
    const creditedBefore = (accountIds: readonly string[], before: Date) =>
      readCreditedBefore(reader, accountIds, before, unseen);
    let page: ProjectBalances[] = [];
    for (;;) {
      const rows = (await reader.query(
        `FETCH ${Math.max(2, pageSize * 2)} FROM disbursement_balances`,
      )) as SumsRow[];
      for (const row of rows) {
        let current = page[page.length - 1];
        if (!current || current.projectId !== row.project_id) {
          if (page.length >= pageSize) {
            yield { projects: page, creditedBefore };
            page = [];
          }
          current = { projectId: row.project_id, directed: null, allocated: null };
          page.push(current);
        }
        page[page.length - 1] = {
          ...current,
          [row.balance]: {
            accountId: row.account_id,
            credited: BigInt(row.credited),
            debited: BigInt(row.debited),
          },
        };
      }
      if (rows.length === 0) break;
    }
    if (page.length > 0) yield { projects: page, creditedBefore };
    await reader.commitTransaction();
  } finally {
    if (reader.isTransactionActive) await reader.rollbackTransaction();
    await reader.release();
  }
}

async function readCreditedBefore(
  reader: QueryRunner,
  accountIds: readonly string[],
  before: Date,
  unseen: readonly string[],
): Promise<Map<string, bigint>> {
  if (accountIds.length === 0) return new Map();
  const rows = (await reader.query(
    `SELECT account_id::text, sum(amount)::text AS credited
       FROM disbursement_lots
      WHERE account_id = ANY ($1::bigint[]) AND occurred_at < $2 AND entry_id <> ALL ($3::bigint[])
      GROUP BY account_id`,
    [accountIds, before, unseen],
  )) as { account_id: string; credited: string }[];
  return new Map(rows.map((r) => [r.account_id, BigInt(r.credited)]));
}

/**
 * The credits of one balance account that a run saw, in FIFO order (what `expandSources` needs):
 * those logged below the run's mark that occurred up to its cut-off, ordered by (occurred_at,
 * entry id). Kind and reference come from the ledger.
 */
export async function readRunCredits(
  dataSource: DataSource,
  accountCode: string,
  run: { cutoff: Date; ledgerMark: string },
): Promise<SourceCredit[]> {
  const rows = (await dataSource.query(
    `SELECT l.entry_id::text AS entry_id, l.occurred_at, l.amount::text AS amount, e.kind, e.business_ref
       FROM disbursement_lots l
       JOIN ledger_accounts a ON a.id = l.account_id
       JOIN transparency_log_leaves t ON t.entry_id = l.entry_id AND t.log_index < $3
       JOIN ledger_entries e ON e.id = l.entry_id
      WHERE a.code = $1 AND l.occurred_at <= $2
      ORDER BY l.occurred_at, l.entry_id`,
    [accountCode, run.cutoff, run.ledgerMark],
  )) as { entry_id: string; occurred_at: Date; amount: string; kind: string; business_ref: string }[];
  return rows.map((r) => ({
    sourceId: r.entry_id,
    kind: r.kind,
    reference: r.business_ref,
    occurredAt: r.occurred_at,
    amount: BigInt(r.amount),
  }));
}

const PROJECT_ACCOUNT = /^liability:project:([^:]+):(directed|allocated):([a-z]{3})$/;

/** The project id in a project balance account code, or null. */
export function projectOfAccount(
  code: string,
): { projectId: string; balance: BalanceKind; currency: string } | null {
  const m = PROJECT_ACCOUNT.exec(code);
  return m ? { projectId: m[1], balance: m[2] as BalanceKind, currency: m[3].toUpperCase() } : null;
}
