import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '@app/config';
import { OrganisationsService } from '@app/contributions';
import { AuditService, Principal, requireRole } from '@app/identity';
import { formatDecimal } from '@app/money';
import { BillingSettings, PolicyService } from '@app/policy';
import { BillingError, BillingErrorCode } from './billing.errors';
import { buildCiiInvoice } from './cii-invoice';
import { buildFacturXPdf, FACTURX_FILE_NAME } from './facturx-pdf';
import { srgbIccProfile } from './icc-profile';
import { latePayment, LatePayment } from './late-payment';
import { FundIdentity, PaymentRequestDocument } from './payment-request.types';

export type ChorusStatus = 'to_deposit' | 'deposited' | 'rejected' | 'paid';

export interface PaymentRequestView {
  readonly id: string;
  readonly number: string;
  readonly kind: 'invoice' | 'credit_note';
  readonly declarationId: string;
  readonly organisationId: string;
  readonly creditorReference: string;
  readonly currency: string;
  readonly amount: bigint;
  readonly issueDate: string;
  readonly dueDate: string;
  readonly buyer: PaymentRequestDocument['buyer'];
  readonly policyVersion: number;
  readonly chorus: {
    status: ChorusStatus;
    reason: string | null;
    depositId: string | null;
    updatedAt: Date | null;
  };
  readonly obligation: { amountDue: bigint; amountPaid: bigint; status: string };
  readonly createdAt: Date;
}

export interface OverdueObligationView {
  readonly declarationId: string;
  readonly organisationId: string;
  readonly organisationName: string;
  readonly paymentRequestNumber: string | null;
  readonly creditorReference: string | null;
  readonly dueDate: string;
  readonly outstanding: bigint;
  readonly currency: string;
  readonly latePayment: LatePayment;
}

export interface ChorusDepositManifest {
  readonly depositId: string;
  readonly createdAt: string;
  readonly channel: string;
  readonly format: string;
  readonly supplier: { name: string; siret: string | null };
  readonly invoices: {
    number: string;
    paymentRequestId: string;
    buyerSiret: string;
    serviceCode: string | null;
    legalCommitment: string | null;
    amount: string;
    currency: string;
    dueDate: string;
    creditorReference: string;
    files: { name: string; path: string; sha256: string }[];
  }[];
}

interface RequestRow {
  id: string;
  number: string;
  kind: 'invoice' | 'credit_note';
  document_type_code: string;
  declaration_id: string;
  organisation_id: string;
  cancels_number: string | null;
  cancels_issue_date: string | null;
  creditor_reference: string;
  currency: string;
  amount: string;
  issue_date: string;
  due_date: string;
  buyer: PaymentRequestDocument['buyer'];
  policy_version: number;
  billing: BillingSettings;
  chorus_status: ChorusStatus;
  chorus_reason: string | null;
  chorus_deposit_id: string | null;
  chorus_updated_at: Date | null;
  project_title: string;
  fiscal_year: number;
  budget_excl_vat: string;
  levy_rate_bps: number;
  amount_due: string;
  amount_paid: string;
  obligation_status: string;
  created_at: Date;
}

