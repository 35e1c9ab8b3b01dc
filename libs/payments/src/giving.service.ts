import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '@app/config';
import { ContributionSplit, Direction, splitGross } from '@app/contributions';
import { Principal } from '@app/identity';
import { Accounts, LedgerService } from '@app/ledger';
import { MailOutboxService } from '@app/mail';
import { PolicyService } from '@app/policy';
import { DonationMode, DonationsService } from './donations.service';
import { GivingChoice, GivingIdentity } from './giving-form';
import { PaymentsError, PaymentsErrorCode } from './payments.errors';

/** A project as a donor looks for it: what it says it needs and what it has received. */
export interface DonorProject {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly description: string;
  readonly status: string;
  /** Credited so far to its directed and allocated accounts (cents of `currency`). */
  readonly received: bigint;
  readonly currency: string;
  /** Its funding plans (funding.json), amounts in cents of their currency. */
  readonly needs: readonly DonorProjectNeed[];
}

export interface DonorProjectNeed {
  readonly name: string;
  readonly amount: bigint;
  readonly currency: string;
  readonly frequency: string;
}

/** The split the policy will apply to a gift, computed as the booking computes it. */
export interface GivingPreview {
  readonly choice: GivingChoice;
  readonly currency: string;
  readonly projects: readonly DonorProject[];
  readonly split: ContributionSplit;
  /** The directed parts with their projects, in the donor's order. */
  readonly directed: readonly { readonly project: DonorProject; readonly amount: bigint }[];
}

/** The page paths a checkout returns to (the donor's language). */
export interface GivingReturnPaths {
  /** Where Stripe sends the donor after paying: `?session=<id>` is added. */
  readonly thanks: string;
  /** Where Stripe sends the donor who cancels: `/<checkout id>` is added. */
  readonly cancelled: string;
}

export interface StartCheckoutCommand {
  /** The form's idempotency key: a double submit opens one Checkout Session. */
  readonly formKey: string;
  readonly language: 'fr' | 'en';
  readonly choice: GivingChoice;
  readonly identity: GivingIdentity;
  readonly paths: GivingReturnPaths;
}

/** What the donor chose, as kept to show the summary again after a cancelled payment. */
export interface GivingKeptForm {
  readonly language: 'fr' | 'en';
  readonly choice: GivingChoice;
  readonly identity: GivingIdentity;
}

export interface BookedGift {
  readonly contributionId: string;
  readonly gross: bigint;
  readonly processorFee: bigint;
  readonly net: bigint;
  readonly operatingFee: bigint;
  readonly pool: bigint;
  readonly directed: readonly {
    readonly projectId: string;
    readonly slug: string;
    readonly name: string;
    readonly amount: bigint;
  }[];
  readonly policyVersion: number;
  readonly ledgerEntryId: string | null;
  readonly occurredAt: Date;
}

export interface GivingConfirmation {
  readonly donationIntentId: string;
  readonly amount: bigint;
  readonly currency: string;
  readonly mode: DonationMode;
  readonly publicName: string | null;
  readonly pseudonym: string;
  /** Null while the worker has not booked the payment yet ("being booked"). */
  readonly booked: BookedGift | null;
  /** The address the statement key was mailed to, when it was shown now and the donor gave one. */
  readonly mailedTo: string | null;
  /**
   * `shown`: the key, to show now (and never again); `already_shown`: it was shown before;
   * `elsewhere`: this browser did not start the checkout (the key stays sealed).
   */
  readonly statementKey:
    { readonly state: 'shown'; readonly key: string } | { readonly state: 'already_shown' | 'elsewhere' };
}

/** A signed-in donor's gifts. */
export interface DonorGift {
  readonly donationIntentId: string;
  readonly createdAt: Date;
  readonly amount: bigint;
  readonly currency: string;
  readonly mode: DonationMode;
  readonly publicName: string | null;
  readonly pseudonym: string;
  readonly payments: readonly BookedGift[];
}

const FORM_KEY = /^[A-Za-z0-9_-]{16,128}$/;
const SEAL_INFO = 'librery giving statement key v1';

