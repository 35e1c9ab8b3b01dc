import './register-paths';
import { runMigrations } from '../migrations/run-migrations';
import { adminQuery, ensurePostgres, ensureRedis, randomSuffix, withDatabase } from '@app/testing';

/**
 * Real services for the whole run: the PostgreSQL at DATABASE_URL (or an embedded one), the Redis
 * at REDIS_URL (or a redis-server started here). One template database is migrated once through
 * the real migrations; each Jest worker gets its own copy of it.
 */
export default async function globalSetup(): Promise<void> {
  const run = randomSuffix();
  const pg = await ensurePostgres(process.env.DATABASE_URL, `test-pg-${run}`);
  const redis = await ensureRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const template = `librery_test_${run}`;
  await adminQuery(pg.url, `CREATE DATABASE ${template}`);
  await runMigrations(withDatabase(pg.url, template));
  const workers = 16;
  for (let i = 1; i <= workers; i++) {
    await adminQuery(pg.url, `CREATE DATABASE ${template}_w${i} TEMPLATE ${template}`);
  }
  process.env.TEST_PG_ADMIN_URL = pg.url;
  process.env.TEST_DATABASE_PREFIX = template;
  process.env.TEST_DATABASE_WORKERS = String(workers);
  process.env.TEST_REDIS_URL = redis.url;
  process.env.TEST_RUN_ID = run;
  (globalThis as Record<string, unknown>).__libreryServices = { pg, redis, template, workers };
}
