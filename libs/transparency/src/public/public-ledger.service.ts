import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { donorPseudonym } from '../leaf/ledger-leaf';
import { TransparencyError, TransparencyErrorCode } from '../transparency.errors';
import {
  ContributorView,
  EntryFilters,
  EntryPage,
  FlowLink,
  FundFlows,
  FundTotals,
  ProjectView,
  PublicAccountBalance,
  PublicContributor,
  PendingResolution,
  PublicEntry,
  PublicNames,
  PublicPayout,
  RoundView,
} from './public-ledger.types';

export const MAX_PAGE = 500;
const ID = /^[0-9]{1,19}$/;
const SAFE_ID = /^[A-Za-z0-9_.:-]{1,200}$/;

interface EntryRow {
  id: string;
  log_index: string | null;
  kind: string;
  business_ref: string;
  flow: PublicEntry['flow'];
  pending_entry_id: string | null;
  reverses_entry_id: string | null;
  policy_version: number | null;
  description: string | null;
  metadata: Record<string, unknown>;
  occurred_at: Date;
  postings: { account: string; direction: 'D' | 'C'; amount: string; currency: string }[];
  contributor_kind: string | null;
  contributor_id: string | null;
  contributor_name: string | null;
}

/**
 * The public read side: entries with filters and keyset pagination, balances, totals, flows,
 * per-project, per-contributor and per-round views. Reads only; public bodies appear by name,
 * private donors by pseudonym unless they chose to be named.
 */
@Injectable()
export class PublicLedgerService {
  private tables?: Promise<Set<string>>;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Which optional tables of other domains exist (the read side degrades without them). */
  private async has(table: string): Promise<boolean> {
    this.tables ??= (
      this.dataSource.query(
        `SELECT t FROM unnest(ARRAY['contributions','organisations','donation_intents','projects','governance_rounds']) AS t
          WHERE to_regclass(t) IS NOT NULL`,
      ) as Promise<{ t: string }[]>
    ).then((rows) => new Set(rows.map((r) => r.t)));
    return (await this.tables).has(table);
  }

  /** A number that changes whenever the public data can change: the log size (for ETags). */
  async version(manager: EntityManager = this.dataSource.manager): Promise<string> {
    const [row] = (await manager.query(
      `SELECT size::text AS size, (SELECT coalesce(max(tree_size), -1) FROM transparency_checkpoints)::text AS cps,
              extract(epoch FROM updated_at)::text AS at FROM transparency_log_head WHERE id = 1`,
    )) as { size: string; cps: string; at: string }[];
    return `${row.size}.${row.cps}.${row.at}`;
  }

  private contributionLink?: Promise<string | null>;

  /** How a contribution row names its ledger entry (the contributions schema has used both). */
  private async contributionOn(): Promise<string | null> {
    this.contributionLink ??= (
      this.dataSource.query(
        `SELECT column_name FROM information_schema.columns
          WHERE table_schema = current_schema() AND table_name = 'contributions' AND column_name IN ('ledger_key', 'ledger_entry_id')`,
      ) as Promise<{ column_name: string }[]>
    ).then((rows) => {
      const cols = new Set(rows.map((r) => r.column_name));
      if (cols.has('ledger_key')) return 'c.ledger_key = e.idempotency_key';
      if (cols.has('ledger_entry_id')) return 'c.ledger_entry_id = e.id';
      return null;
    });
    return this.contributionLink;
  }

