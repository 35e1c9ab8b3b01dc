import './register-paths';
import { adminQuery } from '@app/testing';

interface Services {
  pg: { url: string; stop(): Promise<void> };
  redis: { stop(): Promise<void> };
  template: string;
  workers: number;
}

export default async function globalTeardown(): Promise<void> {
  const services = (globalThis as Record<string, unknown>).__libreryServices as Services | undefined;
  if (!services) return;
  for (let i = 1; i <= services.workers; i++) {
    await adminQuery(
      services.pg.url,
      `DROP DATABASE IF EXISTS ${services.template}_w${i} WITH (FORCE)`,
    ).catch(() => undefined);
  }
  await adminQuery(services.pg.url, `DROP DATABASE IF EXISTS ${services.template} WITH (FORCE)`).catch(
    () => undefined,
  );
  await services.redis.stop();
  await services.pg.stop();
}
