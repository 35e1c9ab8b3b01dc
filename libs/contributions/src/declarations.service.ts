import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService, Principal } from '@app/identity';
import { levy } from '@app/money';
import { PolicyService } from '@app/policy';
import { ProjectsError, ProjectsErrorCode, ProjectsService } from '@app/projects';
import { MAX_DIRECTIONS } from './contribution-split';
import { ContributionsError, ContributionsErrorCode, FieldError } from './contributions.errors';
import { ObligationView } from './contributions.types';
import { DeclarationInput, RawDeclaration, validateDeclaration } from './declaration-input';
import { parseDeclarationsCsv } from './declarations-csv.parser';
import { OrganisationsService } from './organisations.service';
import { assertBillable, BilledOrganisation, issuePaymentRequest } from './payment-request-issuer';
import { ProjectDirectory } from './project-directory.service';

export const OBLIGATION_COLUMNS = `
  d.id::text, d.organisation_id::text, d.project_title, d.budget_excl_vat::text, d.fiscal_year, d.service_code,
  d.legal_commitment, d.public_contract_id, d.directions, d.sbom_analysis_id::text, d.currency, d.levy_rate_bps, d.policy_version,
  d.amount_due::text, d.amount_paid::text, to_char(d.due_date, 'YYYY-MM-DD') AS due_date, d.created_at, d.creditor_reference,
  CASE WHEN d.amount_paid >= d.amount_due THEN 'paid'
       WHEN d.due_date < current_date THEN 'overdue'
       WHEN d.amount_paid > 0 THEN 'partly_paid'
       ELSE 'due' END AS status`;

export interface ObligationRow {
  id: string;
  organisation_id: string;
  project_title: string;
  budget_excl_vat: string;
  fiscal_year: number;
  service_code: string | null;
  legal_commitment: string | null;
  public_contract_id: string | null;
  directions: { projectId: string; weight: string }[];
  sbom_analysis_id: string | null;
  currency: string;
  levy_rate_bps: number;
  policy_version: number;
  amount_due: string;
  amount_paid: string;
  due_date: string;
  created_at: Date;
  creditor_reference: string | null;
  status: ObligationView['status'];
}

export function toObligationView(row: ObligationRow): ObligationView {
  const due = BigInt(row.amount_due);
  const paid = BigInt(row.amount_paid);
  return {
    id: row.id,
    organisationId: row.organisation_id,
    projectTitle: row.project_title,
    budgetExclVat: BigInt(row.budget_excl_vat),
    fiscalYear: row.fiscal_year,
    serviceCode: row.service_code,
    legalCommitment: row.legal_commitment,
    publicContractId: row.public_contract_id,
    directions: row.directions,
    sbomAnalysisId: row.sbom_analysis_id,
    currency: row.currency,
    levyRateBps: row.levy_rate_bps,
    policyVersion: row.policy_version,
    amountDue: due,
    amountPaid: paid,
    outstanding: due - paid,
    dueDate: row.due_date,
    status: row.status,
    creditorReference: row.creditor_reference,
    createdAt: row.created_at,
  };
}