/**
 * The donate pages' side of giving: projects by name with what they need and received, the
 * split before paying (through the same function as the booking), checkouts opened once per
 * form, the statement key shown once on return, and a signed-in donor's gifts.
 */
@Injectable()
export class GivingService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly donations: DonationsService,
    private readonly policies: PolicyService,
    private readonly ledger: LedgerService,
    private readonly config: AppConfig,
    private readonly mail: MailOutboxService,
  ) {}

  /**
   * Projects that may receive directed money whose name, slug or description holds every word of
   * the query (case-insensitive); admitted ones first, then names starting with the query.
   */
  async searchProjects(query: string, limit = 10): Promise<DonorProject[]> {
    const q = query.trim().toLowerCase().slice(0, 100);
    const words = q.split(/\s+/).filter(Boolean).slice(0, 8);
    if (words.length === 0) return [];
    const like = (w: string) => w.replace(/[\\%_]/g, (c) => `\\${c}`);
    const params: unknown[] = words.map((w) => `%${like(w)}%`);
    const conditions = words.map(
      (_, i) => `(lower(name) LIKE $${i + 1} OR slug LIKE $${i + 1} OR lower(description) LIKE $${i + 1})`,
    );
    params.push(`${like(q)}%`, Math.min(Math.max(limit, 1), 50));
    const rows = (await this.dataSource.query(
      `SELECT id::text, slug, name, description, status, funding_manifest->'plans' AS plans
         FROM projects
        WHERE status IN ('proposed', 'admitted') AND ${conditions.join(' AND ')}
        ORDER BY (status = 'admitted') DESC, (lower(name) LIKE $${words.length + 1}) DESC, lower(name), slug
        LIMIT $${words.length + 2}`,
      params,
    )) as ProjectRow[];
    return this.withReceived(rows);
  }

  /** The fundable projects named by these slugs, in their order (unknown or unfundable ones left out). */
  async projectsBySlugs(slugs: readonly string[]): Promise<DonorProject[]> {
    if (slugs.length === 0) return [];
    const rows = (await this.dataSource.query(
      `SELECT id::text, slug, name, description, status, funding_manifest->'plans' AS plans
         FROM projects WHERE slug = ANY($1) AND status IN ('proposed', 'admitted')`,
      [[...slugs]],
    )) as ProjectRow[];
    const bySlug = new Map((await this.withReceived(rows)).map((p) => [p.slug, p]));
    return slugs.flatMap((s) => (bySlug.has(s) ? [bySlug.get(s)!] : []));
  }

  /**
   * The split the current policy will apply to this gift: operating fee, each project's directed
   * part and the pool, by `splitGross`, the function the booking uses. The processor's fee is
   * not known before paying; it is taken first and the same rule applies to the rest (`fee`).
   */
  async preview(choice: GivingChoice, processorFee = 0n): Promise<GivingPreview> {
    const projects = await this.resolve(choice);
    const policy = await this.policies.current();
    const directions: Direction[] = choice.committee
      ? []
      : projects.map((p, i) => ({ projectId: p.id, weight: choice.projects[i].weight }));
    const split = splitGross(choice.amount, processorFee, policy, directions);
    const byId = new Map(projects.map((p) => [p.id, p]));
    return {
      choice,
      currency: policy.currency,
      projects,
      split,
      directed: split.directed.map((d) => ({ project: byId.get(d.projectId)!, amount: d.amount })),
    };
  }

  /**
   * Opens the Stripe Checkout for a gift, once per form key: a second submission of the same form
   * gets the same Checkout URL; the same key with other values is refused.
   */
  async startCheckout(
    caller: Principal | undefined,
    command: StartCheckoutCommand,
  ): Promise<{ checkoutId: string; url: string }> {
    if (!FORM_KEY.test(command.formKey))
      throw new PaymentsError(PaymentsErrorCode.InvalidDonation, 'the form key is malformed', {
        field: 'idempotencyKey',
      });
    const projects = await this.resolve(command.choice);
    const kept: GivingKeptForm = {
      language: command.language,
      choice: command.choice,
      identity: command.identity,
    };
    const form = keptToJson(kept);
    const requestHash = sha256(JSON.stringify([form, caller?.userId ?? null]));
    const formKeyHash = sha256(command.formKey);
    const inserted = (await this.dataSource.query(
      `INSERT INTO giving_checkouts (form_key_hash, request_hash, language, form)
       VALUES ($1, $2, $3, $4) ON CONFLICT (form_key_hash) DO NOTHING RETURNING id::text`,
      [
        formKeyHash,
        requestHash,
        command.language,
        { ...form, identity: { publicName: form.identity.publicName } },
      ],
    )) as { id: string }[];
    if (inserted.length === 0) return this.awaitStarted(formKeyHash, requestHash);
    const checkoutId = inserted[0].id;
    const base = this.config.PUBLIC_BASE_URL.replace(/\/$/, '');
    let started;
    try {
      started = await this.donations.checkout(
        caller,
        {
          amount: command.choice.amount.toString(),
          mode: command.choice.frequency,
          directions: command.choice.committee
            ? []
            : projects.map((p, i) => ({
                projectId: p.id,
                weight: Number(command.choice.projects[i].weight),
              })),
          publicName: command.identity.publicName ?? undefined,
          email: command.identity.email ?? undefined,
        },
        {
          success: `${base}${command.paths.thanks}?session={CHECKOUT_SESSION_ID}`,
          cancel: `${base}${command.paths.cancelled}/${checkoutId}`,
        },
      );
    } catch (error) {
      // Nothing was opened: the same form may be sent again.
      await this.dataSource.query('DELETE FROM giving_checkouts WHERE id = $1 AND checkout_url IS NULL', [
        checkoutId,
      ]);
      throw error;
    }
    if (!started.url)
      throw new PaymentsError(PaymentsErrorCode.ProcessorError, 'Stripe gave no checkout URL');
    await this.dataSource.query(
      `UPDATE giving_checkouts SET donation_intent_id = $2, checkout_url = $3, sealed_statement_key = $4 WHERE id = $1`,
      [
        checkoutId,
        started.donationIntentId,
        started.url,
        seal(started.statementKey, command.formKey, checkoutId),
      ],
    );
    return { checkoutId, url: started.url };
  }

  /** The values of a checkout whose payment was cancelled, for the browser that started it. */
  async keptForm(checkoutId: string, formKey: string | undefined): Promise<GivingKeptForm | null> {
    if (!isUuid(checkoutId) || !formKey) return null;
    const [row] = (await this.dataSource.query(
      `SELECT g.form, g.form_key_hash, i.donor_email
         FROM giving_checkouts g LEFT JOIN donation_intents i ON i.id = g.donation_intent_id WHERE g.id = $1`,
      [checkoutId],
    )) as { form: KeptJson; form_key_hash: Buffer; donor_email: string | null }[];
    if (!row || !row.form_key_hash.equals(sha256(formKey))) return null;
    const kept = keptFromJson(row.form);
    return { ...kept, identity: { ...kept.identity, email: row.donor_email } };
  }

  /**
   * The gift behind a Checkout Session, for the page the donor comes back to: its booking once
   * the worker made it, and the statement key, opened with the browser's form key and erased in
   * the same transaction, so it is shown once.
   */
  async confirmation(sessionId: string, formKey: string | undefined): Promise<GivingConfirmation | null> {
    if (!/^cs_[A-Za-z0-9_]{1,200}$/.test(sessionId)) return null;
    const [intent] = (await this.dataSource.query(
      `SELECT i.id::text, i.amount::text, i.currency, i.mode, i.public_name, i.pseudonym, i.donor_email,
              g.id::text AS checkout_id, g.form_key_hash, g.revealed_at, g.language
         FROM donation_intents i LEFT JOIN giving_checkouts g ON g.donation_intent_id = i.id
        WHERE i.stripe_session_id = $1`,
      [sessionId],
    )) as IntentRow[];
    if (!intent) return null;
    let statementKey: GivingConfirmation['statementKey'] = { state: 'elsewhere' };
    let mailedTo: string | null = null;
    if (intent.checkout_id && formKey && intent.form_key_hash?.equals(sha256(formKey))) {
      // Shown once: the sealed copy is erased, and the mail queued, in one transaction.
      statementKey = await this.dataSource.transaction(async (m) => {
        const [row] = (await m.query(
          'SELECT sealed_statement_key FROM giving_checkouts WHERE id = $1 FOR UPDATE',
          [intent.checkout_id],
        )) as { sealed_statement_key: Buffer | null }[];
        if (!row.sealed_statement_key) return { state: 'already_shown' as const };
        const key = unseal(row.sealed_statement_key, formKey, intent.checkout_id!);
        await m.query(
          'UPDATE giving_checkouts SET sealed_statement_key = NULL, revealed_at = now() WHERE id = $1',
          [intent.checkout_id],
        );
        if (intent.donor_email) {
          const lang = intent.language === 'en' ? 'en' : 'fr';
          await this.mail.enqueue(m, {
            key: `donation-statement-key:${intent.id}`,
            to: intent.donor_email,
            lang,
            ...statementKeyMail(lang, key, this.config.PUBLIC_BASE_URL.replace(/\/$/, '')),
          });
          mailedTo = intent.donor_email;
        }
        return { state: 'shown' as const, key };
      });
    } else if (intent.revealed_at) statementKey = { state: 'already_shown' };
    const [booked] = await this.bookings([intent.id]);
    return {
      donationIntentId: intent.id,
      amount: BigInt(intent.amount),
      currency: intent.currency.trim(),
      mode: intent.mode,
      publicName: intent.public_name,
      pseudonym: intent.pseudonym,
      booked: booked?.payments[0] ?? null,
      mailedTo,
      statementKey,
    };
  }

  /** The gifts of the signed-in donor, newest first, with every payment booked for each. */
  async donorGifts(caller: Principal, limit = 100): Promise<DonorGift[]> {
    if (!caller.userId) return [];
    const intents = (await this.dataSource.query(
      `SELECT id::text, amount::text, currency, mode, public_name, pseudonym, created_at
         FROM donation_intents WHERE donor_user_id = $1 ORDER BY created_at DESC, id LIMIT $2`,
      [caller.userId, limit],
    )) as (IntentRow & { created_at: Date })[];
    const payments = new Map(
      (await this.bookings(intents.map((i) => i.id))).map((b) => [b.intentId, b.payments]),
    );
    return intents.map((i) => ({
      donationIntentId: i.id,
      createdAt: i.created_at,
      amount: BigInt(i.amount),
      currency: i.currency.trim(),
      mode: i.mode,
      publicName: i.public_name,
      pseudonym: i.pseudonym,
      payments: payments.get(i.id) ?? [],
    }));
  }

  // ---------------------------------------------------------------- helpers

  private async resolve(choice: GivingChoice): Promise<DonorProject[]> {
    if (choice.committee) return [];
    const slugs = choice.projects.map((p) => p.slug);
    const projects = await this.projectsBySlugs(slugs);
    const found = new Set(projects.map((p) => p.slug));
    const missing = slugs.filter((s) => !found.has(s));
    if (missing.length > 0) {
      throw new PaymentsError(
        PaymentsErrorCode.InvalidDonation,
        `project ${missing[0]} cannot receive money`,
        {
          field: 'p',
          unknown: missing,
        },
      );
    }
    return projects;
  }

  private async awaitStarted(
    formKeyHash: Buffer,
    requestHash: Buffer,
  ): Promise<{ checkoutId: string; url: string }> {
    for (let attempt = 0; attempt < 100; attempt++) {
      const [row] = (await this.dataSource.query(
        'SELECT id::text, request_hash, checkout_url FROM giving_checkouts WHERE form_key_hash = $1',
        [formKeyHash],
      )) as { id: string; request_hash: Buffer; checkout_url: string | null }[];
      if (!row) break;
      if (!row.request_hash.equals(requestHash)) {
        throw new PaymentsError(
          PaymentsErrorCode.FormReused,
          'this form was already sent with other values',
          {
            field: 'idempotencyKey',
          },
        );
      }
      if (row.checkout_url) return { checkoutId: row.id, url: row.checkout_url };
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new PaymentsError(
      PaymentsErrorCode.CheckoutPending,
      'the first submission of this form has not finished',
    );
  }

  private async withReceived(rows: ProjectRow[]): Promise<DonorProject[]> {
    const policy = await this.policies.current();
    const currency = policy.currency;
    const codes = rows.flatMap((r) => [
      Accounts.projectDirected(r.id, currency).code,
      Accounts.projectAllocated(r.id, currency).code,
    ]);
    const balances = codes.length > 0 ? await this.ledger.balances(codes) : new Map();
    return rows.map((r) => ({
      id: r.id,
      slug: r.slug,
      name: r.name,
      description: r.description,
      status: r.status,
      currency,
      received:
        (balances.get(Accounts.projectDirected(r.id, currency).code)?.creditsPosted ?? 0n) +
        (balances.get(Accounts.projectAllocated(r.id, currency).code)?.creditsPosted ?? 0n),
      needs: readNeeds(r.plans),
    }));
  }

  private async bookings(
    intentIds: string[],
    manager: EntityManager = this.dataSource.manager,
  ): Promise<{ intentId: string; payments: BookedGift[] }[]> {
    if (intentIds.length === 0) return [];
    const rows = (await manager.query(
      `SELECT c.donation_intent_id::text AS intent_id, c.id::text, c.gross::text, c.processor_fee::text, c.net::text,
              c.operating_fee::text, c.pool::text, c.directed, c.policy_version, c.occurred_at,
              (SELECT e.id::text FROM ledger_entries e WHERE e.idempotency_key = c.ledger_key) AS entry_id
         FROM contributions c WHERE c.donation_intent_id = ANY($1::uuid[])
        ORDER BY c.occurred_at, c.id`,
      [intentIds],
    )) as BookingRow[];
    const ids = [...new Set(rows.flatMap((r) => r.directed.map((d) => d.projectId)))];
    const names = new Map(
      (
        (await manager.query('SELECT id::text, slug, name FROM projects WHERE id = ANY($1::uuid[])', [
          ids,
        ])) as {
          id: string;
          slug: string;
          name: string;
        }[]
      ).map((p) => [p.id, p]),
    );
    const byIntent = new Map<string, BookedGift[]>();
    for (const r of rows) {
      const list = byIntent.get(r.intent_id) ?? [];
      list.push({
        contributionId: r.id,
        gross: BigInt(r.gross),
        processorFee: BigInt(r.processor_fee),
        net: BigInt(r.net),
        operatingFee: BigInt(r.operating_fee),
        pool: BigInt(r.pool),
        directed: r.directed.map((d) => ({
          projectId: d.projectId,
          slug: names.get(d.projectId)?.slug ?? d.projectId,
          name: names.get(d.projectId)?.name ?? d.projectId,
          amount: BigInt(d.amount),
        })),
        policyVersion: r.policy_version,
        ledgerEntryId: r.entry_id,
        occurredAt: r.occurred_at,
      });
      byIntent.set(r.intent_id, list);
    }
    return [...byIntent.entries()].map(([intentId, payments]) => ({ intentId, payments }));
  }
}

