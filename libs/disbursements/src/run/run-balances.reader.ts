import { DataSource, QueryRunner } from 'typeorm';
import { AccountRow } from '@app/ledger';
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
  /**
   * Its directed, allocated and (once admitted) payable accounts as the reader's snapshot saw
   * them: committed, so the run's ledger may remember them and post without looking them up.
   */
  readonly accounts: AccountRow[];
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
  code: string;
  currency: string;
  normal_side: AccountRow['normalSide'];
  payable_id: string | null;
  payable_code: string | null;
  payable_normal_side: AccountRow['normalSide'] | null;
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
 * time in project-id order (bytewise), as sums (rule 1 of `DISBURSEMENT_ALGORITHM`, no lot in memory):
 * what the ledger's balances hold, less the postings of the entries the run does not see and the
 * credits that occurred after the cut-off (both found through small index ranges, and held in
 * memory per account: what was written since the run started). One read-only
 * REPEATABLE READ transaction on its own connection, so every page, and `creditedBefore`, read the
 * same snapshot while the caller commits on its own connection. With `skipDoneOf`, the projects
 * that run already wrote an outcome for (a resumed run) are left out.
 */
export async function* readProjectBalances(
  dataSource: DataSource,
  query: BalancesQuery,
  options: { pageSize?: number; skipDoneOf?: string } = {},
): AsyncGenerator<BalancesPage> {
  const pageSize = options.pageSize ?? 500;
  const reader = dataSource.createQueryRunner();
  await reader.connect();
  try {
    await reader.startTransaction('REPEATABLE READ');
    await reader.query('SET TRANSACTION READ ONLY');
    const [{ ids: unseen }] = (await reader.query(UNSEEN_ENTRIES, [query.ledgerMark])) as { ids: string[] }[];
    // What the balances hold but the run does not count, per account id: the postings of the
    // unseen entries, and the credits that occurred after the cut-off (small, read first).
    const uncounted = new Map<string, { credited: bigint; debited: bigint }>();
    const add = (accountId: string, credited: bigint, debited: bigint) => {
      const seen = uncounted.get(accountId) ?? { credited: 0n, debited: 0n };
      uncounted.set(accountId, { credited: seen.credited + credited, debited: seen.debited + debited });
    };
    if (unseen.length > 0) {
      const rows = (await reader.query(
        `SELECT p.account_id::text AS account_id, p.direction, sum(p.amount)::text AS amount
           FROM ledger_postings p
           JOIN ledger_entries e ON e.id = p.entry_id
          WHERE p.entry_id = ANY ($1::bigint[]) AND e.flow IN ('posted', 'post_pending')
          GROUP BY p.account_id, p.direction`,
        [unseen],
      )) as { account_id: string; direction: 'C' | 'D'; amount: string }[];
      for (const r of rows) {
        add(
          r.account_id,
          r.direction === 'C' ? BigInt(r.amount) : 0n,
          r.direction === 'D' ? BigInt(r.amount) : 0n,
        );
      }
    }
    const late = (await reader.query(
      `SELECT account_id::text AS account_id, sum(amount)::text AS amount
         FROM disbursement_lots
        WHERE occurred_at > $1 AND entry_id <> ALL ($2::bigint[])
        GROUP BY account_id`,
      [query.cutoff, unseen],
    )) as { account_id: string; amount: string }[];
    for (const r of late) add(r.account_id, BigInt(r.amount), 0n);
    // Every project balance account with its ledger balance (one index probe per account), in code
    // order read from the "C"-collated code index: a project's accounts are adjacent (they share
    // the prefix `liability:project:<id>:`), and rows stream as the caller fetches them instead of
    // after a sort of all of them (~150 ms before the first page for 20,000 accounts). The planner,
    // which cannot estimate the filter on account kinds, would pick that sort: none in this
    // read-only transaction.
    await reader.query('SET LOCAL enable_sort = off');
    await reader.query(
      `DECLARE disbursement_balances NO SCROLL CURSOR FOR
       SELECT split_part(a.code, ':', 3) AS project_id, split_part(a.code, ':', 4) AS balance, a.id::text AS account_id,
              a.code, a.currency, a.normal_side, pay.id::text AS payable_id, pay.code AS payable_code,
              pay.normal_side AS payable_normal_side, s.credited::text AS credited, s.debited::text AS debited
         FROM ledger_accounts a
        CROSS JOIN LATERAL (SELECT coalesce(sum(b.credits_posted), 0) AS credited, coalesce(sum(b.debits_posted), 0) AS debited
                              FROM ledger_account_balances b WHERE b.account_id = a.id) s
         LEFT JOIN ledger_accounts pay
           ON pay.code = 'liability:payable:' || split_part(a.code, ':', 3) || $1 AND pay.currency = a.currency
        WHERE a.code COLLATE "C" > 'liability:project:' AND a.code COLLATE "C" < 'liability:project;'
          AND right(a.code, 4) = $1 AND split_part(a.code, ':', 4) IN ('directed', 'allocated')
        ORDER BY a.code COLLATE "C"`,
      [`:${query.currency.toLowerCase()}`],
    );
    // A resumed run's projects already written, skipped here rather than by an anti-join in the
    // cursor: the run writes that table while the cursor streams, and a rescan per account of
    // what it wrote made every page slower than the last.
    const done = new Set<string>();
    if (options.skipDoneOf) {
      const rows = (await reader.query('SELECT project_id FROM disbursement_run_projects WHERE run_id = $1', [
        options.skipDoneOf,
      ])) as { project_id: string }[];
      for (const r of rows) done.add(r.project_id);
    }
    const creditedBefore = (accountIds: readonly string[], before: Date) =>
      readCreditedBefore(reader, accountIds, before, unseen);
    let page: ProjectBalances[] = [];
    for (;;) {
      const rows = (await reader.query(
        `FETCH ${Math.max(2, pageSize * 2)} FROM disbursement_balances`,
      )) as SumsRow[];
      for (const row of rows) {
        if (done.has(row.project_id)) continue;
        const less = uncounted.get(row.account_id);
        const credited = BigInt(row.credited) - (less?.credited ?? 0n);
        const debited = BigInt(row.debited) - (less?.debited ?? 0n);
        if (credited <= debited) continue;
        let current = page[page.length - 1];
        if (!current || current.projectId !== row.project_id) {
          if (page.length >= pageSize) {
            yield { projects: page, creditedBefore };
            page = [];
          }
          const accounts: AccountRow[] = [];
          if (row.payable_id !== null && row.payable_code !== null && row.payable_normal_side !== null) {
            accounts.push({
              id: row.payable_id,
              code: row.payable_code,
              currency: row.currency,
              normalSide: row.payable_normal_side,
            });
          }
          current = { projectId: row.project_id, directed: null, allocated: null, accounts };
          page.push(current);
        }
        current.accounts.push({
          id: row.account_id,
          code: row.code,
          currency: row.currency,
          normalSide: row.normal_side,
        });
        page[page.length - 1] = {
          ...current,
          [row.balance]: { accountId: row.account_id, credited, debited },
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
 * The credits of one balance account that a run saw, in FIFO order, that overlap positions
 * [from, to) (what `expandSources` needs for that range): those logged below the run's mark that
 * occurred up to its cut-off, ordered by (occurred_at, entry id), laid end to end; `start` is the
 * position of the first one returned. Kind and reference come from the ledger.
 */
export async function readRunCredits(
  dataSource: DataSource,
  accountCode: string,
  run: { cutoff: Date; ledgerMark: string },
  range: { from: bigint; to: bigint },
): Promise<{ start: bigint; credits: SourceCredit[] }> {
  const rows = (await dataSource.query(
    `SELECT c.entry_id::text AS entry_id, c.occurred_at, c.amount::text AS amount, (c.ends - c.amount)::text AS start,
            e.kind, e.business_ref
       FROM (SELECT l.entry_id, l.occurred_at, l.amount,
                    sum(l.amount) OVER (ORDER BY l.occurred_at, l.entry_id ROWS UNBOUNDED PRECEDING) AS ends
               FROM disbursement_lots l
               JOIN ledger_accounts a ON a.id = l.account_id
               JOIN transparency_log_leaves t ON t.entry_id = l.entry_id AND t.log_index < $3
              WHERE a.code = $1 AND l.occurred_at <= $2) c
       JOIN ledger_entries e ON e.id = c.entry_id
      WHERE c.ends > $4 AND c.ends - c.amount < $5
      ORDER BY c.occurred_at, c.entry_id`,
    [accountCode, run.cutoff, run.ledgerMark, range.from.toString(), range.to.toString()],
  )) as {
    entry_id: string;
    occurred_at: Date;
    amount: string;
    start: string;
    kind: string;
    business_ref: string;
  }[];
  return {
    start: rows.length > 0 ? BigInt(rows[0].start) : range.from,
    credits: rows.map((r) => ({
      sourceId: r.entry_id,
      kind: r.kind,
      reference: r.business_ref,
      occurredAt: r.occurred_at,
      amount: BigInt(r.amount),
    })),
  };
}

const PROJECT_ACCOUNT = /^liability:project:([^:]+):(directed|allocated):([a-z]{3})$/;

/** The project id in a project balance account code, or null. */
export function projectOfAccount(
  code: string,
): { projectId: string; balance: BalanceKind; currency: string } | null {
  const m = PROJECT_ACCOUNT.exec(code);
  return m ? { projectId: m[1], balance: m[2] as BalanceKind, currency: m[3].toUpperCase() } : null;
}
