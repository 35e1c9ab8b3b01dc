import { randomUUID } from 'node:crypto';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { StatementLine, StatementsService } from '@app/contributions';
import { createTestApp, createUserWithToken, http, uniqueId } from './support/create-test-app';
import { randomSiret } from './support/random-siret';

type Auth = { Authorization: string };

/** Issue 15, "Smaller ones": each used to be possible. */
describe('smaller security findings', () => {
  let app: NestExpressApplication;
  let db: DataSource;
  let admin: Auth;
  let treasurer: Auth;

  beforeAll(async () => {
    app = await createTestApp();
    db = app.get(DataSource);
    admin = (await createUserWithToken(app, [{ role: 'admin' }])).auth;
    treasurer = (await createUserWithToken(app, [{ role: 'treasurer' }])).auth;
  });

  afterAll(async () => {
    await app.close();
  });

  async function project(): Promise<{ id: string; slug: string }> {
    const slug = uniqueId('p')
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .slice(0, 60);
    const [row] = (await db.query(
      `INSERT INTO projects (slug, name, repository_url, licence, openness_level) VALUES ($1, $1, 'https://example.org/r', 'MIT', 'A') RETURNING id::text`,
      [slug],
    )) as { id: string }[];
    return { id: row.id, slug };
  }

  async function organisationWithBuyer(name = 'Ville de Test'): Promise<{ id: string; buyer: Auth }> {
    const res = await http(app)
      .post('/organisations')
      .set(treasurer)
      .send({ siret: randomSiret(), name })
      .expect(201);
    const buyer = await createUserWithToken(app, [{ role: 'buyer', scopeId: res.body.id }]);
    return { id: res.body.id, buyer: buyer.auth };
  }

  it('ends the seat of a committee member whose role is revoked: they can no longer vote', async () => {
    const member = await createUserWithToken(app, []);
    await http(app)
      .post('/governance/members')
      .set(admin)
      .send({
        userId: member.userId,
        collegeId: 'scientific',
        termEnd: new Date(Date.now() + 86_400_000).toISOString(),
      })
      .expect(201);
    const motion = await http(app)
      .post('/governance/motions')
      .set(admin)
      .send({
        kind: 'ordinary',
        title: `Seat ${uniqueId()}`,
        closesAt: new Date(Date.now() + 3_600_000).toISOString(),
      })
      .expect(201);
    await http(app).post(`/governance/motions/${motion.body.id}/open`).set(admin).expect(200);
    await http(app)
      .post(`/users/${member.userId}/roles/revoke`)
      .set(admin)
      .send({ role: 'committee_member', scopeId: 'scientific' })
      .expect(200);
    const members = await http(app).get('/governance/members').set(admin).expect(200);
    expect(members.body.map((m: { userId: string }) => m.userId)).not.toContain(member.userId);
    const ballot = await http(app)
      .post(`/governance/motions/${motion.body.id}/ballots`)
      .set(member.auth)
      .send({ choice: 'for' });
    expect(ballot.status).toBe(403);
  });

  describe('tokens', () => {
    it('refuses a token minting tokens unless its user is an admin', async () => {
      const donor = await createUserWithToken(app, [{ role: 'donor' }]);
      const refused = await http(app)
        .post(`/users/${donor.userId}/tokens`)
        .set(donor.auth)
        .send({ name: 'more' });
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('identity.forbidden');
      const issued = await http(app)
        .post(`/users/${donor.userId}/tokens`)
        .set(admin)
        .send({ name: 'by an admin', days: 30 })
        .expect(201);
      expect(issued.body.token).toMatch(/\S{20,}/);
    });

    it('lists a user’s tokens without secrets, and revokes them all at once', async () => {
      const user = await createUserWithToken(app, [{ role: 'donor' }]);
      await http(app).post(`/users/${user.userId}/tokens`).set(admin).send({ name: 'second' }).expect(201);
      const list = await http(app).get(`/users/${user.userId}/tokens`).set(user.auth).expect(200);
      expect(list.body.map((t: { name: string }) => t.name).sort()).toEqual(['second', 'test']);
      expect(JSON.stringify(list.body)).not.toMatch(/token_hash|"token"/);
      const stranger = await createUserWithToken(app, [{ role: 'donor' }]);
      await http(app).get(`/users/${user.userId}/tokens`).set(stranger.auth).expect(403);
      await http(app).post(`/users/${user.userId}/tokens/revoke-all`).set(stranger.auth).expect(403);
      const all = await http(app).post(`/users/${user.userId}/tokens/revoke-all`).set(user.auth).expect(200);
      expect(all.body).toEqual({ revoked: 2 });
      await http(app).get('/me').set(user.auth).expect(401);
      const after = await http(app).get(`/users/${user.userId}/tokens`).set(admin).expect(200);
      expect(after.body.every((t: { revokedAt: string | null }) => t.revokedAt !== null)).toBe(true);
    });
  });

  it('refuses a declaration that uses another organisation’s SBOM analysis (403), without its directions', async () => {
    const mine = await organisationWithBuyer();
    const theirs = await organisationWithBuyer();
    const secret = await project();
    const [analysis] = (await db.query(
      `INSERT INTO sbom_analyses (organisation_id, format, spec_version, bytes, policy_version, rule, direct_weight, transitive_weight, components,
         components_without_purl, packages_total, packages_matched, weight_total, weight_matched, directions)
       VALUES ($1, 'CycloneDX', '1.6', 100, 1, 'test', 3, 1, 1, 0, 1, 1, 3, 3, $2) RETURNING id::text`,
      [theirs.id, JSON.stringify([{ projectId: secret.id, weight: 3 }])],
    )) as { id: string }[];
    const res = await http(app)
      .post(`/organisations/${mine.id}/declarations`)
      .set(mine.buyer)
      .send({ projectTitle: 'X', budgetExclVat: '1000', fiscalYear: 2026, sbomAnalysisId: analysis.id });
    expect(res.status).toBe(403);
    expect(res.text).not.toContain(secret.id);
    const list = await http(app).get(`/organisations/${mine.id}/obligations`).set(mine.buyer).expect(200);
    expect(list.body).toEqual([]);
    await http(app)
      .post(`/organisations/${theirs.id}/declarations`)
      .set(theirs.buyer)
      .send({ projectTitle: 'X', budgetExclVat: '1000', fiscalYear: 2026, sbomAnalysisId: analysis.id })
      .expect(201);
  });

  it('neutralises formulas in every CSV export: statements and open data', async () => {
    const formula = '=HYPERLINK("http://evil.example","x")';
    const org = await organisationWithBuyer(`@SUM(1+1) ${uniqueId()}`);
    const declared = await http(app)
      .post(`/organisations/${org.id}/declarations`)
      .set(org.buyer)
      .send({ projectTitle: 'X', budgetExclVat: '100000', fiscalYear: 2026 })
      .expect(201);
    const reference = `${formula}${randomUUID()}`;
    await http(app)
      .post(`/obligations/${declared.body.id}/receipts`)
      .set(treasurer)
      .send({ bankReference: reference, amount: '100', valueDate: '2026-02-02' })
      .expect(201);
    const statement = await http(app)
      .get(`/organisations/${org.id}/statements/2026?format=csv`)
      .set(org.buyer)
      .expect(200);
    for (const cell of statement.text.split(/[\n,]/)) expect(cell).not.toMatch(/^"?[=+@\t\r]/);
    // Every text cell of a statement goes through the helper, whatever its column holds.
    const line: StatementLine = {
      contributionId: '=1+1',
      occurredAt: new Date('2026-02-02T00:00:00Z'),
      source: '@cmd',
      reference: formula,
      currency: '+EUR',
      gross: 100n,
      processorFee: 0n,
      net: 100n,
      operatingFee: 0n,
      pool: 50n,
      directedShare: 50n,
      directed: [{ projectId: '-2+3', amount: '50' }],
      reversed: -5n,
      policyVersion: 1,
      ledgerEntryId: '\t1',
    };
    const csv = app.get(StatementsService).toCsv({
      contributor: { kind: 'organisation', id: org.id, name: null },
      year: 2026,
      currency: 'EUR',
      totals: {
        gross: 100n,
        processorFee: 0n,
        net: 100n,
        reversed: 0n,
        operatingFee: 0n,
        pool: 50n,
        directedShare: 50n,
      },
      lines: [line],
    });
    const row = csv.trim().split('\n')[1];
    expect(row).toContain(`"'=HYPERLINK(`);
    expect(row).toContain(`'=1+1,`);
    expect(row).toContain(`,'@cmd,`);
    expect(row).toContain(`,'+EUR,`);
    expect(row).toContain(`,-0.05,`);
    expect(row).toContain(`'-2+3,`);
    const openData = await http(app).get('/open-data/postings.csv').expect(200);
    const rows = openData.text.split('\n');
    expect(rows.some((r) => r.includes("'@SUM(1+1)"))).toBe(true);
    for (const row of rows) expect(row).not.toMatch(/(^|,)"?[=+@\t\r]/);
  });

  it('answers /projects/<slug> with Vary: Accept, as HTML or JSON', async () => {
    const { slug } = await project();
    const json = await http(app).get(`/projects/${slug}`).set('Accept', 'application/json');
    expect(json.headers.vary ?? '').toMatch(/Accept/i);
    const html = await http(app).get(`/projects/${slug}`).set('Accept', 'text/html');
    expect(html.headers.vary ?? '').toMatch(/Accept/i);
  });

  it('answers an impossible date on the ledger page and API with 400, not 500', async () => {
    for (const url of [
      '/ledger?from=2026-13-45',
      '/ledger?to=2026-00-10',
      '/public/entries?from=2026-13-45',
    ]) {
      const res = await http(app).get(url).set('Accept', 'text/html');
      expect({ url, status: res.status }).toEqual({ url, status: 400 });
    }
  });
});