interface ProjectRow {
  id: string;
  slug: string;
  name: string;
  description: string;
  status: string;
  plans: unknown;
}

interface IntentRow {
  id: string;
  amount: string;
  currency: string;
  mode: DonationMode;
  public_name: string | null;
  pseudonym: string;
  donor_email?: string | null;
  checkout_id?: string | null;
  form_key_hash?: Buffer | null;
  revealed_at?: Date | null;
  language?: string | null;
}

interface BookingRow {
  intent_id: string;
  id: string;
  gross: string;
  processor_fee: string;
  net: string;
  operating_fee: string;
  pool: string;
  directed: { projectId: string; amount: string }[];
  policy_version: number;
  occurred_at: Date;
  entry_id: string | null;
}

interface KeptJson {
  language: 'fr' | 'en';
  choice: {
    amount: string;
    frequency: DonationMode;
    committee: boolean;
    projects: { slug: string; weight: string }[];
  };
  identity: { publicName: string | null; email?: string | null };
}

function keptToJson(kept: GivingKeptForm): KeptJson {
  return {
    language: kept.language,
    choice: {
      amount: kept.choice.amount.toString(),
      frequency: kept.choice.frequency,
      committee: kept.choice.committee,
      projects: kept.choice.projects.map((p) => ({ slug: p.slug, weight: p.weight.toString() })),
    },
    identity: { publicName: kept.identity.publicName, email: kept.identity.email },
  };
}