  private async contributorJoin(): Promise<{ select: string; join: string }> {
    const on = (await this.has('contributions')) ? await this.contributionOn() : null;
    if (!on) {
      return {
        select:
          'NULL::text AS contributor_kind, NULL::text AS contributor_id, NULL::text AS contributor_name',
        join: '',
      };
    }
    const org = await this.has('organisations');
    const donor = await this.has('donation_intents');
    return {
      select: `c.contributor_kind,
        CASE c.contributor_kind WHEN 'organisation' THEN c.organisation_id::text ELSE ${donor ? 'di.pseudonym' : 'NULL'} END AS contributor_id,
        CASE c.contributor_kind WHEN 'organisation' THEN ${org ? 'o.name' : 'NULL'} ELSE ${donor ? 'coalesce(di.public_name, di.pseudonym)' : 'NULL'} END AS contributor_name`,
      join: `LEFT JOIN contributions c ON ${on}
        ${org ? 'LEFT JOIN organisations o ON o.id = c.organisation_id' : ''}
        ${donor ? 'LEFT JOIN donation_intents di ON di.id = c.donation_intent_id' : ''}`,
    };
  }

  async entries(filters: EntryFilters): Promise<EntryPage> {
    const limit = Math.min(Math.max(filters.limit ?? 50, 1), MAX_PAGE);
    const order = filters.order === 'asc' ? 'ASC' : 'DESC';
    const params: unknown[] = [];
    const where: string[] = [];
    const p = (v: unknown): string => {
      params.push(v);
      return `$${params.length}`;
    };
    if (filters.after !== undefined) {
      if (!ID.test(filters.after)) throw invalid('after', 'a cursor is an entry id');
      where.push(`e.id ${order === 'ASC' ? '>' : '<'} ${p(filters.after)}::bigint`);
    }
    if (filters.kind)
      where.push(`(e.kind = ${p(filters.kind)} OR e.kind LIKE ${p(`${escapeLike(filters.kind)}.%`)})`);
    // An impossible date (2026-13-45) makes an Invalid Date: the caller's mistake, never a 500.
    if (filters.from && Number.isNaN(filters.from.getTime())) throw invalid('from', 'not a calendar date');
    if (filters.to && Number.isNaN(filters.to.getTime())) throw invalid('to', 'not a calendar date');
    if (filters.from) where.push(`e.occurred_at >= ${p(filters.from)}`);
    if (filters.to) where.push(`e.occurred_at < ${p(filters.to)}`);
    if (filters.account) {
      where.push(`EXISTS (SELECT 1 FROM ledger_postings fp JOIN ledger_accounts fa ON fa.id = fp.account_id
                   WHERE fp.entry_id = e.id AND fa.code = ${p(filters.account)})`);
    }
    if (filters.project) {
      const project = await this.resolveProject(filters.project);
      const like = escapeLike(project.id);
      where.push(`EXISTS (SELECT 1 FROM ledger_postings fp JOIN ledger_accounts fa ON fa.id = fp.account_id
                   WHERE fp.entry_id = e.id AND (fa.code LIKE ${p(`liability:project:${like}:%`)} OR fa.code LIKE ${p(`liability:payable:${like}:%`)}))`);
    }
    const join = await this.contributorJoin();
    if (filters.contributor) {
      if (!SAFE_ID.test(filters.contributor)) throw invalid('contributor', 'unknown contributor id format');
      const c = p(filters.contributor);
      const viaTable = join.join
        ? `OR c.organisation_id::text = ${c}${(await this.has('donation_intents')) ? ` OR di.pseudonym = ${c}` : ''}`
        : '';
      where.push(
        `(e.metadata->'party'->>'id' = ${c} OR 'donor-' || left(e.metadata->'party'->>'commitment', 12) = ${c} ${viaTable})`,
      );
    }
    const rows = (await this.dataSource.query(
      `SELECT e.id::text AS id, l.log_index::text AS log_index, e.kind, e.business_ref, e.flow,
              e.pending_entry_id::text AS pending_entry_id, e.reverses_entry_id::text AS reverses_entry_id,
              e.policy_version, e.description, e.metadata, e.occurred_at,
              (SELECT json_agg(json_build_object('account', a.code, 'direction', pp.direction, 'amount', pp.amount::text,
                                                 'currency', pp.currency) ORDER BY pp.id)
                 FROM ledger_postings pp JOIN ledger_accounts a ON a.id = pp.account_id WHERE pp.entry_id = e.id) AS postings,
              ${join.select}
         FROM ledger_entries e
         LEFT JOIN transparency_log_leaves l ON l.entry_id = e.id
         ${join.join}
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY e.id ${order}
        LIMIT ${limit + 1}`,
      params,
    )) as EntryRow[];
    const items = rows.slice(0, limit).map(toPublicEntry);
    return { items, nextCursor: rows.length > limit ? items[items.length - 1].id : null };
  }

