import { neutraliseCsvRows } from '@app/text';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { stringify } from 'csv-stringify/sync';
import { DataSource } from 'typeorm';
import { formatDecimal } from '@app/money';
import { Principal, requireRole } from '@app/identity';
import { ContributionsError, ContributionsErrorCode } from './contributions.errors';
import { Statement, StatementLine } from './contributions.types';
import { OrganisationsService } from './organisations.service';
import { statementKeyHash } from './statement-keys';

interface LineRow {
  id: string;
  occurred_at: Date;
  source: string;
  source_ref: string;
  currency: string;
  gross: string;
  processor_fee: string;
  net: string;
  operating_fee: string;
  pool: string;
  directed_share: string;
  directed: { projectId: string; amount: string }[];
  policy_version: number;
  ledger_entry_id: string;
  reversed: string;
}

const LINE_QUERY = `
  SELECT c.id::text, c.occurred_at, c.source, c.source_ref, c.currency, c.gross::text, c.processor_fee::text, c.net::text,
         c.operating_fee::text, c.pool::text, c.directed_share::text, c.directed, c.policy_version, (SELECT e.id::text FROM ledger_entries e WHERE e.idempotency_key = c.ledger_key) AS ledger_entry_id,
         coalesce((SELECT sum(CASE WHEN r.kind = 'dispute_won' THEN -r.amount ELSE r.amount END)
                     FROM contribution_reversals r WHERE r.contribution_id = c.id), 0)::text AS reversed
    FROM contributions c`;

/** Yearly statements per contributor: every contribution, its split, where its directed share went, the policy version. */
@Injectable()
export class StatementsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly organisations: OrganisationsService,
  ) {}

  async forOrganisation(
    caller: Principal | undefined,
    organisationId: string,
    year: number,
  ): Promise<Statement> {
    const organisation = await this.organisations.get(caller, organisationId);
    assertYear(year);
    const rows = (await this.dataSource.query(
      `${LINE_QUERY} WHERE c.organisation_id = $1 AND c.occurred_at >= make_timestamptz($2, 1, 1, 0, 0, 0, 'UTC')
         AND c.occurred_at < make_timestamptz($2 + 1, 1, 1, 0, 0, 0, 'UTC') ORDER BY c.occurred_at, c.id`,
      [organisationId, year],
    )) as LineRow[];
    return build({ kind: 'organisation', id: organisation.id, name: organisation.name }, year, rows);
  }

  /** The calling donor's own statement (donations made while signed in as this user). */
  async forDonor(caller: Principal | undefined, year: number): Promise<Statement> {
    const actor = requireRole(caller, 'donor');
    if (!actor.userId)
      throw new ContributionsError(
        ContributionsErrorCode.Forbidden,
        'a donor statement is for a signed-in donor',
      );
    assertYear(year);
    const rows = (await this.dataSource.query(
      `${LINE_QUERY} JOIN donation_intents i ON i.id = c.donation_intent_id
        WHERE i.donor_user_id = $1 AND c.occurred_at >= make_timestamptz($2, 1, 1, 0, 0, 0, 'UTC')
          AND c.occurred_at < make_timestamptz($2 + 1, 1, 1, 0, 0, 0, 'UTC') ORDER BY c.occurred_at, c.id`,
      [actor.userId, year],
    )) as LineRow[];
    return build({ kind: 'donor', id: actor.userId, name: null }, year, rows);
  }

  /**
   * The statement of one donation, for whoever holds the key given at its checkout (a donor
   * without an account). An unknown key is answered as an unknown donation.
   */
  async forStatementKey(key: string | undefined, year: number): Promise<Statement> {
    assertYear(year);
    const [intent] =
      typeof key === 'string' && /^lsk_[A-Za-z0-9_-]{43}$/.test(key)
        ? ((await this.dataSource.query(
            'SELECT id::text, pseudonym, public_name FROM donation_intents WHERE statement_key_hash = $1',
            [statementKeyHash(key)],
          )) as { id: string; pseudonym: string; public_name: string | null }[])
        : [];
    if (!intent)
      throw new ContributionsError(
        ContributionsErrorCode.DonationIntentNotFound,
        'no donation has this statement key',
      );
    const rows = (await this.dataSource.query(
      `${LINE_QUERY} WHERE c.donation_intent_id = $1 AND c.occurred_at >= make_timestamptz($2, 1, 1, 0, 0, 0, 'UTC')
         AND c.occurred_at < make_timestamptz($2 + 1, 1, 1, 0, 0, 0, 'UTC') ORDER BY c.occurred_at, c.id`,
      [intent.id, year],
    )) as LineRow[];
    return build({ kind: 'donor', id: intent.pseudonym, name: intent.public_name }, year, rows);
  }

  /** The statement as CSV (UTF-8, comma, amounts as 1234.56, one row per contribution and directed project). */
  toCsv(statement: Statement): string {
    const records: (string | number)[][] = [];
    for (const line of statement.lines) {
      const base = [
        statement.year,
        line.contributionId,
        line.occurredAt.toISOString(),
        line.source,
        line.reference,
        line.currency,
        formatDecimal(line.gross),
        formatDecimal(line.processorFee),
        formatDecimal(line.net),
        formatDecimal(line.operatingFee),
        formatDecimal(line.pool),
        formatDecimal(line.directedShare),
        formatDecimal(line.reversed),
        line.policyVersion,
        line.ledgerEntryId,
      ];
      if (line.directed.length === 0) records.push([...base, '', '']);
      for (const d of line.directed) records.push([...base, d.projectId, formatDecimal(BigInt(d.amount))]);
    }
    return stringify(neutraliseCsvRows(records), {
      header: true,
      columns: [
        'year',
        'contribution_id',
        'occurred_at',
        'source',
        'reference',
        'currency',
        'gross',
        'processor_fee',
        'net',
        'operating_fee',
        'pool',
        'directed_share',
        'reversed',
        'policy_version',
        'ledger_entry_id',
        'directed_project_id',
        'directed_amount',
      ],
    });
  }
}

function assertYear(year: number): void {
  if (!Number.isInteger(year) || year < 2000 || year > 2200) {
    throw new ContributionsError(ContributionsErrorCode.InvalidFiscalYear, 'year must be a calendar year', {
      field: 'year',
    });
  }
}

function build(contributor: Statement['contributor'], year: number, rows: LineRow[]): Statement {
  const lines: StatementLine[] = rows.map((r) => ({
    contributionId: r.id,
    occurredAt: new Date(r.occurred_at),
    source: r.source,
    reference: r.source_ref,
    currency: r.currency,
    gross: BigInt(r.gross),
    processorFee: BigInt(r.processor_fee),
    net: BigInt(r.net),
    operatingFee: BigInt(r.operating_fee),
    pool: BigInt(r.pool),
    directedShare: BigInt(r.directed_share),
    directed: r.directed,
    reversed: BigInt(r.reversed),
    policyVersion: r.policy_version,
    ledgerEntryId: r.ledger_entry_id,
  }));
  const sum = (f: (l: StatementLine) => bigint) => lines.reduce((s, l) => s + f(l), 0n);
  return {
    contributor,
    year,
    currency: lines[0]?.currency ?? 'EUR',
    totals: {
      gross: sum((l) => l.gross),
      processorFee: sum((l) => l.processorFee),
      net: sum((l) => l.net),
      reversed: sum((l) => l.reversed),
      operatingFee: sum((l) => l.operatingFee),
      pool: sum((l) => l.pool),
      directedShare: sum((l) => l.directedShare),
    },
    lines,
  };
}
