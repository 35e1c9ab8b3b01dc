import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Payee, PayeeDestination, PayeeDirectory } from './payee-directory';

interface ProjectRow {
  id: string;
  name: string;
  status: string;
  payout: Record<string, unknown> | null;
  payout_verified: boolean | null;
}

/**
 * Reads the projects catalogue's table (the projects library exposes no lookup service yet):
 * a project is admitted when its status is `admitted`; its payout details count only when
 * verified. Without a catalogue, no project is payable and everything carries over.
 */
@Injectable()
export class ProjectsPayeeDirectory extends PayeeDirectory {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
  }

  async find(projectIds: readonly string[]): Promise<Map<string, Payee>> {
    const result = new Map<string, Payee>();
    const [{ present }] = (await this.dataSource.query(`SELECT to_regclass('projects') IS NOT NULL AS present`)) as { present: boolean }[];
    if (!present || projectIds.length === 0) return result;
    const ids = projectIds.filter((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id));
    const rows = (await this.dataSource.query(
      `SELECT id::text AS id, name, status, payout_details AS payout, payout_verified_at IS NOT NULL AS payout_verified
         FROM projects WHERE id = ANY($1::uuid[])`,
      [ids],
    )) as ProjectRow[];
    for (const row of rows) {
      result.set(row.id, { projectId: row.id, name: row.name, admitted: row.status === 'admitted', destination: destinationOf(row) });
    }
    return result;
  }
}

function destinationOf(row: ProjectRow): PayeeDestination | null {
  if (!row.payout_verified || !row.payout) return null;
  const p = row.payout;
  if (p.kind === 'sepa' && typeof p.iban === 'string') {
    return { rail: 'sepa', accountHolder: String(p.accountHolder ?? row.name), iban: p.iban, bic: typeof p.bic === 'string' ? p.bic : null };
  }
  if (p.kind === 'stripe' && typeof p.stripeAccountId === 'string') return { rail: 'stripe', stripeAccountId: p.stripeAccountId };
  return null;
}