  async entry(id: string): Promise<PublicEntry> {
    if (!ID.test(id)) throw invalid('id', 'an entry id is a positive integer');
    const join = await this.contributorJoin();
    const rows = (await this.dataSource.query(
      `SELECT e.id::text AS id, l.log_index::text AS log_index, e.kind, e.business_ref, e.flow,
              e.pending_entry_id::text AS pending_entry_id, e.reverses_entry_id::text AS reverses_entry_id,
              e.policy_version, e.description, e.metadata, e.occurred_at,
              (SELECT json_agg(json_build_object('account', a.code, 'direction', pp.direction, 'amount', pp.amount::text,
                                                 'currency', pp.currency) ORDER BY pp.id)
                 FROM ledger_postings pp JOIN ledger_accounts a ON a.id = pp.account_id WHERE pp.entry_id = e.id) AS postings,
              ${join.select}
         FROM ledger_entries e LEFT JOIN transparency_log_leaves l ON l.entry_id = e.id ${join.join}
        WHERE e.id = $1`,
      [id],
    )) as EntryRow[];
    if (rows.length === 0) throw new TransparencyError(TransparencyErrorCode.NotFound, `no entry ${id}`);
    return toPublicEntry(rows[0]);
  }

  /** Every account with its posted and pending totals, by code. */
  async accounts(prefix?: string): Promise<PublicAccountBalance[]> {
    const rows = (await this.dataSource.query(
      `SELECT a.code, a.currency, a.normal_side, sum(b.debits_posted)::text AS dp, sum(b.credits_posted)::text AS cp,
              sum(b.debits_pending)::text AS dpe, sum(b.credits_pending)::text AS cpe
         FROM ledger_accounts a JOIN ledger_account_balances b ON b.account_id = a.id
        WHERE $1::text IS NULL OR a.code LIKE $1 || '%'
        GROUP BY a.id ORDER BY a.code`,
      [prefix ? escapeLike(prefix) : null],
    )) as {
      code: string;
      currency: string;
      normal_side: 'debit' | 'credit';
      dp: string;
      cp: string;
      dpe: string;
      cpe: string;
    }[];
    return rows.map((r) => {
      const [dp, cp] = [BigInt(r.dp), BigInt(r.cp)];
      return {
        account: r.code,
        currency: r.currency,
        normalSide: r.normal_side,
        debitsPosted: dp,
        creditsPosted: cp,
        debitsPending: BigInt(r.dpe),
        creditsPending: BigInt(r.cpe),
        balance: r.normal_side === 'debit' ? dp - cp : cp - dp,
      };
    });
  }

