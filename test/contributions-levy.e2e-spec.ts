import { randomUUID } from 'node:crypto';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { LedgerService } from '@app/ledger';
import { levy } from '@app/money';
import { createTestApp, createUserWithToken, http, uniqueId } from './support/create-test-app';

type Auth = { Authorization: string };

/** A valid SIRET that no other test uses: random 8 digits + Luhn check for the SIREN, then a NIC with its check. */
function randomSiret(): string {
  const luhnDigit = (body: string): string => {
    for (let d = 0; d <= 9; d++) {
      const digits = body + d;
      let sum = 0;
      for (let i = 0; i < digits.length; i++) {
        let x = Number(digits[digits.length - 1 - i]);
        if (i % 2 === 1) x = x * 2 > 9 ? x * 2 - 9 : x * 2;
        sum += x;
      }
      if (sum % 10 === 0) return String(d);
    }
    throw new Error('unreachable');
  };
  let head =
    String(1 + Math.floor(Math.random() * 8)) + String(Math.floor(Math.random() * 1e7)).padStart(7, '0');
  if (head.startsWith('356')) head = '1' + head.slice(1);
  const siren = head + luhnDigit(head);
  const nicBody = siren + String(Math.floor(Math.random() * 1e4)).padStart(4, '0');
  return nicBody + luhnDigit(nicBody);
}

