import cluster, { Address, Worker } from 'node:cluster';
import { join } from 'node:path';
import { repoRoot } from '@app/config';

export interface ApiCluster {
  readonly workers: readonly Worker[];
  /** Where the API listens, e.g. `http://127.0.0.1:3000`. */
  readonly base: string;
  /** Sends SIGTERM to every API process and waits for them to exit. */
  stop(): Promise<void>;
}

/**
 * Runs the API as `processes` Node processes sharing one port (node:cluster; the calling process
 * accepts connections and hands them out in turn). Any number of API processes on one database
 * behave as one: every write is decided by the database, and idempotency keys are stored there.
 * Port 0 gives all of them the same free port.
 */
export async function startApiCluster(options: {
  processes: number;
  env: NodeJS.ProcessEnv;
  port: number;
  host: string;
}): Promise<ApiCluster> {
  cluster.setupPrimary({
    exec: join(repoRoot(), 'dist/apps/api/src/main.js'),
    execArgv: ['-r', join(repoRoot(), 'bin', 'paths.js')],
  });
  const workers: Worker[] = [];
  const addresses = await Promise.all(
    Array.from({ length: Math.max(1, options.processes) }, () => {
      const worker = cluster.fork({ ...options.env, PORT: String(options.port), HOST: options.host });
      workers.push(worker);
      return new Promise<Address>((resolve, reject) => {
        worker.once('listening', (address: Address) => resolve(address));
        worker.once('exit', (code) =>
          reject(new Error(`an API process exited with code ${code} while starting`)),
        );
      });
    }),
  );
  const stop = () =>
    Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (worker.isDead()) return resolve();
            worker.once('exit', () => resolve());
            worker.process.kill('SIGTERM');
          }),
      ),
    ).then(() => undefined);
  return { workers, base: `http://${options.host}:${addresses[0].port}`, stop };
}