  async totals(): Promise<FundTotals[]> {
    const rows = (await this.dataSource.query(
      `WITH bal AS (
         SELECT a.code, a.currency, sum(b.debits_posted) AS dp, sum(b.credits_posted) AS cp
           FROM ledger_accounts a JOIN ledger_account_balances b ON b.account_id = a.id GROUP BY a.id
       ), received AS (
         SELECT p.currency, sum(CASE p.direction WHEN 'D' THEN p.amount ELSE -p.amount END) AS amount
           FROM ledger_entries e JOIN ledger_postings p ON p.entry_id = e.id JOIN ledger_accounts a ON a.id = p.account_id
          WHERE e.kind LIKE 'contribution.%' AND a.code LIKE 'asset:%' AND e.flow = 'posted'
          GROUP BY p.currency
       )
       SELECT bal.currency,
              coalesce(max(r.amount), 0)::text AS received,
              sum(CASE WHEN code LIKE 'expense:processor-fees:%' THEN dp - cp ELSE 0 END)::text AS fees,
              sum(CASE WHEN code LIKE 'income:operating:%' THEN cp - dp ELSE 0 END)::text AS operating,
              sum(CASE WHEN code LIKE 'liability:pool:%' OR code LIKE 'liability:round:%' THEN cp - dp ELSE 0 END)::text AS pool,
              sum(CASE WHEN code LIKE 'liability:project:%:directed:%' THEN cp - dp ELSE 0 END)::text AS directed,
              sum(CASE WHEN code LIKE 'liability:project:%:allocated:%' THEN cp - dp ELSE 0 END)::text AS allocated,
              sum(CASE WHEN code LIKE 'liability:payable:%' THEN cp - dp ELSE 0 END)::text AS payable,
              sum(CASE WHEN code LIKE 'liability:payable:%' THEN dp ELSE 0 END)::text AS paid_out,
              (SELECT count(*) FROM ledger_entries)::int AS entries
         FROM bal LEFT JOIN received r ON r.currency = bal.currency
        GROUP BY bal.currency ORDER BY bal.currency`,
    )) as Record<string, string | number>[];
    return rows.map((r) => ({
      currency: String(r.currency),
      received: BigInt(r.received),
      processorFees: BigInt(r.fees),
      operatingIncome: BigInt(r.operating),
      pool: BigInt(r.pool),
      directed: BigInt(r.directed),
      allocated: BigInt(r.allocated),
      payable: BigInt(r.payable),
      paidOut: BigInt(r.paid_out),
      entries: Number(r.entries),
    }));
  }

  /**
   * Flows for the Sankey picture: contributors (public bodies, donors) → directed shares, pool,
   * operating fee, processor fees → projects (directed and allocated money) and what is still in the pool.
   */
  async flows(currency = 'EUR', topProjects = 8): Promise<FundFlows> {
    const on = (await this.has('contributions')) ? await this.contributionOn() : null;
    const hasContributions = on !== null;
    const kindExpr = hasContributions
      ? `coalesce(c.contributor_kind, e.metadata->'party'->>'type', 'other')`
      : `coalesce(e.metadata->'party'->>'type', 'other')`;
    const inRows = (await this.dataSource.query(
      `SELECT ${kindExpr} AS source,
              CASE WHEN a.code LIKE 'liability:pool:%' THEN 'pool'
                   WHEN a.code LIKE 'liability:project:%:directed:%' THEN 'directed'
                   WHEN a.code LIKE 'income:operating:%' THEN 'operating'
                   WHEN a.code LIKE 'expense:processor-fees:%' THEN 'fees' END AS target,
              sum(CASE WHEN a.code LIKE 'expense:%' THEN (CASE p.direction WHEN 'D' THEN p.amount ELSE -p.amount END)
                       ELSE (CASE p.direction WHEN 'C' THEN p.amount ELSE -p.amount END) END)::text AS amount
         FROM ledger_entries e
         JOIN ledger_postings p ON p.entry_id = e.id
         JOIN ledger_accounts a ON a.id = p.account_id
         ${hasContributions ? `LEFT JOIN contributions c ON ${on}` : ''}
        WHERE e.kind LIKE 'contribution.%' AND e.flow = 'posted' AND p.currency = $1
          AND (a.code LIKE 'liability:pool:%' OR a.code LIKE 'liability:project:%:directed:%'
               OR a.code LIKE 'income:operating:%' OR a.code LIKE 'expense:processor-fees:%')
        GROUP BY 1, 2`,
      [currency],
    )) as { source: string; target: string; amount: string }[];
    const names: Record<string, string> = {
      organisation: 'public_bodies',
      public_body: 'public_bodies',
      donor: 'donors',
      other: 'others',
    };
    const links: FlowLink[] = inRows
      .map((r) => ({ source: names[r.source] ?? 'others', target: r.target, amount: BigInt(r.amount) }))
      .filter((l) => l.amount > 0n);
    const projRows = (await this.dataSource.query(
      `SELECT split_part(a.code, ':', 3) AS project, split_part(a.code, ':', 4) AS part, sum(b.credits_posted)::text AS amount
         FROM ledger_accounts a JOIN ledger_account_balances b ON b.account_id = a.id
        WHERE a.currency = $1 AND (a.code LIKE 'liability:project:%:directed:%' OR a.code LIKE 'liability:project:%:allocated:%')
        GROUP BY 1, 2`,
      [currency],
    )) as { project: string; part: string; amount: string }[];
    const perProject = new Map<string, bigint>();
    for (const r of projRows) perProject.set(r.project, (perProject.get(r.project) ?? 0n) + BigInt(r.amount));
    const top = new Set(
      [...perProject.entries()]
        .sort((a, b) => (b[1] > a[1] ? 1 : b[1] < a[1] ? -1 : a[0] < b[0] ? -1 : 1))
        .slice(0, topProjects)
        .map(([id]) => id),
    );
    const projectNames = await this.projectNames([...top]);
    const agg = new Map<string, bigint>();
    for (const r of projRows) {
      const target = top.has(r.project)
        ? `project:${projectNames.get(r.project) ?? r.project}`
        : 'other_projects';
      const key = `${r.part === 'directed' ? 'directed' : 'pool'}|${target}`;
      agg.set(key, (agg.get(key) ?? 0n) + BigInt(r.amount));
    }
    for (const [key, amount] of agg) {
      const [source, target] = key.split('|');
      if (amount > 0n) links.push({ source, target, amount });
    }
    const [pool] = (await this.dataSource.query(
      `SELECT coalesce(sum(b.credits_posted - b.debits_posted), 0)::text AS amount
         FROM ledger_accounts a JOIN ledger_account_balances b ON b.account_id = a.id
        WHERE a.currency = $1 AND (a.code LIKE 'liability:pool:%' OR a.code LIKE 'liability:round:%')`,
      [currency],
    )) as { amount: string }[];
    if (BigInt(pool.amount) > 0n)
      links.push({ source: 'pool', target: 'unallocated', amount: BigInt(pool.amount) });
    return { currency, links };
  }

