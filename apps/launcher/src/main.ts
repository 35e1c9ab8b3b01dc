import 'reflect-metadata';
import { ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { loadConfig, repoRoot } from '@app/config';
import { resolveLocalDatabase } from '@app/database';
import { ensureRedis } from '@app/queue';
import { runMigrations } from '../../../migrations/run-migrations';
import { startApiCluster } from './api-cluster';

/**
 * `npm start`: the whole platform on one machine with nothing configured. Provides PostgreSQL
 * (embedded when DATABASE_URL is unset) and Redis (a local redis-server when none answers),
 * applies the migrations, then runs the API (API_PROCESSES processes sharing the port) and the
 * worker.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const database = await resolveLocalDatabase(config.DATABASE_URL);
  const redis = await ensureRedis(config.REDIS_URL);
  const applied = await runMigrations(database.url);
  console.log(JSON.stringify({ msg: 'migrations applied', applied }));
  const env = { ...process.env, DATABASE_URL: database.url, REDIS_URL: redis.url };
  const paths = join(repoRoot(), 'bin', 'paths.js');
  const api = await startApiCluster({
    processes: config.API_PROCESSES,
    env,
    port: config.PORT,
    host: config.HOST,
  });
  const children: ChildProcess[] = [
    ...api.workers.map((w) => w.process),
    fork(join(repoRoot(), 'dist/apps/worker/src/main.js'), { env, execArgv: ['-r', paths] }),
  ];
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
    await redis.stop();
    await database.stop();
    process.exit(code);
  };
  for (const child of children) child.once('exit', (code) => void stop(code ?? 1));
  console.log(
    `The Librery is running at ${api.base} — API documentation ${api.base}/docs — ` +
      `a demo fund: npm run demo — stop with Ctrl+C`,
  );
  process.once('SIGTERM', () => void stop(0));
  process.once('SIGINT', () => void stop(0));
}

void main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