function keptFromJson(json: KeptJson): GivingKeptForm {
  return {
    language: json.language,
    choice: {
      amount: BigInt(json.choice.amount),
      frequency: json.choice.frequency,
      committee: json.choice.committee,
      projects: json.choice.projects.map((p) => ({ slug: p.slug, weight: BigInt(p.weight) })),
    },
    identity: { publicName: json.identity.publicName, email: null },
  };
}

/** A funding.json plan's amount (a JSON number of major units) as cents, read from its decimal text. */
export function planAmountCents(amount: unknown): bigint | null {
  if (typeof amount !== 'number' || !Number.isFinite(amount) || amount < 0 || amount >= 1e15) return null;
  const m = /^([0-9]+)(?:\.([0-9]+))?$/.exec(String(amount));
  if (!m) return null;
  const fraction = m[2] ?? '';
  if (fraction.length > 2) return null;
  return BigInt(m[1]) * 100n + BigInt(fraction.padEnd(2, '0'));
}

function readNeeds(plans: unknown): DonorProjectNeed[] {
  if (!Array.isArray(plans)) return [];
  const needs: DonorProjectNeed[] = [];
  for (const p of plans as Record<string, unknown>[]) {
    const amount = planAmountCents(p?.amount);
    if (amount === null || p.status !== 'active') continue;
    needs.push({
      name: String(p.name ?? ''),
      amount,
      currency: String(p.currency ?? '').toUpperCase(),
      frequency: String(p.frequency ?? ''),
    });
  }
  return needs;
}