  private async projectNames(ids: string[]): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    if (ids.length === 0 || !(await this.has('projects'))) return names;
    try {
      const rows = (await this.dataSource.query(
        'SELECT id::text AS id, slug FROM projects WHERE id::text = ANY($1)',
        [ids],
      )) as {
        id: string;
        slug: string;
      }[];
      for (const r of rows) names.set(r.id, r.slug);
    } catch {
      // the projects table has another shape: fall back to ids
    }
    return names;
  }

  /** A project by slug (or id when the catalogue does not know it). */
  async resolveProject(slugOrId: string): Promise<{ id: string; slug: string; name: string }> {
    if (!SAFE_ID.test(slugOrId)) throw invalid('project', 'a project slug is letters, digits and - _ . :');
    if (await this.has('projects')) {
      try {
        const rows = (await this.dataSource.query(
          'SELECT id::text AS id, slug, name FROM projects WHERE slug = $1 OR id::text = $1 LIMIT 1',
          [slugOrId],
        )) as { id: string; slug: string; name: string }[];
        if (rows.length > 0) return rows[0];
      } catch {
        // the projects table has another shape: fall back to the ledger
      }
    }
    const [known] = (await this.dataSource.query(
      `SELECT EXISTS (SELECT 1 FROM ledger_accounts WHERE code LIKE 'liability:project:' || $1 || ':%'
                        OR code LIKE 'liability:payable:' || $1 || ':%') AS known`,
      [escapeLike(slugOrId)],
    )) as { known: boolean }[];
    if (!known.known) throw new TransparencyError(TransparencyErrorCode.NotFound, `no project ${slugOrId}`);
    return { id: slugOrId, slug: slugOrId, name: slugOrId };
  }

  async project(slugOrId: string, currency = 'EUR'): Promise<ProjectView> {
    const project = await this.resolveProject(slugOrId);
    const ccy = currency.toLowerCase();
    const codes = {
      directed: `liability:project:${project.id}:directed:${ccy}`,
      allocated: `liability:project:${project.id}:allocated:${ccy}`,
      payable: `liability:payable:${project.id}:${ccy}`,
    };
    const balances = new Map(
      (await this.accounts(`liability:`))
        .filter((b) => Object.values(codes).includes(b.account))
        .map((b) => [b.account, b]),
    );
    const zero = { creditsPosted: 0n, debitsPosted: 0n, balance: 0n };
    const d = balances.get(codes.directed) ?? zero;
    const a = balances.get(codes.allocated) ?? zero;
    const pay = balances.get(codes.payable) ?? zero;
    const join = await this.contributorJoin();
    const whoRows = (await this.dataSource.query(
      `SELECT ${join.select}, e.metadata->'party' AS party, acc.code AS account,
              sum(CASE p.direction WHEN 'C' THEN p.amount ELSE -p.amount END)::text AS amount
         FROM ledger_postings p JOIN ledger_accounts acc ON acc.id = p.account_id JOIN ledger_entries e ON e.id = p.entry_id
         ${join.join}
        WHERE acc.code = ANY($1) AND e.kind NOT LIKE 'disbursement%' AND p.direction = 'C'
        GROUP BY 1, 2, 3, 4, 5`,
      [[codes.directed, codes.allocated]],
    )) as (Pick<EntryRow, 'contributor_kind' | 'contributor_id' | 'contributor_name'> & {
      party: unknown;
      account: string;
      amount: string;
    })[];
    const fromWhom = new Map<string, { contributor: PublicContributor | null; amount: bigint }>();
    for (const r of whoRows) {
      const contributor = r.account === codes.allocated ? null : contributorOf(r, r.party);
      const key = contributor
        ? `${contributor.kind}:${contributor.id}`
        : r.account === codes.allocated
          ? 'pool'
          : 'unknown';
      const prev = fromWhom.get(key) ?? { contributor, amount: 0n };
      fromWhom.set(key, { contributor, amount: prev.amount + BigInt(r.amount) });
    }
    const page = await this.entries({ project: project.id, limit: 100 });
    return {
      ...project,
      currency,
      receivedDirected: d.creditsPosted,
      receivedAllocated: a.creditsPosted,
      balanceDirected: d.balance,
      balanceAllocated: a.balance,
      movedToPayable: pay.creditsPosted,
      paidOut: pay.debitsPosted,
      fromWhom: [...fromWhom.values()].sort((x, y) =>
        y.amount > x.amount ? 1 : y.amount < x.amount ? -1 : 0,
      ),
      entries: page.items,
    };
  }

  /** Payouts to a project, one line each with their state (the pending entry and its resolution), newest first. */
  async payouts(projectId: string, currency = 'EUR', limit = 100): Promise<PublicPayout[]> {
    const code = `liability:payable:${projectId}:${currency.toLowerCase()}`;
    const rows = (await this.dataSource.query(
      `SELECT e.id::text AS id, e.occurred_at, sum(p.amount)::text AS amount,
              r.id::text AS resolved_id, r.flow AS resolved_flow, r.occurred_at AS resolved_at
         FROM ledger_accounts a
         JOIN ledger_postings p ON p.account_id = a.id AND p.direction = 'D'
         JOIN ledger_entries e ON e.id = p.entry_id AND e.flow = 'pending'
         LEFT JOIN ledger_entries r ON r.pending_entry_id = e.id
        WHERE a.code = $1
        GROUP BY e.id, r.id
        ORDER BY e.id DESC
        LIMIT $2`,
      [code, limit],
    )) as {
      id: string;
      occurred_at: Date;
      amount: string;
      resolved_id: string | null;
      resolved_flow: string | null;
      resolved_at: Date | null;
    }[];
    return rows.map((r) => ({
      entryId: r.id,
      amount: BigInt(r.amount),
      currency,
      at: r.occurred_at,
      state:
        r.resolved_flow === 'post_pending'
          ? 'confirmed'
          : r.resolved_flow === 'void_pending'
            ? 'failed'
            : 'pending',
      resolvedEntryId: r.resolved_id,
      resolvedAt: r.resolved_at,
    }));
  }

  /** How each of these pending entries was resolved (entries still pending are absent). */
  async resolutions(pendingIds: readonly string[]): Promise<PendingResolution[]> {
    const ids = pendingIds.filter((id) => ID.test(id));
    if (ids.length === 0) return [];
    const rows = (await this.dataSource.query(
      `SELECT pending_entry_id::text AS pending, id::text AS id, flow, occurred_at
         FROM ledger_entries WHERE pending_entry_id = ANY($1::bigint[])`,
      [ids],
    )) as { pending: string; id: string; flow: string; occurred_at: Date }[];
    return rows.map((r) => ({
      pendingEntryId: r.pending,
      entryId: r.id,
      state: r.flow === 'post_pending' ? 'confirmed' : 'failed',
      at: r.occurred_at,
    }));
  }

  /** Names of the projects and rounds whose ids appear in these account codes. */
  async namesFor(accountCodes: readonly string[]): Promise<PublicNames> {
    const projectIds = new Set<string>();
    const roundIds = new Set<string>();
    for (const code of accountCodes) {
      const parts = code.split(':');
      if (parts[0] === 'liability' && (parts[1] === 'project' || parts[1] === 'payable') && parts[2])
        projectIds.add(parts[2]);
      if (parts[0] === 'liability' && parts[1] === 'round' && parts[2]) roundIds.add(parts[2]);
    }
    const projects = new Map<string, { slug: string; name: string }>();
    const rounds = new Map<string, string>();
    if (projectIds.size > 0 && (await this.has('projects'))) {
      const rows = (await this.dataSource.query(
        'SELECT id::text AS id, slug, name FROM projects WHERE id::text = ANY($1)',
        [[...projectIds]],
      )) as { id: string; slug: string; name: string }[];
      for (const r of rows) projects.set(r.id, { slug: r.slug, name: r.name });
    }
    if (roundIds.size > 0 && (await this.has('governance_rounds'))) {
      const rows = (await this.dataSource.query(
        'SELECT id::text AS id, title FROM governance_rounds WHERE id::text = ANY($1)',
        [[...roundIds]],
      )) as { id: string; title: string }[];
      for (const r of rows) rounds.set(r.id, r.title);
    }
    return { projects, rounds };
  }

  /** What each project received (directed and allocated credits, posted) and what was paid out to it. */
  async receivedByProject(
    projectIds: readonly string[],
    currency = 'EUR',
  ): Promise<Map<string, { received: bigint; paidOut: bigint }>> {
    const out = new Map<string, { received: bigint; paidOut: bigint }>();
    if (projectIds.length === 0) return out;
    const ccy = currency.toLowerCase();
    const codes = projectIds.flatMap((id) => [
      `liability:project:${id}:directed:${ccy}`,
      `liability:project:${id}:allocated:${ccy}`,
      `liability:payable:${id}:${ccy}`,
    ]);
    const rows = (await this.dataSource.query(
      `SELECT a.code, b.credits_posted::text AS credits, b.debits_posted::text AS debits
         FROM ledger_accounts a JOIN ledger_account_balances b ON b.account_id = a.id
        WHERE a.code = ANY($1)`,
      [codes],
    )) as { code: string; credits: string; debits: string }[];
    for (const id of projectIds) out.set(id, { received: 0n, paidOut: 0n });
    for (const r of rows) {
      const [, kind, id] = r.code.split(':');
      const v = out.get(id);
      if (!v) continue;
      if (kind === 'project') out.set(id, { ...v, received: v.received + BigInt(r.credits) });
      else out.set(id, { ...v, paidOut: v.paidOut + BigInt(r.debits) });
    }
    return out;
  }

  async contributor(id: string, currency = 'EUR'): Promise<ContributorView> {
    const page = await this.entries({ contributor: id, limit: MAX_PAGE });
    const first = page.items.find((e) => e.contributor && e.contributor.id === id)?.contributor;
    if (!first) throw new TransparencyError(TransparencyErrorCode.NotFound, `no contributor ${id}`);
    let given = 0n;
    for (const e of page.items) {
      for (const p of e.postings) {
        if (p.currency === currency && p.account.startsWith('asset:'))
          given += p.direction === 'debit' ? p.amount : -p.amount;
      }
    }
    return { contributor: first, currency, given, entries: page.items };
  }

  async round(id: string): Promise<RoundView> {
    if (!/^[0-9a-f-]{36}$/.test(id)) throw invalid('id', 'a round id is a UUID');
    if (!(await this.has('governance_rounds')))
      throw new TransparencyError(TransparencyErrorCode.NotFound, `no round ${id}`);
    const rows = (await this.dataSource.query(
      `SELECT id::text, title, state, currency, budget::text AS budget, opens_at, closes_at, ballot_count, candidates,
              CASE WHEN state = 'tallied' THEN audit END AS audit
         FROM governance_rounds WHERE id = $1 AND state <> 'draft'`,
      [id],
    )) as {
      id: string;
      title: string;
      state: string;
      currency: string;
      budget: string;
      opens_at: Date;
      closes_at: Date;
      ballot_count: number;
      candidates: unknown;
      audit: unknown;
    }[];
    if (rows.length === 0) throw new TransparencyError(TransparencyErrorCode.NotFound, `no round ${id}`);
    const r = rows[0];
    const page = await this.entries({
      account: `liability:round:${id}:${r.currency.toLowerCase()}`,
      limit: 100,
    });
    return {
      id: r.id,
      title: r.title,
      state: r.state,
      currency: r.currency,
      budget: BigInt(r.budget),
      opensAt: r.opens_at,
      closesAt: r.closes_at,
      ballotCount: r.ballot_count,
      candidates: r.candidates,
      audit: r.audit,
      entries: page.items,
    };
  }
}

