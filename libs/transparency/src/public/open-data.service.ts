import { neutraliseCsvCell } from '@app/text';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { PublicLedgerService } from './public-ledger.service';
import { PublicEntry } from './public-ledger.types';

export const OPEN_DATA_LICENCE = {
  name: 'etalab-2.0',
  title: 'Licence Ouverte / Open Licence version 2.0',
  path: 'https://www.etalab.gouv.fr/licence-ouverte-open-licence/',
} as const;

/** Columns of postings.csv, in order, with their Table Schema field definitions. */
export const POSTINGS_FIELDS = [
  { name: 'entry_id', type: 'integer', description: 'Ledger entry id', constraints: { required: true } },
  { name: 'log_index', type: 'integer', description: 'Index of the entry’s leaf in the public Merkle log' },
  {
    name: 'occurred_at',
    type: 'datetime',
    format: 'default',
    description: 'When the entry occurred (ISO 8601, UTC)',
    constraints: { required: true },
  },
  {
    name: 'kind',
    type: 'string',
    description: 'Kind of entry (contribution.levy, disbursement…)',
    constraints: { required: true },
  },
  { name: 'business_ref', type: 'string', description: 'Business reference of the entry' },
  {
    name: 'flow',
    type: 'string',
    description: 'posted, pending, post_pending or void_pending',
    constraints: { enum: ['posted', 'pending', 'post_pending', 'void_pending'] },
  },
  { name: 'reverses_entry_id', type: 'integer', description: 'The entry this one reverses, if any' },
  { name: 'account', type: 'string', description: 'Account code', constraints: { required: true } },
  {
    name: 'direction',
    type: 'string',
    description: 'debit or credit',
    constraints: { required: true, enum: ['debit', 'credit'] },
  },
  {
    name: 'amount',
    type: 'number',
    description: 'Amount in the currency’s units, two decimals (1234.56)',
    constraints: { required: true, minimum: 0 },
    decimalChar: '.',
    groupChar: '',
  },
  {
    name: 'currency',
    type: 'string',
    description: 'ISO 4217 currency code',
    constraints: { required: true, pattern: '^[A-Z]{3}$' },
  },
  { name: 'contributor_kind', type: 'string', description: 'public_body or donor, for contributions' },
  {
    name: 'contributor',
    type: 'string',
    description: 'Public body name, or donor pseudonym unless the donor chose to be named',
  },
] as const;

/** Cents as a decimal with two digits: 123456n → "1234.56". */
export function centsToDecimal(cents: bigint): string {
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  const units = abs / 100n;
  const rest = (abs % 100n).toString().padStart(2, '0');
  return `${negative ? '-' : ''}${units}.${rest}`;
}

/** Streamed open-data exports: batches by keyset, so memory stays constant whatever the size of the ledger. */
@Injectable()
export class OpenDataService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly ledger: PublicLedgerService,
  ) {}

  async lastUpdate(): Promise<Date> {
    const [row] = (await this.dataSource.query(
      'SELECT greatest((SELECT max(recorded_at) FROM ledger_entries), (SELECT updated_at FROM transparency_log_head WHERE id = 1)) AS at',
    )) as { at: Date | null }[];
    return row.at ?? new Date(0);
  }

  tableSchema(): Record<string, unknown> {
    return {
      $schema: 'https://specs.frictionlessdata.io/schemas/table-schema.json',
      fields: POSTINGS_FIELDS,
      missingValues: [''],
    };
  }

  async dataPackage(baseUrl: string): Promise<Record<string, unknown>> {
    const updated = (await this.lastUpdate()).toISOString();
    return {
      name: 'librery-ledger',
      title: 'The Librery — public ledger / Grand livre public',
      description:
        'Every posting of the fund’s double-entry ledger; each entry is a leaf of a verifiable Merkle log.',
      licenses: [OPEN_DATA_LICENCE],
      lastUpdated: updated,
      created: updated,
      resources: [
        {
          name: 'postings',
          path: `${baseUrl}/open-data/postings.csv`,
          format: 'csv',
          mediatype: 'text/csv',
          encoding: 'utf-8',
          dialect: { delimiter: ',', header: true, doubleQuote: true },
          schema: `${baseUrl}/open-data/schema.json`,
          licenses: [OPEN_DATA_LICENCE],
        },
        {
          name: 'entries',
          path: `${baseUrl}/open-data/entries.ndjson`,
          format: 'ndjson',
          mediatype: 'application/x-ndjson',
          encoding: 'utf-8',
          licenses: [OPEN_DATA_LICENCE],
        },
      ],
    };
  }

  /** Entries in id order, in pages of `batch`, as the public view. */
  async *entryBatches(batch = 500): AsyncGenerator<PublicEntry[]> {
    let after: string | undefined;
    for (;;) {
      const page = await this.ledger.entries({ order: 'asc', after, limit: batch });
      if (page.items.length > 0) yield page.items;
      if (!page.nextCursor) return;
      after = page.nextCursor;
    }
  }

  /** postings.csv rows (without the header), batch by batch; text cells neutralised against formula injection. */
  async *postingRows(batch = 500): AsyncGenerator<string[][]> {
    for await (const entries of this.entryBatches(batch)) {
      const rows: string[][] = [];
      for (const e of entries) {
        for (const p of e.postings) {
          rows.push(
            [
              e.id,
              e.logIndex === null ? '' : String(e.logIndex),
              e.occurredAt.toISOString(),
              e.kind,
              e.businessRef,
              e.flow,
              e.reversesEntryId ?? '',
              p.account,
              p.direction,
              centsToDecimal(p.amount),
              p.currency,
              e.contributor?.kind ?? '',
              e.contributor?.name ?? '',
            ].map((cell) => String(neutraliseCsvCell(cell))),
          );
        }
      }
      yield rows;
    }
  }
}