/** The mail that carries a statement key to the donor who gave an address. */
function statementKeyMail(lang: 'fr' | 'en', key: string, base: string): { subject: string; text: string } {
  if (lang === 'en') {
    return {
      subject: 'Your Librery statement key',
      text: [
        'Thank you for your gift to the Librery.',
        '',
        `Your statement key: ${key}`,
        '',
        `It opens your yearly statements without an account: ${base}/give/statement`,
        'Keep it: the Librery keeps only its fingerprint and cannot send it again.',
      ].join('\n'),
    };
  }
  return {
    subject: 'Votre clé de relevé de la Librery',
    text: [
      'Merci pour votre don à la Librery.',
      '',
      `Votre clé de relevé : ${key}`,
      '',
      `Elle ouvre vos relevés annuels sans compte : ${base}/donner/releve`,
      'Conservez-la : la Librery n’en garde que l’empreinte et ne peut pas la renvoyer.',
    ].join('\n'),
  };
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function isUuid(text: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text);
}

function sealingKey(formKey: string, checkoutId: string): Buffer {
  return Buffer.from(
    hkdfSync('sha256', Buffer.from(formKey, 'utf8'), Buffer.from(checkoutId, 'utf8'), SEAL_INFO, 32),
  );
}

/** The statement key sealed (AES-256-GCM) under a key only the form key opens: iv ‖ tag ‖ ciphertext. */
function seal(statementKey: string, formKey: string, checkoutId: string): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealingKey(formKey, checkoutId), iv);
  const body = Buffer.concat([cipher.update(statementKey, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

function unseal(sealed: Buffer, formKey: string, checkoutId: string): string {
  const decipher = createDecipheriv('aes-256-gcm', sealingKey(formKey, checkoutId), sealed.subarray(0, 12));
  decipher.setAuthTag(sealed.subarray(12, 28));
  return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8');
}