const SELECT = `
  SELECT r.id::text, r.number, r.kind, r.document_type_code, r.declaration_id::text, r.organisation_id::text,
         c.number AS cancels_number, to_char(c.issue_date, 'YYYY-MM-DD') AS cancels_issue_date,
         r.creditor_reference, r.currency, r.amount::text, to_char(r.issue_date, 'YYYY-MM-DD') AS issue_date,
         to_char(r.due_date, 'YYYY-MM-DD') AS due_date, r.buyer, r.policy_version, p.billing,
         r.chorus_status, r.chorus_reason, r.chorus_deposit_id::text, r.chorus_updated_at, r.created_at,
         d.project_title, d.fiscal_year, d.budget_excl_vat::text, d.levy_rate_bps, d.amount_due::text, d.amount_paid::text,
         CASE WHEN d.amount_paid >= d.amount_due THEN 'paid' WHEN d.due_date < current_date THEN 'overdue'
              WHEN d.amount_paid > 0 THEN 'partly_paid' ELSE 'due' END AS obligation_status
    FROM payment_requests r
    JOIN levy_declarations d ON d.id = r.declaration_id
    JOIN policies p ON p.version = r.policy_version
    LEFT JOIN payment_requests c ON c.id = r.cancels_id`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The payment requests of levy obligations: their views, the CII XML and Factur-X PDF (for the
 * buyer's organisation and the treasurer), the Chorus Pro deposit export and status, and the
 * overdue obligations with their late-payment interest.
 */
@Injectable()
export class PaymentRequestsService {
  private icc: Uint8Array | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly organisations: OrganisationsService,
    private readonly policies: PolicyService,
    private readonly audit: AuditService,
  ) {}

  /** The fund as seller and payee; documents need its IBAN. */
  fund(): FundIdentity {
    const c = this.config;
    if (!c.FUND_IBAN || !c.FUND_ACCOUNT_NAME)
      throw new BillingError(
        BillingErrorCode.FundNotConfigured,
        'the fund’s bank account (FUND_ACCOUNT_NAME, FUND_IBAN) is not configured',
      );
    return {
      legalName: c.FUND_LEGAL_NAME ?? c.FUND_ACCOUNT_NAME,
      siret: c.FUND_SIRET ?? null,
      addressLine: c.FUND_ADDRESS_LINE ?? null,
      postcode: c.FUND_POSTCODE ?? null,
      city: c.FUND_CITY ?? null,
      country: c.FUND_COUNTRY,
      accountName: c.FUND_ACCOUNT_NAME,
      iban: c.FUND_IBAN,
      bic: c.FUND_BIC ?? null,
    };
  }

  async get(caller: Principal | undefined, id: string): Promise<PaymentRequestView> {
    return toView(await this.row(caller, id));
  }

  /** The payment requests of one obligation (the request, and any credit note and corrected one). */
  async forObligation(caller: Principal | undefined, declarationId: string): Promise<PaymentRequestView[]> {
    if (!UUID.test(declarationId)) throw notFound(declarationId);
    const rows = (await this.dataSource.query(
      `${SELECT} WHERE r.declaration_id = $1 ORDER BY r.year, r.seq`,
      [declarationId],
    )) as RequestRow[];
    if (rows.length === 0) throw notFound(declarationId);
    this.organisations.assertCanActFor(caller, rows[0].organisation_id, true);
    return rows.map(toView);
  }

  async forOrganisation(
    caller: Principal | undefined,
    organisationId: string,
  ): Promise<PaymentRequestView[]> {
    this.organisations.assertCanActFor(caller, organisationId, true);
    const rows = (await this.dataSource.query(
      `${SELECT} WHERE r.organisation_id = $1 ORDER BY r.year, r.seq`,
      [organisationId],
    )) as RequestRow[];
    return rows.map(toView);
  }

  /** Every payment request, for the treasurer, newest first (optionally one Chorus Pro status). */
  async list(caller: Principal | undefined, status?: string): Promise<PaymentRequestView[]> {
    requireRole(caller, ['treasurer', 'admin']);
    if (status !== undefined && !['to_deposit', 'deposited', 'rejected', 'paid'].includes(status))
      throw new BillingError(
        BillingErrorCode.InvalidInput,
        'status is one of to_deposit, deposited, rejected, paid',
        {
          field: 'status',
        },
      );
    const rows = (await this.dataSource.query(
      `${SELECT} WHERE ($1::text IS NULL OR r.chorus_status = $1) ORDER BY r.year DESC, r.seq DESC LIMIT 1000`,
      [status ?? null],
    )) as RequestRow[];
    return rows.map(toView);
  }

  async xml(caller: Principal | undefined, id: string): Promise<{ fileName: string; xml: string }> {
    const row = await this.row(caller, id);
    return { fileName: `${row.number}.xml`, xml: buildCiiInvoice(this.document(row)) };
  }

  async pdf(caller: Principal | undefined, id: string): Promise<{ fileName: string; pdf: Uint8Array }> {
    const row = await this.row(caller, id);
    const doc = this.document(row);
    this.icc ??= srgbIccProfile();
    const pdf = await buildFacturXPdf(doc, buildCiiInvoice(doc), this.icc, row.created_at);
    return { fileName: `${row.number}.pdf`, pdf };
  }

  /**
   * Gathers the requests still to deposit (or the ones named) into a Chorus Pro deposit: its
   * manifest lists each Factur-X file (and the XML) with its SHA-256, and the requests become
   * `deposited` in that deposit. The files are downloaded from the manifest's paths.
   */
  async exportForChorus(caller: Principal | undefined, ids?: unknown): Promise<ChorusDepositManifest> {
    const actor = requireRole(caller, 'treasurer');
    if (
      ids !== undefined &&
      (!Array.isArray(ids) || !ids.every((x) => typeof x === 'string' && UUID.test(x)))
    )
      throw new BillingError(BillingErrorCode.InvalidInput, 'ids must be a list of payment request ids', {
        field: 'ids',
      });
    const fund = this.fund();
    return this.dataSource.transaction(async (m) => {
      const rows = (await m.query(
        `${SELECT} WHERE r.chorus_status = 'to_deposit' AND ($1::uuid[] IS NULL OR r.id = ANY($1::uuid[]))
         ORDER BY r.year, r.seq LIMIT 500 FOR UPDATE OF r`,
        [ids ?? null],
      )) as RequestRow[];
      if (rows.length === 0)
        throw new BillingError(
          BillingErrorCode.InvalidInput,
          'no payment request is waiting to be deposited',
          {
            field: 'ids',
          },
        );
      const [{ id: depositId, created_at }] = (await m.query(
        `INSERT INTO chorus_deposits (manifest, created_by) VALUES ('{}', $1) RETURNING id::text, created_at`,
        [actor.userId],
      )) as { id: string; created_at: Date }[];
      this.icc ??= srgbIccProfile();
      const invoices: ChorusDepositManifest['invoices'] = [];
      for (const row of rows) {
        const doc = this.document(row);
        const xml = buildCiiInvoice(doc);
        const pdf = await buildFacturXPdf(doc, xml, this.icc, row.created_at);
        const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
        invoices.push({
          number: row.number,
          paymentRequestId: row.id,
          buyerSiret: row.buyer.siret,
          serviceCode: row.buyer.serviceCode,
          legalCommitment: row.buyer.legalCommitment,
          amount: row.amount,
          currency: row.currency,
          dueDate: row.due_date,
          creditorReference: row.creditor_reference,
          files: [
            { name: `${row.number}.pdf`, path: `/payment-requests/${row.id}/document.pdf`, sha256: sha(pdf) },
            {
              name: `${row.number}-${FACTURX_FILE_NAME}`,
              path: `/payment-requests/${row.id}/document.xml`,
              sha256: sha(xml),
            },
          ],
        });
      }
      const manifest: ChorusDepositManifest = {
        depositId,
        createdAt: created_at.toISOString(),
        channel: 'Chorus Pro portal, "déposer une facture" (flux E2: Factur-X, PDF + XML)',
        format: 'Factur-X 1.0 EN 16931 (CII D16B)',
        supplier: { name: fund.legalName, siret: fund.siret },
        invoices,
      };
      await m.query('UPDATE chorus_deposits SET manifest = $2 WHERE id = $1', [
        depositId,
        JSON.stringify(manifest),
      ]);
      await m.query(
        `UPDATE payment_requests SET chorus_status = 'deposited', chorus_deposit_id = $2, chorus_updated_at = now()
          WHERE id = ANY($1::uuid[])`,
        [rows.map((r) => r.id), depositId],
      );
      await this.audit.record(
        actor,
        'chorus.deposit.exported',
        { type: 'chorus_deposit', id: depositId },
        { count: rows.length },
        m,
      );
      return manifest;
    });
  }

  async deposits(
    caller: Principal | undefined,
  ): Promise<{ id: string; createdAt: Date; count: number; manifest: ChorusDepositManifest }[]> {
    requireRole(caller, ['treasurer', 'admin']);
    const rows = (await this.dataSource.query(
      `SELECT id::text, created_at, manifest FROM chorus_deposits ORDER BY created_at DESC LIMIT 200`,
    )) as { id: string; created_at: Date; manifest: ChorusDepositManifest }[];
    return rows.map((r) => ({
      id: r.id,
      createdAt: r.created_at,
      count: r.manifest.invoices?.length ?? 0,
      manifest: r.manifest,
    }));
  }

  /**
   * What Chorus Pro said of a deposited request: `rejected` (with its reason), `paid`, or back to
   * `deposited` after a rejection is corrected. A request still to deposit cannot be rejected or paid here.
   */
  async setChorusStatus(
    caller: Principal | undefined,
    id: string,
    input: { status?: unknown; reason?: unknown },
  ): Promise<PaymentRequestView> {
    const actor = requireRole(caller, 'treasurer');
    const status = input.status;
    if (status !== 'deposited' && status !== 'rejected' && status !== 'paid')
      throw new BillingError(BillingErrorCode.InvalidInput, 'status is one of deposited, rejected, paid', {
        field: 'status',
      });
    const reason = typeof input.reason === 'string' ? input.reason.trim() : '';
    if (status === 'rejected' && (reason.length === 0 || reason.length > 500))
      throw new BillingError(
        BillingErrorCode.InvalidInput,
        'a rejection needs its reason (at most 500 characters)',
        {
          field: 'reason',
        },
      );
    if (!UUID.test(id)) throw notFound(id);
    await this.dataSource.transaction(async (m) => {
      const [row] = (await m.query('SELECT chorus_status FROM payment_requests WHERE id = $1 FOR UPDATE', [
        id,
      ])) as {
        chorus_status: ChorusStatus;
      }[];
      if (!row) throw notFound(id);
      if (row.chorus_status === 'to_deposit' || row.chorus_status === status)
        throw new BillingError(
          BillingErrorCode.InvalidStatusTransition,
          `a request that is ${row.chorus_status} cannot become ${status}`,
          { field: 'status', current: row.chorus_status },
        );
      await m.query(
        `UPDATE payment_requests SET chorus_status = $2, chorus_reason = $3, chorus_updated_at = now() WHERE id = $1`,
        [id, status, status === 'rejected' ? reason : null],
      );
      await this.audit.record(
        actor,
        'chorus.status.changed',
        { type: 'payment_request', id },
        { status, reason },
        m,
      );
    });
    return this.get(actor, id);
  }

  /** Overdue obligations, oldest due date first, with the interest and indemnity owed today. */
  async overdue(caller: Principal | undefined, asOf?: string): Promise<OverdueObligationView[]> {
    requireRole(caller, ['treasurer', 'admin']);
    const day = asOf ?? new Date().toISOString().slice(0, 10);
    if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(day) || Number.isNaN(Date.parse(day)))
      throw new BillingError(BillingErrorCode.InvalidInput, 'asOf must be a date YYYY-MM-DD', {
        field: 'asOf',
      });
    const rows = (await this.dataSource.query(
      `SELECT d.id::text, d.organisation_id::text, o.name, r.number, d.creditor_reference, to_char(d.due_date, 'YYYY-MM-DD') AS due_date,
              (d.amount_due - d.amount_paid)::text AS outstanding, d.currency, coalesce(r.policy_version, d.policy_version) AS policy_version,
              p.billing
         FROM levy_declarations d
         JOIN organisations o ON o.id = d.organisation_id
         LEFT JOIN payment_requests r ON r.declaration_id = d.id AND r.kind = 'invoice' AND r.cancels_id IS NULL
         JOIN policies p ON p.version = coalesce(r.policy_version, d.policy_version)
        WHERE d.amount_paid < d.amount_due AND d.due_date < $1::date
        ORDER BY d.due_date, d.id LIMIT 1000`,
      [day],
    )) as {
      id: string;
      organisation_id: string;
      name: string;
      number: string | null;
      creditor_reference: string | null;
      due_date: string;
      outstanding: string;
      currency: string;
      policy_version: number;
      billing: BillingSettings;
    }[];
    return rows.map((r) => ({
      declarationId: r.id,
      organisationId: r.organisation_id,
      organisationName: r.name,
      paymentRequestNumber: r.number,
      creditorReference: r.creditor_reference,
      dueDate: r.due_date,
      outstanding: BigInt(r.outstanding),
      currency: r.currency,
      latePayment: latePayment(BigInt(r.outstanding), r.due_date, day, r.billing, r.policy_version),
    }));
  }

  private async row(caller: Principal | undefined, id: string): Promise<RequestRow> {
    if (!UUID.test(id)) throw notFound(id);
    const rows = (await this.dataSource.query(`${SELECT} WHERE r.id = $1`, [id])) as RequestRow[];
    if (rows.length === 0) throw notFound(id);
    this.organisations.assertCanActFor(caller, rows[0].organisation_id, true);
    return rows[0];
  }

  private document(row: RequestRow): PaymentRequestDocument {
    const billing = row.billing;
    const rate = (billing.lateInterest.marginBps / 100).toFixed(2).replace('.', ',');
    return {
      id: row.id,
      number: row.number,
      kind: row.kind,
      typeCode: row.document_type_code,
      issueDate: row.issue_date,
      dueDate: row.due_date,
      currency: row.currency,
      amount: BigInt(row.amount),
      creditorReference: row.creditor_reference,
      buyer: row.buyer,
      seller: this.fund(),
      lineName: `Contribution ${row.fiscal_year} — ${row.project_title}`,
      lineDescription: `Contribution de ${row.levy_rate_bps / 100} % du budget déclaré de ${formatDecimal(
        BigInt(row.budget_excl_vat),
      )} ${row.currency} HT (exercice ${row.fiscal_year}) / levy of ${row.levy_rate_bps / 100} % of the declared budget`,
      fiscalYear: row.fiscal_year,
      precedingNumber: row.cancels_number,
      precedingIssueDate: row.cancels_issue_date,
      paymentTerms: `Paiement à ${billing.paymentDays} jours par virement, en rappelant la référence ${row.creditor_reference} / payment within ${billing.paymentDays} days by transfer quoting the reference`,
      latePaymentNote: `Intérêts moratoires : taux de la BCE (opérations principales de refinancement) en vigueur au premier jour du semestre + ${rate} points (art. R2192-31 CCP) / late-payment interest: ECB rate + ${rate} points`,
      indemnityNote: `Indemnité forfaitaire pour frais de recouvrement : ${formatDecimal(BigInt(billing.fixedIndemnity)).replace('.', ',')} € (art. D2192-35 CCP) / fixed recovery indemnity`,
      policyVersion: row.policy_version,
    };
  }
}

function notFound(id: string): BillingError {
  return new BillingError(BillingErrorCode.PaymentRequestNotFound, `no payment request ${id}`);
}

function toView(row: RequestRow): PaymentRequestView {
  return {
    id: row.id,
    number: row.number,
    kind: row.kind,
    declarationId: row.declaration_id,
    organisationId: row.organisation_id,
    creditorReference: row.creditor_reference,
    currency: row.currency,
    amount: BigInt(row.amount),
    issueDate: row.issue_date,
    dueDate: row.due_date,
    buyer: row.buyer,
    policyVersion: row.policy_version,
    chorus: {
      status: row.chorus_status,
      reason: row.chorus_reason,
      depositId: row.chorus_deposit_id,
      updatedAt: row.chorus_updated_at,
    },
    obligation: {
      amountDue: BigInt(row.amount_due),
      amountPaid: BigInt(row.amount_paid),
      status: row.obligation_status,
    },
    createdAt: row.created_at,
  };
}
