import { adminQuery, randomSuffix, withDatabase } from '@app/testing';
import { LogVerifier } from '@app/transparency';
import { DEMO_DONATIONS, DEMO_PROJECTS } from '../apps/launcher/src/demo/demo-data';
import { DemoRun, runDemo } from '../apps/launcher/src/demo/run-demo';

/**
 * `npm run demo` on a database of its own (a fresh copy of the migrated template), checked from
 * outside through the public API only: every kind of entry, the projects, a balanced trial
 * balance, the log's checkpoint and proofs, and the verifier over the whole fund.
 */
describe('npm run demo', () => {
  const admin = process.env.TEST_PG_ADMIN_URL as string;
  const database = `${process.env.TEST_DATABASE_PREFIX}_demo_${randomSuffix()}`;
  const previousUrl = process.env.DATABASE_URL;
  const previousPrefix = process.env.QUEUE_PREFIX ?? 'librery';
  const lines: string[] = [];
  let demo: DemoRun;

  async function get<T>(path: string, accept = '*/*'): Promise<T> {
    const res = await fetch(demo.baseUrl + path, { headers: { accept } });
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
    return (res.headers.get('content-type') ?? '').includes('json')
      ? ((await res.json()) as T)
      : ((await res.text()) as T);
  }

  beforeAll(async () => {
    await adminQuery(admin, `CREATE DATABASE ${database} TEMPLATE ${process.env.TEST_DATABASE_PREFIX}`);
    process.env.DATABASE_URL = withDatabase(admin, database);
    // Queue keys of its own: no job of another suite's database reaches the demo's worker, nor the reverse.
    process.env.QUEUE_PREFIX = `${previousPrefix}-demo-${randomSuffix()}`;
    demo = await runDemo({ roundSeconds: 3, log: (line) => lines.push(line) });
  }, 120_000);

  afterAll(async () => {
    await demo?.close();
    process.env.DATABASE_URL = previousUrl;
    process.env.QUEUE_PREFIX = previousPrefix;
    await adminQuery(admin, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  });

  it('books an entry of each kind: levy receipts, donations, round allocations, disbursements', async () => {
    expect(demo.filled).toBe(true);
    const kinds = new Map<string, number>();
    let after: string | null = null;
    do {
      const page: { items: { kind: string }[]; nextCursor: string | null } = await get(
        `/public/entries?limit=500${after ? `&after=${after}` : ''}`,
      );
      for (const e of page.items) kinds.set(e.kind, (kinds.get(e.kind) ?? 0) + 1);
      after = page.nextCursor;
    } while (after);
    // 7 receipts on 6 obligations (one unpaid); 8 donors (one of them erased afterwards), 9 payments
    // (a monthly gift renews once) and one partial refund; one round opened and tallied; one disbursement run moving 7 projects
    // to payable (admitted with verified payout details; the others are carried over), each payout
    // reserved then confirmed by the bank.
    expect(Object.fromEntries(kinds)).toEqual({
      'contribution.levy': 7,
      'contribution.donation': 9,
      'contribution.refund': 1,
      'governance.round-open': 1,
      'governance.round-tally': 1,
      'disbursement.payable': 1,
      'disbursement.payout': 7,
      'disbursement.payout.posted': 7,
    });
    expect(lines.join('\n')).toMatch(/demo fund filled/);
  });

  it('lists the projects in the public catalogue and on the overview page', async () => {
    const listed = await get<{ items?: { slug: string }[] } | { slug: string }[]>('/projects?limit=200');
    const slugs = (Array.isArray(listed) ? listed : (listed.items ?? [])).map((p) => p.slug);
    for (const p of DEMO_PROJECTS) expect(slugs).toContain(p.slug);
    const overview = await get<string>('/', 'text/html');
    for (const p of DEMO_PROJECTS.filter((x) => x.admitted)) expect(overview).toContain(p.slug);
    const postgres = await get<string>('/projects/postgresql', 'text/html');
    expect(postgres).toContain('PostgreSQL');
    expect(postgres).toContain('Direction interministérielle du numérique');
  });

  it('keeps a balanced trial balance, with money paid out of the payables', async () => {
    const accounts = await get<
      {
        account: string;
        debitsPosted: string;
        creditsPosted: string;
        debitsPending: string;
        creditsPending: string;
      }[]
    >('/public/accounts');
    const sum = (field: 'debitsPosted' | 'creditsPosted' | 'debitsPending' | 'creditsPending') =>
      accounts.reduce((s, a) => s + BigInt(a[field]), 0n);
    expect(sum('debitsPosted')).toBe(sum('creditsPosted'));
    expect(sum('debitsPending')).toBe(sum('creditsPending'));
    const paidOut = accounts
      .filter((a) => a.account.startsWith('liability:payable:'))
      .reduce((s, a) => s + BigInt(a.debitsPosted), 0n);
    expect(paidOut > 0n).toBe(true);
  });

  it('answers the checkpoint and proof endpoints, and the verifier accepts the whole fund', async () => {
    const checkpoint = await get<string>('/log/checkpoint');
    const size = Number(checkpoint.split('\n')[1]);
    expect(size).toBe(demo.treeSize);
    expect(size).toBeGreaterThan(20);
    expect((await get<string>('/log/key')).trim()).toBe(demo.verifierKey);
    const inclusion = await get<{ proof: string[]; root: string }>(
      `/log/proof/inclusion?index=${size - 1}&size=${size}`,
    );
    expect(inclusion.proof.length).toBeGreaterThan(0);
    const consistency = await get<{ proof: string[] }>(`/log/proof/consistency?size1=1&size2=${size}`);
    expect(consistency.proof.length).toBeGreaterThan(0);
    const report = await new LogVerifier({ baseUrl: demo.baseUrl, verifierKey: demo.verifierKey }).run();
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('has a donor who was erased: the gift is in the verified log, the name nowhere public', async () => {
    const erased = DEMO_DONATIONS.find((d) => d.erase)!;
    expect(erased.publicName).toBeDefined();
    const entries = JSON.stringify(
      await get<unknown>('/public/entries?kind=contribution.donation&limit=200'),
    );
    expect(entries).toContain('"gross":"3000"');
    expect(entries).not.toContain(erased.publicName);
    const page = await get<string>('/ledger?kind=contribution.donation', 'text/html');
    expect(page).not.toContain(erased.publicName);
    // the other named donors are still shown, joined from outside the log
    expect(entries).toContain('Camille Martin');
  });

  it('adds nothing when run again on the same database', async () => {
    const before = await get<string>('/log/head');
    const again = await runDemo({ log: () => undefined });
    try {
      expect(again.filled).toBe(false);
    } finally {
      await again.close();
    }
    expect(await get<string>('/log/head')).toEqual(before);
  });
});
