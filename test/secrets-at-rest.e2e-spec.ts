import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { IdempotencyRecordsService } from '@app/identity';
import { adminQuery, randomSuffix, withDatabase } from '@app/testing';
import { createTestApp, createUserWithToken, http, uniqueId } from './support/create-test-app';

/** Secrets and personal data at rest and in logs (issue 15). */
describe('secrets at rest and in logs', () => {
  const admin = process.env.TEST_PG_ADMIN_URL as string;
  const database = `${process.env.TEST_DATABASE_PREFIX}_secrets_${randomSuffix()}`;
  const logFile = join(mkdtempSync(join(tmpdir(), 'librery-log-')), 'api.log');
  const saved: Record<string, string | undefined> = {};
  let app: NestExpressApplication;
  let db: DataSource;

  beforeAll(async () => {
    await adminQuery(admin, `CREATE DATABASE ${database} TEMPLATE ${process.env.TEST_DATABASE_PREFIX}`);
    for (const [k, v] of Object.entries({
      DATABASE_URL: withDatabase(admin, database),
      LOG_LEVEL: 'info',
      LOG_FILE: logFile,
    })) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    app = await createTestApp();
    db = app.get(DataSource);
  });

  afterAll(async () => {
    await app?.close();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await adminQuery(admin, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  });

  const logged = () => readFileSync(logFile, 'utf8');

  it('keeps no API token in clear in an idempotency record, and a replay answers the token resource without it', async () => {
    const owner = await createUserWithToken(app, [{ role: 'admin' }]);
    const key = uniqueId('tok');
    const first = await http(app)
      .post(`/users/${owner.userId}/tokens`)
      .set(owner.auth)
      .set('Idempotency-Key', key)
      .send({ name: 'ci' })
      .expect(201);
    const token = first.body.token as string;
    expect(token).toMatch(/^lib_/);
    const [record] = await db.query(
      `SELECT response_body::text AS body FROM idempotency_records WHERE key = $1`,
      [key],
    );
    expect(record.body).toContain(first.body.id);
    expect(record.body).not.toContain(token);
    const replay = await http(app)
      .post(`/users/${owner.userId}/tokens`)
      .set(owner.auth)
      .set('Idempotency-Key', key)
      .send({ name: 'ci' })
      .expect(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual({ ...first.body, token: null });
  });

  it('purges idempotency records past their retention, and keeps the recent ones', async () => {
    const scope = uniqueId('scope');
    await db.query(
      `INSERT INTO idempotency_records (scope, key, method, path, request_hash, state, created_at)
       VALUES ($1, 'old', 'POST', '/x', '\\x00', 'completed', now() - interval '25 hours'),
              ($1, 'new', 'POST', '/x', '\\x00', 'completed', now() - interval '1 hour')`,
      [scope],
    );
    const purged = await app.get(IdempotencyRecordsService).purgeExpired();
    expect(purged).toBeGreaterThanOrEqual(1);
    const left = await db.query('SELECT key FROM idempotency_records WHERE scope = $1', [scope]);
    expect(left).toEqual([{ key: 'new' }]);
  });

  it('logs no Authorization or Statement-Key header, and no query parameter of a database error', async () => {
    const owner = await createUserWithToken(app, [{ role: 'admin' }]);
    const email = `private-${randomSuffix()}@example.org`;
    const statementKey = `lsk_${'S'.repeat(43)}`;
    // A database that fails on this insert: the error carries the statement's parameters.
    await db.query(`CREATE FUNCTION fail_users() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'users are read-only in this test'; END $$`);
    await db.query(
      'CREATE TRIGGER fail_users BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION fail_users()',
    );
    try {
      const res = await http(app)
        .post('/users')
        .set(owner.auth)
        .set('Statement-Key', statementKey)
        .send({ email, displayName: 'Marie Private' })
        .expect(500);
      expect(JSON.stringify(res.body)).not.toContain(email);
    } finally {
      await db.query('DROP TRIGGER fail_users ON users');
    }
    await http(app).get(`/donations/statements/2026/by-key`).set('Statement-Key', statementKey).expect(404);
    await new Promise((r) => setTimeout(r, 200));
    const log = logged();
    expect(log).toContain('unhandled error');
    expect(log).toContain('"statusCode":500');
    expect(log).not.toContain(email);
    expect(log).not.toContain('Marie Private');
    expect(log).not.toContain(statementKey);
    expect(log).not.toContain(owner.token);
    expect(log.toLowerCase()).not.toContain('statement-key');
    expect(log.toLowerCase()).not.toContain('"authorization"');
  });
});