/** Budget declarations by buyers, each becoming a levy obligation under the current policy. */
@Injectable()
export class DeclarationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly organisations: OrganisationsService,
    private readonly projects: ProjectDirectory,
    private readonly policies: PolicyService,
    private readonly audit: AuditService,
    private readonly catalogue: ProjectsService,
  ) {}

  async declare(
    caller: Principal | undefined,
    organisationId: string,
    raw: RawDeclaration,
  ): Promise<ObligationView> {
    const actor = this.organisations.assertCanActFor(caller, organisationId, false);
    await this.organisations.get(actor, organisationId);
    const { value: validated, errors } = validateDeclaration(raw);
    if (!validated) throw invalid(errors);
    const value = validated.sbomAnalysisId
      ? await this.withSbomDirections(validated, validated.sbomAnalysisId)
      : validated;
    await this.projects.assertRegistered(value.directions);
    return this.dataSource.transaction(async (m) => {
      const [view] = await this.insert(m, actor, organisationId, [value], null);
      return view;
    });
  }

  /** A CSV of declarations, accepted whole or refused whole with the errors per row and column. */
  async importCsv(
    caller: Principal | undefined,
    organisationId: string,
    content: Buffer,
  ): Promise<{ importId: string; declarations: ObligationView[] }> {
    const actor = this.organisations.assertCanActFor(caller, organisationId, false);
    await this.organisations.get(actor, organisationId);
    const parsed = parseDeclarationsCsv(content);
    if (!parsed.ok) {
      throw new ContributionsError(
        ContributionsErrorCode.InvalidCsv,
        `the file has ${parsed.errors.length} error(s); nothing was imported`,
        {
          field: parsed.errors[0]?.field,
          errors: parsed.errors,
        },
      );
    }
    const rowErrors: FieldError[] = [];
    for (let i = 0; i < parsed.rows.length; i++) {
      try {
        await this.projects.assertRegistered(parsed.rows[i].directions);
      } catch (e) {
        if (!(e instanceof ContributionsError)) throw e;
        rowErrors.push({ row: i + 1, field: 'directions', message: e.message });
      }
    }
    if (rowErrors.length > 0) {
      throw new ContributionsError(
        ContributionsErrorCode.InvalidCsv,
        `the file has ${rowErrors.length} error(s); nothing was imported`,
        {
          field: 'directions',
          errors: rowErrors,
        },
      );
    }
    return this.dataSource.transaction(async (m) => {
      const [{ id }] = (await m.query('SELECT gen_random_uuid()::text AS id')) as { id: string }[];
      const declarations = await this.insert(m, actor, organisationId, parsed.rows, id);
      await this.audit.record(
        actor,
        'declarations.imported',
        { type: 'organisation', id: organisationId },
        { importId: id, rows: declarations.length },
        m,
      );
      return { importId: id, declarations };
    });
  }

  async list(caller: Principal | undefined, organisationId: string): Promise<ObligationView[]> {
    this.organisations.assertCanActFor(caller, organisationId, true);
    const rows = (await this.dataSource.query(
      `SELECT ${OBLIGATION_COLUMNS} FROM levy_declarations d WHERE d.organisation_id = $1 ORDER BY d.created_at, d.id`,
      [organisationId],
    )) as ObligationRow[];
    return rows.map(toObligationView);
  }

  async get(
    caller: Principal | undefined,
    declarationId: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<ObligationView> {
    const rows = (await manager.query(
      `SELECT ${OBLIGATION_COLUMNS} FROM levy_declarations d WHERE d.id = $1`,
      [declarationId],
    )) as ObligationRow[];
    if (rows.length === 0)
      throw new ContributionsError(
        ContributionsErrorCode.DeclarationNotFound,
        `no declaration ${declarationId}`,
      );
    this.organisations.assertCanActFor(caller, rows[0].organisation_id, true);
    return toObligationView(rows[0]);
  }

  /**
   * The direction suggested by an SBOM analysis (still-fundable projects, integer weights); when
   * it names more than 200 projects, the 200 heaviest are kept (ties: smaller project id).
   */
  private async withSbomDirections(input: DeclarationInput, analysisId: string): Promise<DeclarationInput> {
    try {
      const suggested = await this.catalogue.directionsFromAnalysis(analysisId);
      const directions = [...suggested.directions]
        .filter((d) => d.weight > 0n)
        .sort((a, b) =>
          a.weight === b.weight ? (a.projectId < b.projectId ? -1 : 1) : a.weight > b.weight ? -1 : 1,
        )
        .slice(0, MAX_DIRECTIONS);
      return { ...input, directions };
    } catch (e) {
      if (e instanceof ProjectsError && e.code === ProjectsErrorCode.AnalysisNotFound) {
        throw new ContributionsError(
          ContributionsErrorCode.InvalidDirections,
          `no SBOM analysis ${analysisId}`,
          { field: 'sbomAnalysisId' },
        );
      }
      throw e;
    }
  }

  private async insert(
    m: EntityManager,
    actor: Principal,
    organisationId: string,
    inputs: readonly DeclarationInput[],
    importId: string | null,
  ): Promise<ObligationView[]> {
    const policy = await this.policies.current(new Date(), m);
    const [org] = (await m.query(
      `SELECT id::text, siret, name, service_code_required, legal_commitment_required FROM organisations WHERE id = $1`,
      [organisationId],
    )) as {
      id: string;
      siret: string;
      name: string;
      service_code_required: boolean;
      legal_commitment_required: boolean;
    }[];
    const billed: BilledOrganisation = {
      id: org.id,
      siret: org.siret,
      name: org.name,
      serviceCodeRequired: org.service_code_required,
      legalCommitmentRequired: org.legal_commitment_required,
    };
    for (const input of inputs) assertBillable(billed, input);
    const views: ObligationView[] = [];
    for (const input of inputs) {
      const rows = (await m.query(
        `WITH d AS (
           INSERT INTO levy_declarations (organisation_id, project_title, budget_excl_vat, fiscal_year, service_code, legal_commitment,
             public_contract_id, directions, currency, levy_rate_bps, policy_version, amount_due, due_date, declared_by, import_id, sbom_analysis_id)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12, current_date + $13::int, $14, $15, $16)
           RETURNING *)
         SELECT ${OBLIGATION_COLUMNS} FROM d`,
        [
          organisationId,
          input.projectTitle,
          input.budgetExclVat.toString(),
          input.fiscalYear,
          input.serviceCode,
          input.legalCommitment,
          input.publicContractId,
          JSON.stringify(
            input.directions.map((d) => ({ projectId: d.projectId, weight: d.weight.toString() })),
          ),
          policy.currency,
          policy.levyRateBps,
          policy.version,
          levy(input.budgetExclVat, policy.levyRateBps).toString(),
          policy.billing.paymentDays,
          actor.userId,
          importId,
          input.sbomAnalysisId,
        ],
      )) as ObligationRow[];
      const inserted = toObligationView(rows[0]);
      const issued = await issuePaymentRequest(m, billed, inserted, policy);
      const view = { ...inserted, creditorReference: issued.creditorReference };
      if (!importId)
        await this.audit.record(
          actor,
          'declaration.created',
          { type: 'declaration', id: view.id },
          { organisationId },
          m,
        );
      views.push(view);
    }
    return views;
  }
}

function invalid(errors: FieldError[]): ContributionsError {
  const first = errors[0];
  const code =
    first.field === 'budgetExclVat'
      ? ContributionsErrorCode.InvalidBudget
      : first.field === 'fiscalYear'
        ? ContributionsErrorCode.InvalidFiscalYear
        : first.field.startsWith('directions')
          ? ContributionsErrorCode.InvalidDirections
          : ContributionsErrorCode.InvalidInput;
  return new ContributionsError(code, `${first.field}: ${first.message}`, { field: first.field, errors });
}
