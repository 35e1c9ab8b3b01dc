import 'reflect-metadata';
import { createConnection } from 'node:net';
import { loadConfig } from '@app/config';
import { resolveLocalDatabase } from '@app/database';
import { ensureRedis } from '@app/queue';
import { runMigrations } from '../../../migrations/run-migrations';
import { runDemo } from './demo/run-demo';

/** True when something accepts connections at host:port (e.g. `npm start` is running). */
function listening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * `npm run demo`: a living fund for a newcomer. Provides PostgreSQL and Redis like `npm start`,
 * migrates, fills the database through the public API (unless it already holds the demo), then
 * prints where to look. When nothing listens on HOST:PORT, the demo keeps serving the API and the
 * worker there until Ctrl-C (`--exit` to stop at once); when `npm start` already runs there, the
 * demo fills its database on a spare port and exits.
 */
async function main(): Promise<void> {
  process.env.LOG_LEVEL ??= 'warn';
  const config = loadConfig();
  const database = await resolveLocalDatabase(config.DATABASE_URL);
  const redis = await ensureRedis(config.REDIS_URL);
  await runMigrations(database.url);
  process.env.DATABASE_URL = database.url;
  process.env.REDIS_URL = redis.url;
  const host = config.HOST;
  const occupied = await listening(host, config.PORT);
  // Its own queue keys, so that another worker on the same Redis never takes the demo's jobs.
  if (occupied) process.env.QUEUE_PREFIX = `${config.QUEUE_PREFIX}-demo`;
  const serve = !occupied && !process.argv.includes('--exit');
  const demo = await runDemo({ port: occupied ? 0 : config.PORT, host });
  const base = occupied ? config.PUBLIC_BASE_URL.replace(/\/$/, '') : demo.baseUrl;
  const [checkpoint] = (await (await fetch(`${demo.baseUrl}/log/checkpoint`)).text()).split('\n');
  console.log(
    [
      '',
      demo.filled ? 'The demo fund is ready.' : 'The demo fund was already there.',
      `  overview        ${base}/`,
      `  ledger          ${base}/ledger`,
      `  project page    ${base}/projects/postgresql`,
      `  give            ${base}/donner  (pay on the local fake Stripe's page while the demo serves)`,
      `  API docs        ${base}/docs`,
      `  checkpoint      ${base}/log/checkpoint  (origin ${checkpoint}, ${demo.treeSize} entries)`,
      `  verifier key    ${demo.verifierKey}`,
      `  admin token     ${demo.adminToken}`,
      '',
      `  curl -H "Authorization: Bearer ${demo.adminToken}" ${base}/me`,
      `  npx librery verify ${base} --key ${demo.verifierKey}`,
      '',
      'Names of public bodies and projects are real; people, amounts and bank details are invented.',
      serve
        ? 'Serving the API and the worker here; Ctrl-C to stop.'
        : occupied
          ? `Served by what already listens on ${host}:${config.PORT} (npm start on the same database).`
          : 'Stopped (--exit): run `npm start` to browse these pages.',
    ].join('\n'),
  );
  const stop = async (code: number) => {
    await demo.close();
    await redis.stop();
    await database.stop();
    process.exit(code);
  };
  if (!serve) return stop(0);
  // The apps' own shutdown hooks would close them a second time, concurrently with stop().
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.removeAllListeners(signal);
    process.once(signal, () => void stop(0));
  }
}

void main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