function invalid(field: string, message: string): TransparencyError {
  return new TransparencyError(TransparencyErrorCode.InvalidQuery, `${field}: ${message}`, { field });
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function contributorOf(
  row: Pick<EntryRow, 'contributor_kind' | 'contributor_id' | 'contributor_name'>,
  party: unknown,
): PublicContributor | null {
  if (row.contributor_kind && row.contributor_id) {
    return {
      kind: row.contributor_kind === 'organisation' ? 'public_body' : 'donor',
      id: row.contributor_id,
      name: row.contributor_name ?? row.contributor_id,
    };
  }
  const p = party as { type?: string; id?: string; name?: string; commitment?: string } | null;
  if (p?.type === 'public_body' && p.id && p.name) return { kind: 'public_body', id: p.id, name: p.name };
  if (p?.type === 'donor' && p.commitment) {
    const pseudonym = donorPseudonym(p.commitment);
    return { kind: 'donor', id: pseudonym, name: pseudonym };
  }
  return null;
}

function toPublicEntry(r: EntryRow): PublicEntry {
  return {
    id: r.id,
    logIndex: r.log_index === null ? null : Number(r.log_index),
    kind: r.kind,
    businessRef: r.business_ref,
    flow: r.flow,
    pendingEntryId: r.pending_entry_id,
    reversesEntryId: r.reverses_entry_id,
    policyVersion: r.policy_version,
    description: r.description,
    metadata: r.metadata,
    occurredAt: r.occurred_at,
    postings: (r.postings ?? []).map((p) => ({
      account: p.account,
      direction: p.direction === 'D' ? 'debit' : 'credit',
      amount: BigInt(p.amount),
      currency: p.currency,
    })),
    contributor: contributorOf(r, r.metadata?.party),
  };
}
