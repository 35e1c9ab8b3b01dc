import { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { createTestApp, createUserWithToken, http, uniqueId } from './support/create-test-app';

type Auth = { Authorization: string };

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

/** The public read side over a real levy: a public body named, its money followed to the projects it directed. */
describe('public views of a real levy', () => {
  let app: NestExpressApplication;
  let db: DataSource;
  let treasurer: Auth;

  beforeAll(async () => {
    app = await createTestApp();
    db = app.get(DataSource);
    treasurer = (await createUserWithToken(app, [{ role: 'treasurer' }])).auth;
  });

  afterAll(async () => {
    await app.close();
  });

  it('names the public body on the project page and in its contributor view; the entry is a leaf', async () => {
    const slug = uniqueId('p')
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .slice(0, 60);
    const [{ id: projectId }] = (await db.query(
      `INSERT INTO projects (slug, name, repository_url, licence, openness_level) VALUES ($1, 'Projet Test', 'https://example.org/r', 'MIT', 'A') RETURNING id::text`,
      [slug],
    )) as { id: string }[];
    const orgName = `Ville de ${uniqueId('v')}`;
    const org = await http(app)
      .post('/organisations')
      .set(treasurer)
      .send({ siret: randomSiret(), name: orgName })
      .expect(201);
    const buyer = (await createUserWithToken(app, [{ role: 'buyer', scopeId: org.body.id }])).auth;
    const declared = await http(app)
      .post(`/organisations/${org.body.id}/declarations`)
      .set(buyer)
      .send({
        projectTitle: 'SI',
        budgetExclVat: '500000',
        fiscalYear: 2026,
        directions: [{ projectId, weight: 1 }],
      })
      .expect(201);
    const receipt = await http(app)
      .post(`/obligations/${declared.body.id}/receipts`)
      .set(treasurer)
      .send({ bankReference: uniqueId('VIR'), amount: '10000', valueDate: '2026-02-01' })
      .expect(201);
    const entryId = receipt.body.ledgerEntryId as string;

    const project = (await http(app).get(`/public/projects/${slug}`).expect(200)).body;
    expect(project).toMatchObject({ id: projectId, slug, name: 'Projet Test' });
    expect(BigInt(project.receivedDirected)).toBeGreaterThan(0n);
    expect(project.fromWhom).toEqual([
      {
        contributor: { kind: 'public_body', id: org.body.id, name: orgName },
        amount: project.receivedDirected,
      },
    ]);
    expect(project.entries.map((e: { id: string }) => e.id)).toContain(entryId);

    const contributor = (await http(app).get(`/public/contributors/${org.body.id}`).expect(200)).body;
    expect(contributor).toMatchObject({
      contributor: { kind: 'public_body', name: orgName },
      given: '10000',
    });

    const page = await http(app).get(`/public/entries?contributor=${org.body.id}`).expect(200);
    expect(page.body.items.map((e: { id: string }) => e.id)).toEqual([entryId]);
    expect(page.body.items[0].logIndex).toEqual(expect.any(Number));

    const flows = (await http(app).get('/public/flows').expect(200)).body as {
      links: { source: string; target: string; amount: string }[];
    };
    expect(
      flows.links.some(
        (l) => l.source === 'public_bodies' && l.target === 'directed' && BigInt(l.amount) >= 5000n,
      ),
    ).toBe(true);

    const html = await http(app).get(`/projects/${slug}`).set('Accept', 'text/html').expect(200);
    expect(html.text).toContain(orgName);
    // other clients get the projects API on the same path
    const api = await http(app).get(`/projects/${slug}`).set('Accept', 'application/json');
    expect(api.headers['content-type']).not.toMatch(/text\/html/);
  });
});
