import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService, hasRole, IdentityService, Principal, requireRole } from '@app/identity';
import { ContributionsError, ContributionsErrorCode } from './contributions.errors';
import { OrganisationView } from './contributions.types';
import { normaliseSiret } from './siret';

interface OrganisationRow {
  id: string;
  siret: string;
  siren: string;
  name: string;
  service_code_required: boolean;
  legal_commitment_required: boolean;
  created_at: Date;
}

const COLUMNS = 'id::text, siret, siren, name, service_code_required, legal_commitment_required, created_at';

/** Public bodies, identified by SIRET; buyers are members (the buyer role scoped to the organisation). */
@Injectable()
export class OrganisationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly identity: IdentityService,
  ) {}

  async create(
    caller: Principal | undefined,
    input: {
      siret?: unknown;
      name?: unknown;
      serviceCodeRequired?: unknown;
      legalCommitmentRequired?: unknown;
    },
  ): Promise<OrganisationView> {
    const actor = requireRole(caller, ['admin', 'treasurer']);
    const siret = typeof input.siret === 'string' ? normaliseSiret(input.siret) : null;
    if (!siret) {
      throw new ContributionsError(
        ContributionsErrorCode.InvalidSiret,
        'siret is not a valid SIRET (14 digits, Luhn, La Poste rule)',
        {
          field: 'siret',
        },
      );
    }
    const name = typeof input.name === 'string' ? input.name.trim() : '';
    if (name.length === 0 || name.length > 300) {
      throw new ContributionsError(
        ContributionsErrorCode.InvalidInput,
        'name is required (at most 300 characters)',
        { field: 'name' },
      );
    }
    const flag = (field: 'serviceCodeRequired' | 'legalCommitmentRequired'): boolean => {
      const value = input[field];
      if (value === undefined || value === null) return false;
      if (typeof value !== 'boolean')
        throw new ContributionsError(ContributionsErrorCode.InvalidInput, `${field} must be a boolean`, {
          field,
        });
      return value;
    };
    const serviceCodeRequired = flag('serviceCodeRequired');
    const legalCommitmentRequired = flag('legalCommitmentRequired');
    return this.dataSource.transaction(async (m) => {
      const rows = (await m.query(
        `INSERT INTO organisations (siret, siren, name, service_code_required, legal_commitment_required) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (siret) DO NOTHING RETURNING ${COLUMNS}`,
        [siret, siret.slice(0, 9), name, serviceCodeRequired, legalCommitmentRequired],
      )) as OrganisationRow[];
      if (rows.length === 0) {
        throw new ContributionsError(
          ContributionsErrorCode.OrganisationExists,
          `an organisation with SIRET ${siret} exists`,
          { field: 'siret' },
        );
      }
      await this.audit.record(
        actor,
        'organisation.created',
        { type: 'organisation', id: rows[0].id },
        { siret },
        m,
      );
      return toView(rows[0]);
    });
  }

  /** Staff see every organisation; a buyer only its own (403 otherwise). */
  async get(caller: Principal | undefined, organisationId: string): Promise<OrganisationView> {
    this.assertCanActFor(caller, organisationId, true);
    const rows = (await this.dataSource.query(`SELECT ${COLUMNS} FROM organisations WHERE id = $1`, [
      organisationId,
    ])) as OrganisationRow[];
    if (rows.length === 0)
      throw new ContributionsError(
        ContributionsErrorCode.OrganisationNotFound,
        `no organisation ${organisationId}`,
      );
    return toView(rows[0]);
  }

  /** Makes a user a buyer of the organisation (an administrator's act, like every role grant). */
  async addBuyer(
    caller: Principal | undefined,
    organisationId: string,
    userId: string,
  ): Promise<{ organisationId: string; userId: string }> {
    const actor = requireRole(caller, 'admin');
    await this.get(actor, organisationId);
    await this.identity.grantRole(actor, userId, { role: 'buyer', scopeId: organisationId });
    return { organisationId, userId };
  }

  /**
   * A buyer acts only for its organisations; treasurers and admins for all (reading, or
   * recording receipts). Throws the identity 401/403.
   */
  assertCanActFor(caller: Principal | undefined, organisationId: string, staffToo: boolean): Principal {
    if (!caller) return requireRole(caller, 'buyer', organisationId);
    if (staffToo && (hasRole(caller, 'admin') || hasRole(caller, 'treasurer'))) return caller;
    return requireRole(caller, 'buyer', organisationId);
  }
}

function toView(row: OrganisationRow): OrganisationView {
  return {
    id: row.id,
    siret: row.siret,
    siren: row.siren,
    name: row.name,
    serviceCodeRequired: row.service_code_required,
    legalCommitmentRequired: row.legal_commitment_required,
    createdAt: row.created_at,
  };
}