describe('public levies over HTTP', () => {
  let app: NestExpressApplication;
  let ledger: LedgerService;
  let db: DataSource;
  let admin: Auth;
  let treasurer: Auth;

  beforeAll(async () => {
    app = await createTestApp();
    ledger = app.get(LedgerService);
    db = app.get(DataSource);
    admin = (await createUserWithToken(app, [{ role: 'admin' }])).auth;
    treasurer = (await createUserWithToken(app, [{ role: 'treasurer' }])).auth;
  });

  afterAll(async () => {
    await app.close();
  });

  async function project(): Promise<string> {
    const slug = uniqueId('p')
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .slice(0, 60);
    const [row] = (await db.query(
      `INSERT INTO projects (slug, name, repository_url, licence, openness_level) VALUES ($1, $1, 'https://example.org/r', 'MIT', 'A') RETURNING id::text`,
      [slug],
    )) as { id: string }[];
    return row.id;
  }

  async function organisationWithBuyer(): Promise<{ id: string; buyer: Auth }> {
    const res = await http(app)
      .post('/organisations')
      .set(treasurer)
      .send({ siret: randomSiret(), name: 'Ville de Test' })
      .expect(201);
    const buyer = await createUserWithToken(app, [{ role: 'buyer', scopeId: res.body.id }]);
    return { id: res.body.id, buyer: buyer.auth };
  }

  describe('organisations', () => {
    it('refuses an invalid SIRET with 422 naming the field, and a duplicate with 409', async () => {
      const bad = await http(app)
        .post('/organisations')
        .set(treasurer)
        .send({ siret: '73282932000079', name: 'X' })
        .expect(422);
      expect(bad.body).toMatchObject({ code: 'contributions.invalid_siret', field: 'siret' });
      const siret = randomSiret();
      const spaced = `${siret.slice(0, 3)} ${siret.slice(3, 6)} ${siret.slice(6, 9)} ${siret.slice(9)}`;
      const ok = await http(app)
        .post('/organisations')
        .set(treasurer)
        .send({ siret: spaced, name: 'Mairie' })
        .expect(201);
      expect(ok.body).toMatchObject({ siret, siren: siret.slice(0, 9) });
      await http(app).post('/organisations').set(treasurer).send({ siret, name: 'Again' }).expect(409);
    });

    it('lets an admin make a user a buyer of an organisation', async () => {
      const org = await http(app)
        .post('/organisations')
        .set(treasurer)
        .send({ siret: randomSiret(), name: 'CHU' })
        .expect(201);
      const user = await createUserWithToken(app, []);
      await http(app)
        .post(`/organisations/${org.body.id}/buyers`)
        .set(treasurer)
        .send({ userId: user.userId })
        .expect(403);
      await http(app)
        .post(`/organisations/${org.body.id}/buyers`)
        .set(admin)
        .send({ userId: user.userId })
        .expect(201);
      await http(app).get(`/organisations/${org.body.id}`).set(user.auth).expect(200);
    });
  });

  describe('declarations', () => {
    it('turns a declaration into an obligation under the current policy, due after the payment days of the policy', async () => {
      const org = await organisationWithBuyer();
      const p = await project();
      const res = await http(app)
        .post(`/organisations/${org.id}/declarations`)
        .set(org.buyer)
        .send({
          projectTitle: 'Portail',
          budgetExclVat: '123456789',
          fiscalYear: 2026,
          legalCommitment: '1300012345',
          directions: [{ projectId: p, weight: 2 }],
        })
        .expect(201);
      expect(res.body).toMatchObject({
        amountDue: levy(123456789n, 200).toString(),
        amountPaid: '0',
        status: 'due',
        levyRateBps: 200,
        policyVersion: 1,
        legalCommitment: '1300012345',
        directions: [{ projectId: p, weight: '2' }],
      });
      const list = await http(app).get(`/organisations/${org.id}/obligations`).set(org.buyer).expect(200);
      expect(list.body.map((o: { id: string }) => o.id)).toEqual([res.body.id]);
    });

    it.each([
      ['a zero budget', { budgetExclVat: '0' }, 'budgetExclVat'],
      ['a negative budget', { budgetExclVat: '-5' }, 'budgetExclVat'],
      ['an absurd budget', { budgetExclVat: '100000000000000' }, 'budgetExclVat'],
      ['a budget as a JSON number', { budgetExclVat: 1000 }, 'budgetExclVat'],
      ['an unknown fiscal year', { fiscalYear: 1999 }, 'fiscalYear'],
      ['a weight of zero', { directions: [{ projectId: randomUUID(), weight: 0 }] }, 'directions[0].weight'],
      [
        'a negative weight',
        { directions: [{ projectId: randomUUID(), weight: -1 }] },
        'directions[0].weight',
      ],
      [
        'a project that is not registered',
        { directions: [{ projectId: randomUUID(), weight: 1 }] },
        'directions[0].projectId',
      ],
      [
        'more than 200 directions',
        { directions: Array.from({ length: 201 }, () => ({ projectId: randomUUID(), weight: 1 })) },
        'directions',
      ],
    ])('refuses %s with 422 naming the field', async (_name, patch, field) => {
      const org = await organisationWithBuyer();
      const body = { projectTitle: 'X', budgetExclVat: '1000', fiscalYear: 2026, ...patch };
      const res = await http(app)
        .post(`/organisations/${org.id}/declarations`)
        .set(org.buyer)
        .send(body)
        .expect(422);
      expect(res.body.field).toBe(field);
      const list = await http(app).get(`/organisations/${org.id}/obligations`).set(org.buyer).expect(200);
      expect(list.body).toEqual([]);
    });

    it('accepts a proposed project (the money waits in its account) and refuses a suspended one', async () => {
      const org = await organisationWithBuyer();
      const proposed = await project();
      const suspended = await project();
      await db.query(`UPDATE projects SET status = 'suspended' WHERE id = $1`, [suspended]);
      const body = (projectId: string) => ({
        projectTitle: 'X',
        budgetExclVat: '1000',
        fiscalYear: 2026,
        directions: [{ projectId, weight: 1 }],
      });
      await http(app)
        .post(`/organisations/${org.id}/declarations`)
        .set(org.buyer)
        .send(body(proposed))
        .expect(201);
      const refused = await http(app)
        .post(`/organisations/${org.id}/declarations`)
        .set(org.buyer)
        .send(body(suspended))
        .expect(422);
      expect(refused.body).toMatchObject({
        code: 'contributions.unknown_project',
        field: 'directions[0].projectId',
      });
    });

    it('takes the direction suggested by an SBOM analysis, or refuses one that does not exist', async () => {
      const org = await organisationWithBuyer();
      const [p1, p2] = [await project(), await project()];
      const [analysis] = await db.query(
        `INSERT INTO sbom_analyses (format, spec_version, bytes, policy_version, rule, direct_weight, transitive_weight, components,
           components_without_purl, packages_total, packages_matched, weight_total, weight_matched, directions)
         VALUES ('CycloneDX', '1.6', 100, 1, 'test', 3, 1, 2, 0, 2, 2, 4, 4, $1) RETURNING id::text`,
        [
          JSON.stringify([
            { projectId: p1, weight: 3 },
            { projectId: p2, weight: 1 },
          ]),
        ],
      );
      const body = { projectTitle: 'X', budgetExclVat: '1000', fiscalYear: 2026 };
      const ok = await http(app)
        .post(`/organisations/${org.id}/declarations`)
        .set(org.buyer)
        .send({ ...body, sbomAnalysisId: analysis.id })
        .expect(201);
      expect(ok.body.sbomAnalysisId).toBe(analysis.id);
      expect(ok.body.directions).toEqual([
        { projectId: p1, weight: '3' },
        { projectId: p2, weight: '1' },
      ]);
      const both = await http(app)
        .post(`/organisations/${org.id}/declarations`)
        .set(org.buyer)
        .send({ ...body, sbomAnalysisId: analysis.id, directions: [{ projectId: p1, weight: 1 }] })
        .expect(422);
      expect(both.body.field).toBe('sbomAnalysisId');
      const missing = await http(app)
        .post(`/organisations/${org.id}/declarations`)
        .set(org.buyer)
        .send({ ...body, sbomAnalysisId: randomUUID() })
        .expect(422);
      expect(missing.body.field).toBe('sbomAnalysisId');
    });

    it('refuses a buyer acting for another organisation with 403', async () => {
      const mine = await organisationWithBuyer();
      const other = await organisationWithBuyer();
      const body = { projectTitle: 'X', budgetExclVat: '1000', fiscalYear: 2026 };
      await http(app).post(`/organisations/${other.id}/declarations`).set(mine.buyer).send(body).expect(403);
      await http(app).get(`/organisations/${other.id}/obligations`).set(mine.buyer).expect(403);
    });

    it('imports a CSV whole, or refuses it whole with errors per row and column', async () => {
      const org = await organisationWithBuyer();
      const p = await project();
      const good = `project_title,budget_excl_vat_cents,fiscal_year,directions\nA,100000,2026,${p}:1\nB,250000,2025,\n`;
      const ok = await http(app)
        .post(`/organisations/${org.id}/declarations/import`)
        .set(org.buyer)
        .set('content-type', 'text/csv')
        .send(good)
        .expect(201);
      expect(ok.body.declarations.map((d: { amountDue: string }) => d.amountDue)).toEqual(['2000', '5000']);
      const bad = `project_title,budget_excl_vat_cents,fiscal_year,directions\nC,100000,2026,\nD,0,2026,\nE,100,2026,${randomUUID()}:1\n`;
      const refused = await http(app)
        .post(`/organisations/${org.id}/declarations/import`)
        .set(org.buyer)
        .set('content-type', 'text/csv')
        .send(bad)
        .expect(422);
      expect(refused.body.code).toBe('contributions.invalid_csv');
      expect(refused.body.errors).toEqual([
        expect.objectContaining({ row: 2, field: 'budget_excl_vat_cents' }),
      ]);
      const unknownProject = `project_title,budget_excl_vat_cents,fiscal_year,directions\nE,100,2026,${randomUUID()}:1\n`;
      const refused2 = await http(app)
        .post(`/organisations/${org.id}/declarations/import`)
        .set(org.buyer)
        .set('content-type', 'text/csv')
        .send(unknownProject)
        .expect(422);
      expect(refused2.body.errors).toEqual([expect.objectContaining({ row: 1, field: 'directions' })]);
      const list = await http(app).get(`/organisations/${org.id}/obligations`).set(org.buyer).expect(200);
      expect(list.body).toHaveLength(2);
    });
  });

  describe('bank receipts', () => {
    async function declared(budget: string, directions: { projectId: string; weight: number }[] = []) {
      const org = await organisationWithBuyer();
      const res = await http(app)
        .post(`/organisations/${org.id}/declarations`)
        .set(org.buyer)
        .send({ projectTitle: 'SI', budgetExclVat: budget, fiscalYear: 2026, directions })
        .expect(201);
      return { org, obligation: res.body as { id: string; amountDue: string } };
    }

    it('refuses the same bank reference sent at once against two obligations: one booked, one 409', async () => {
      const a = await declared('100000');
      const b = await declared('100000');
      const ref = uniqueId('VIR');
      const results = await Promise.all(
        [a, b].map(({ obligation }) =>
          http(app)
            .post(`/obligations/${obligation.id}/receipts`)
            .set(treasurer)
            .send({ bankReference: ref, amount: '500', valueDate: '2026-01-05' }),
        ),
      );
      expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
      expect(results.find((r) => r.status === 409)!.body.code).toBe('contributions.bank_reference_used');
      const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM contributions WHERE source_ref = $1`, [
        `receipt:${ref}`,
      ]);
      expect(n).toBe(1);
    });

    it('replays a receipt sent twice with the same Idempotency-Key: one booking, the same answer', async () => {
      const { obligation } = await declared('100000');
      const key = uniqueId('idem');
      const body = { bankReference: uniqueId('VIR'), amount: '700', valueDate: '2026-01-05' };
      const first = await http(app)
        .post(`/obligations/${obligation.id}/receipts`)
        .set(treasurer)
        .set('idempotency-key', key)
        .send(body)
        .expect(201);
      const again = await http(app)
        .post(`/obligations/${obligation.id}/receipts`)
        .set(treasurer)
        .set('idempotency-key', key)
        .send(body)
        .expect(201);
      expect(again.body).toEqual(first.body);
      const [{ n }] = await db.query(
        'SELECT count(*)::int AS n FROM bank_receipts WHERE declaration_id = $1',
        [obligation.id],
      );
      expect(n).toBe(1);
      // The treasurer's act is audited once, naming the receipt, with the request that made it.
      const audit = await db.query(
        `SELECT actor_kind, details, request_id FROM audit_events
          WHERE action = 'receipt.recorded' AND target_type = 'declaration' AND target_id = $1`,
        [obligation.id],
      );
      expect(audit).toEqual([
        {
          actor_kind: 'user',
          details: { receiptId: (first.body as { id: string }).id, bankReference: body.bankReference },
          request_id: expect.any(String),
        },
      ]);
    });

    it('shows an obligation past its due date as overdue until it is paid', async () => {
      const { org, obligation } = await declared('100000');
      await db.query(`UPDATE levy_declarations SET due_date = current_date - 1 WHERE id = $1`, [
        obligation.id,
      ]);
      const before = await http(app).get(`/obligations/${obligation.id}`).set(org.buyer).expect(200);
      expect(before.body.status).toBe('overdue');
      await http(app)
        .post(`/obligations/${obligation.id}/receipts`)
        .set(treasurer)
        .send({ bankReference: uniqueId('VIR'), amount: '1000', valueDate: '2026-01-05' })
        .expect(201);
      expect(
        (await http(app).get(`/obligations/${obligation.id}`).set(org.buyer).expect(200)).body.status,
      ).toBe('overdue');
      await http(app)
        .post(`/obligations/${obligation.id}/receipts`)
        .set(treasurer)
        .send({ bankReference: uniqueId('VIR'), amount: '1000', valueDate: '2026-01-06' })
        .expect(201);
      expect(
        (await http(app).get(`/obligations/${obligation.id}`).set(org.buyer).expect(200)).body.status,
      ).toBe('paid');
    });

    it('never lets concurrent receipts overpay: each is booked whole or refused whole', async () => {
      const p = await project();
      const { obligation } = await declared('500000', [{ projectId: p, weight: 1 }]); // due 10000
      const bank = 'asset:bank:eur';
      const results = await Promise.all(
        Array.from({ length: 6 }, () =>
          http(app)
            .post(`/obligations/${obligation.id}/receipts`)
            .set(treasurer)
            .send({ bankReference: uniqueId('VIR'), amount: '3000', valueDate: '2026-02-01' }),
        ),
      );
      expect(results.filter((r) => r.status === 201)).toHaveLength(3);
      expect(
        results.filter((r) => r.status === 409).every((r) => r.body.code === 'contributions.overpayment'),
      ).toBe(true);
      const [row] = await db.query(
        `SELECT d.amount_paid::text AS paid, (SELECT coalesce(sum(amount), 0)::text FROM bank_receipts WHERE declaration_id = d.id) AS receipts,
                (SELECT count(*)::int FROM contributions WHERE declaration_id = d.id) AS contributions
           FROM levy_declarations d WHERE d.id = $1`,
        [obligation.id],
      );
      expect(row).toEqual({ paid: '9000', receipts: '9000', contributions: 3 });
      expect((await ledger.balance(`liability:project:${p}:directed:eur`)).balance).toBe(4500n);
      expect((await ledger.balance(bank)).balance > 0n).toBe(true);
    });

    it('books partial receipts in one entry each, refuses reuse and overpayment (409, nothing booked), and states the year', async () => {
      const org = await organisationWithBuyer();
      const [p1, p2] = [await project(), await project()];
      const declared = await http(app)
        .post(`/organisations/${org.id}/declarations`)
        .set(org.buyer)
        .send({
          projectTitle: 'SI',
          budgetExclVat: '500000',
          fiscalYear: 2026,
          directions: [
            { projectId: p1, weight: 1 },
            { projectId: p2, weight: 2 },
          ],
        })
        .expect(201);
      expect(declared.body.amountDue).toBe('10000');
      const ref = uniqueId('VIR');
      const first = await http(app)
        .post(`/obligations/${declared.body.id}/receipts`)
        .set(treasurer)
        .send({ bankReference: ref, amount: '3001', valueDate: '2026-02-01' })
        .expect(201);
      expect(first.body.obligation).toMatchObject({
        amountPaid: '3001',
        outstanding: '6999',
        status: 'partly_paid',
      });
      expect(first.body.policyVersion).toBe(1);
      const entry = await ledger.getEntry(first.body.ledgerEntryId);
      expect(entry.kind).toBe('contribution.levy');
      expect(entry.policyVersion).toBe(1);
      const byAccount = Object.fromEntries(
        entry.postings.map((p) => [p.account, `${p.direction}:${p.amount}`]),
      );
      // 50 % pool, 50 % directed over weights 1:2 (1500 → 500 / 1000, the leftover cent to the larger remainder).
      expect(byAccount).toEqual({
        'asset:bank:eur': 'debit:3001',
        'liability:pool:eur': 'credit:1500',
        [`liability:project:${p1}:directed:eur`]: 'credit:500',
        [`liability:project:${p2}:directed:eur`]: 'credit:1001',
      });

      const before = await ledger.balance('asset:bank:eur');
      const reused = await http(app)
        .post(`/obligations/${declared.body.id}/receipts`)
        .set(treasurer)
        .send({ bankReference: ref, amount: '1', valueDate: '2026-02-02' })
        .expect(409);
      expect(reused.body.code).toBe('contributions.bank_reference_used');
      const over = await http(app)
        .post(`/obligations/${declared.body.id}/receipts`)
        .set(treasurer)
        .send({ bankReference: uniqueId('VIR'), amount: '7000', valueDate: '2026-02-02' })
        .expect(409);
      expect(over.body.code).toBe('contributions.overpayment');
      expect((await ledger.balance('asset:bank:eur')).balance).toBe(before.balance);
      await http(app)
        .post(`/obligations/${declared.body.id}/receipts`)
        .set(org.buyer)
        .send({ bankReference: uniqueId('VIR'), amount: '1', valueDate: '2026-02-02' })
        .expect(403);
      await http(app)
        .post(`/obligations/${declared.body.id}/receipts`)
        .set(treasurer)
        .send({ bankReference: uniqueId('VIR'), amount: '0', valueDate: '2026-02-02' })
        .expect(422);

      const last = await http(app)
        .post(`/obligations/${declared.body.id}/receipts`)
        .set(treasurer)
        .send({ bankReference: uniqueId('VIR'), amount: '6999', valueDate: '2026-03-01' })
        .expect(201);
      expect(last.body.obligation).toMatchObject({ amountPaid: '10000', outstanding: '0', status: 'paid' });

      const statement = await http(app)
        .get(`/organisations/${org.id}/statements/2026`)
        .set(org.buyer)
        .expect(200);
      // Each receipt is split on its own: 3001 → 1501 / 1500 and 6999 → 3500 / 3499 (ties go to 'directed').
      expect(statement.body.totals).toMatchObject({
        gross: '10000',
        net: '10000',
        pool: '4999',
        directedShare: '5001',
      });
      expect(statement.body.lines).toHaveLength(2);
      expect(statement.body.lines[0]).toMatchObject({
        policyVersion: 1,
        directed: [
          { projectId: p1, amount: '500' },
          { projectId: p2, amount: '1001' },
        ],
      });
      const csv = await http(app)
        .get(`/organisations/${org.id}/statements/2026?format=csv`)
        .set(org.buyer)
        .expect(200);
      expect(csv.headers['content-type']).toMatch(/text\/csv/);
      const lines = csv.text.trim().split('\n');
      expect(lines[0]).toBe(
        'year,contribution_id,occurred_at,source,reference,currency,gross,processor_fee,net,operating_fee,pool,directed_share,reversed,policy_version,ledger_entry_id,directed_project_id,directed_amount',
      );
      expect(lines).toHaveLength(1 + 4);
      expect(lines[1]).toContain(',30.01,0.00,30.01,0.00,15.00,15.01,0.00,1,');
      const empty = await http(app)
        .get(`/organisations/${org.id}/statements/2025`)
        .set(org.buyer)
        .expect(200);
      expect(empty.body.lines).toEqual([]);
    });
  });
});
