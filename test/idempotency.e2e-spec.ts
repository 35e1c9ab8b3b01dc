import { createHash } from 'node:crypto';
import { NestExpressApplication } from '@nestjs/platform-express';
import canonicalize from 'canonicalize';
import { DataSource } from 'typeorm';
import { createTestApp, createUserWithToken, http, uniqueId } from './support/create-test-app';

/** Idempotency records under concurrency and at rest (issue 15). */
describe('idempotency records', () => {
  let app: NestExpressApplication;
  let db: DataSource;

  beforeAll(async () => {
    app = await createTestApp();
    db = app.get(DataSource);
  });
  afterAll(() => app.close());

  const requestHash = (method: string, path: string, body: unknown) =>
    createHash('sha256')
      .update(`${method} ${path}\n${canonicalize(body) ?? ''}`)
      .digest();

  async function waitForLockWaiters(n: number): Promise<void> {
    for (let i = 0; i < 200; i += 1) {
      const [{ waiting }] = (await db.query(
        `SELECT count(*)::int AS waiting FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'UPDATE idempotency_records%'`,
      )) as { waiting: number }[];
      if (waiting >= n) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`fewer than ${n} requests waited on the idempotency record`);
  }

  it('lets only one of two concurrent retries take over a stale key: the handler runs once', async () => {
    const admin = await createUserWithToken(app, [{ role: 'admin' }]);
    const path = `/users/${admin.userId}/tokens`;
    const body = { name: 'retried' };
    const key = uniqueId('stale');
    // A first attempt that died two minutes ago, leaving its key "started".
    await db.query(
      `INSERT INTO idempotency_records (scope, key, method, path, request_hash, created_at)
       VALUES ($1, $2, 'POST', $3, $4, now() - interval '2 minutes')`,
      [admin.userId, key, path, requestHash('POST', path, body)],
    );
    // Hold the record's row so that both retries reach the takeover and queue on it together.
    const holder = db.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    await holder.query('SELECT 1 FROM idempotency_records WHERE scope = $1 AND key = $2 FOR UPDATE', [
      admin.userId,
      key,
    ]);
    const send = () =>
      http(app)
        .post(path)
        .set(admin.auth)
        .set('Idempotency-Key', key)
        .send(body)
        .then((r) => r);
    const both = Promise.all([send(), send()]);
    try {
      await waitForLockWaiters(2);
    } finally {
      await holder.commitTransaction();
      await holder.release();
    }
    const answers = await both;
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409]);
    expect(answers.find((r) => r.status === 409)!.body.code).toBe('idempotency.in_progress');
    const [{ n }] = (await db.query(
      `SELECT count(*)::int AS n FROM api_tokens WHERE user_id = $1 AND name = 'retried'`,
      [admin.userId],
    )) as { n: number }[];
    expect(n).toBe(1);
  });
});
