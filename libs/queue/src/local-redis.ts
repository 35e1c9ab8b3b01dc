import { execFileSync, spawn, ChildProcess } from 'node:child_process';
import Redis from 'ioredis';
import { freePort } from '@app/database';

export interface RunningRedis {
  readonly url: string;
  stop(): Promise<void>;
}

/** True when a Redis answers PING at `url` within a second. */
export async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/**
 * The Redis at `url` if it answers; otherwise a `redis-server` from the PATH on a free port,
 * keeping nothing on disk. Throws one clear sentence when neither is possible.
 */
export async function ensureRedis(url: string): Promise<RunningRedis> {
  if (await redisAnswers(url)) return { url, stop: async () => undefined };
  let binary: string;
  try {
    binary = execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim();
  } catch {
    binary = '';
  }
  if (!binary) {
    throw new Error(
      `No Redis answers at ${url} and no redis-server is on the PATH: install Redis 7 (e.g. apt install redis-server) or set REDIS_URL.`,
    );
  }
  const port = await freePort();
  const child: ChildProcess = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const started = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50 && !(await redisAnswers(started)); i++) await new Promise((r) => setTimeout(r, 100));
  return {
    url: started,
    stop: async () => {
      child.kill('SIGTERM');
    },
  };
}
