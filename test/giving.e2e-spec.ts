import { randomBytes } from 'node:crypto';
import { NestExpressApplication } from '@nestjs/platform-express';
import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { ContributionBookingService, Direction, splitParts } from '@app/contributions';
import { Accounts } from '@app/ledger';
import { MailOutboxService } from '@app/mail';
import { GivingChoice, GivingService, PaymentsError, PaymentsErrorCode } from '@app/payments';
import { FakeStripe } from '@app/testing';
import { createTestApp, uniqueId } from './support/create-test-app';

const paths = { thanks: '/give/thanks', cancelled: '/give/cancelled' };
const formKey = () => randomBytes(18).toString('base64url');

/** The donor's side of giving: projects by name, the split before paying, checkouts opened once, the key shown once. */
describe('giving (donate pages service)', () => {
  let fake: FakeStripe;
  let app: NestExpressApplication;
  let db: DataSource;
  let sut: GivingService;
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    fake = await new FakeStripe().start();
    for (const [k, v] of Object.entries({
      STRIPE_SECRET_KEY: fake.secretKey,
      STRIPE_WEBHOOK_SECRET: fake.webhookSecret,
      STRIPE_API_BASE: fake.apiBase,
    })) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    app = await createTestApp();
    db = app.get(DataSource);
    sut = app.get(GivingService);
  });

  afterAll(async () => {
    await app?.close();
    await fake.stop();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  async function project(
    name: string,
    status = 'proposed',
    plans?: unknown[],
  ): Promise<{ id: string; slug: string }> {
    const slug = uniqueId('g')
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .slice(0, 60);
    const [row] = (await db.query(
      `INSERT INTO projects (slug, name, repository_url, licence, openness_level, status, funding_manifest)
       VALUES ($1, $2, 'https://example.org/r', 'MIT', 'A', $3, $4) RETURNING id::text`,
      [slug, name, status, plans ? { plans } : null],
    )) as { id: string }[];
    return { id: row.id, slug };
  }

  it('finds fundable projects by name, with what they need and what they received', async () => {
    const tag = randomBytes(4).toString('hex');
    const a = await project(`Cartographie ${tag}`, 'admitted', [
      {
        guid: 'dev',
        status: 'active',
        name: 'Développement',
        amount: 12000.5,
        currency: 'EUR',
        frequency: 'yearly',
      },
      { guid: 'old', status: 'inactive', name: 'Ancien', amount: 10, currency: 'EUR', frequency: 'one-time' },
    ]);
    const b = await project(`Outils cartographie ${tag}`);
    await project(`Cartographie archivée ${tag}`, 'archived');
    const booking = app.get(ContributionBookingService);
    await booking.prepareAccounts('EUR', Accounts.bank('EUR'), [{ projectId: a.id, weight: 1n }]);
    await db.transaction((m) =>
      booking.book(m, {
        source: 'bank_receipt',
        sourceRef: `receipt:${uniqueId()}`,
        contributorKind: 'organisation',
        currency: 'EUR',
        gross: 10000n,
        processorFee: 0n,
        cash: Accounts.bank('EUR'),
        directions: [{ projectId: a.id, weight: 1n }],
        occurredAt: new Date(),
      }),
    );
    // Case-insensitive, admitted projects first; the archived one is never offered.
    const found = await sut.searchProjects(`CARTOGRAPHIE ${tag}`);
    expect(found.map((p) => p.slug)).toEqual([a.slug, b.slug]);
    expect((await sut.searchProjects(`outils cartographie ${tag}`)).map((p) => p.slug)).toEqual([b.slug]);
    // Every word must match, in any order.
    expect((await sut.searchProjects(`${tag} OUTILS`)).map((p) => p.slug)).toEqual([b.slug]);
    expect(await sut.searchProjects(`outils ${tag} introuvable`)).toEqual([]);
    const all = await sut.searchProjects(tag);
    expect(all.map((p) => p.slug)).toEqual([a.slug, b.slug]);
    const policy = (await db.query(
      'SELECT directed_share_bps FROM policies ORDER BY version DESC LIMIT 1',
    )) as {
      directed_share_bps: number;
    }[];
    expect(all[0]).toMatchObject({
      status: 'admitted',
      currency: 'EUR',
      needs: [{ name: 'Développement', amount: 1200050n, currency: 'EUR', frequency: 'yearly' }],
    });
    // The directed share of 100.00 € under the current policy's basis points.
    expect(all[0].received).toBe((10000n * BigInt(policy[0].directed_share_bps)) / 10000n);
    expect(all[1]).toMatchObject({ received: 0n, needs: [] });
    expect(await sut.searchProjects('   ')).toEqual([]);
  });

  it('previews exactly the split the booking makes, for any amount, fee and weights', async () => {
    const projects = await Promise.all([1, 2, 3, 4].map((i) => project(`Preview ${i}`)));
    const booking = app.get(ContributionBookingService);
    await booking.prepareAccounts(
      'EUR',
      Accounts.stripe('EUR'),
      projects.map((p) => ({ projectId: p.id, weight: 1n })),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.bigInt({ min: 100n, max: 99_999_999n }),
        fc.integer({ min: 0, max: 1000 }),
        fc.option(fc.subarray([0, 1, 2, 3], { minLength: 1 }), { nil: null }),
        fc.array(fc.bigInt({ min: 1n, max: 100n }), { minLength: 4, maxLength: 4 }),
        async (amount, feePerMille, chosen, weights) => {
          const fee = (amount * BigInt(feePerMille)) / 1000n;
          const choice: GivingChoice = {
            amount,
            frequency: 'one_time',
            committee: chosen === null,
            projects: (chosen ?? []).map((i) => ({ slug: projects[i].slug, weight: weights[i] })),
          };
          const preview = await sut.preview(choice, fee);
          const directions: Direction[] = (chosen ?? []).map((i) => ({
            projectId: projects[i].id,
            weight: weights[i],
          }));
          const booked = await db.transaction((m) =>
            booking.book(m, {
              source: 'stripe',
              sourceRef: `stripe:pi:${uniqueId('pi')}`,
              contributorKind: 'donor',
              currency: 'EUR',
              gross: amount,
              processorFee: fee,
              cash: Accounts.stripe('EUR'),
              directions,
              occurredAt: new Date(),
            }),
          );
          expect(booked.created).toBe(true);
          expect(booked.policyVersion).toBe(preview.split.policyVersion);
          expect(booked.net).toBe(preview.split.net);
          expect(booked.parts).toEqual(splitParts(preview.split));
          // Each chosen project, in the donor's order (none when nothing is left to direct).
          expect(preview.directed.map((d) => d.project.slug)).toEqual(
            preview.split.directedShare > 0n ? (chosen ?? []).map((i) => projects[i].slug) : [],
          );
          const total =
            preview.split.operatingFee +
            preview.split.pool +
            preview.directed.reduce((s, d) => s + d.amount, 0n);
          expect(total).toBe(amount - fee);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('refuses a preview naming a project that cannot receive money', async () => {
    const archived = await project('Archived one', 'archived');
    await expect(
      sut.preview({
        amount: 1000n,
        frequency: 'one_time',
        committee: false,
        projects: [{ slug: archived.slug, weight: 1n }],
      }),
    ).rejects.toMatchObject({ code: PaymentsErrorCode.InvalidDonation, details: { field: 'p' } });
  });

  describe('checkout from a form', () => {
    const sessionsCreated = () =>
      fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/checkout/sessions').length;

    it('opens one Checkout Session per form, even when the form is sent twice at once', async () => {
      const p = await project('Once');
      const key = formKey();
      const command = {
        formKey: key,
        language: 'en' as const,
        choice: {
          amount: 2500n,
          frequency: 'one_time' as const,
          committee: false,
          projects: [{ slug: p.slug, weight: 1n }],
        },
        identity: { publicName: 'Ada', email: 'ada@example.org' },
        paths,
      };
      const before = sessionsCreated();
      const [first, second] = await Promise.all([
        sut.startCheckout(undefined, command),
        sut.startCheckout(undefined, command),
      ]);
      const third = await sut.startCheckout(undefined, command);
      expect(second).toEqual(first);
      expect(third).toEqual(first);
      expect(sessionsCreated()).toBe(before + 1);
      const sessionId = first.url.split('/').pop()!;
      const session = fake.get(sessionId);
      expect(session.success_url).toMatch(/\/give\/thanks\?session=\{CHECKOUT_SESSION_ID\}$/);
      expect(session.cancel_url).toMatch(new RegExp(`/give/cancelled/${first.checkoutId}$`));
      expect(session.amount_total).toBe(2500);

      await expect(
        sut.startCheckout(undefined, { ...command, choice: { ...command.choice, amount: 2600n } }),
      ).rejects.toEqual(expect.objectContaining({ code: PaymentsErrorCode.FormReused }));
      expect(sessionsCreated()).toBe(before + 1);
      const rows = (await db.query('SELECT count(*)::int AS n FROM giving_checkouts WHERE id = $1', [
        first.checkoutId,
      ])) as {
        n: number;
      }[];
      expect(rows[0].n).toBe(1);
    });

    it('writes nothing when Stripe refuses, so the same form can be sent again', async () => {
      const key = formKey();
      const command = {
        formKey: key,
        language: 'fr' as const,
        choice: { amount: 1000n, frequency: 'monthly' as const, committee: true, projects: [] },
        identity: { publicName: null, email: null },
        paths,
      };
      fake.failNext('POST', '/v1/checkout/sessions', 500, { type: 'api_error', message: 'down' });
      await expect(sut.startCheckout(undefined, command)).rejects.toBeInstanceOf(PaymentsError);
      const again = await sut.startCheckout(undefined, command);
      expect(fake.get(again.url.split('/').pop()!).mode).toBe('subscription');
    });

    it('shows the statement key once, to the browser that holds the form key; keeps the values for a cancel', async () => {
      const p = await project('Key');
      const key = formKey();
      const started = await sut.startCheckout(undefined, {
        formKey: key,
        language: 'fr',
        choice: {
          amount: 4200n,
          frequency: 'yearly',
          committee: false,
          projects: [{ slug: p.slug, weight: 3n }],
        },
        identity: { publicName: null, email: 'donor@example.org' },
        paths,
      });
      const sessionId = started.url.split('/').pop()!;
      const [{ sealed }] = (await db.query(
        'SELECT sealed_statement_key AS sealed FROM giving_checkouts WHERE id = $1',
        [started.checkoutId],
      )) as { sealed: Buffer }[];
      expect(sealed.toString('latin1')).not.toContain('lsk_');

      expect(await sut.keptForm(started.checkoutId, formKey())).toBeNull();
      expect(await sut.keptForm(started.checkoutId, key)).toEqual({
        language: 'fr',
        choice: {
          amount: 4200n,
          frequency: 'yearly',
          committee: false,
          projects: [{ slug: p.slug, weight: 3n }],
        },
        identity: { publicName: null, email: 'donor@example.org' },
      });

      const elsewhere = await sut.confirmation(sessionId, formKey());
      expect(elsewhere?.statementKey).toEqual({ state: 'elsewhere' });
      const shown = await sut.confirmation(sessionId, key);
      expect(shown).toMatchObject({ amount: 4200n, mode: 'yearly', publicName: null, booked: null });
      expect(shown?.statementKey.state).toBe('shown');
      const statementKey = (shown!.statementKey as { key: string }).key;
      expect(statementKey).toMatch(/^lsk_/);
      const [intent] = (await db.query(
        `SELECT encode(statement_key_hash, 'hex') AS h FROM donation_intents WHERE stripe_session_id = $1`,
        [sessionId],
      )) as { h: string }[];
      const { statementKeyHash } = await import('@app/contributions');
      expect(statementKeyHash(statementKey).toString('hex')).toBe(intent.h);
      // Mailed once, in the reveal's transaction, to the address the donor gave.
      expect(shown?.mailedTo).toBe('donor@example.org');
      const mail = await app
        .get(MailOutboxService)
        .byKey(`donation-statement-key:${shown!.donationIntentId}`);
      expect(mail).toMatchObject({ to: 'donor@example.org', lang: 'fr' });
      expect((await sut.confirmation(sessionId, key))?.statementKey).toEqual({ state: 'already_shown' });
      expect((await sut.confirmation(sessionId, formKey()))?.statementKey).toEqual({
        state: 'already_shown',
      });
      expect(await sut.confirmation('cs_test_unknown', key)).toBeNull();
    });
  });
});
