import { DataSource } from 'typeorm';
import { dataSourceOptions } from '@app/database';
import { migrations } from './index';

/** Applies every pending migration, each in its own transaction, under an advisory lock. */
export async function runMigrations(url: string): Promise<string[]> {
  const ds = new DataSource({ ...dataSourceOptions(url, migrations, 1), migrationsTransactionMode: 'each' });
  await ds.initialize();
  try {
    await ds.query('SELECT pg_advisory_lock(724655001)');
    const applied = await ds.runMigrations({ transaction: 'each' });
    await ds.query('SELECT pg_advisory_unlock(724655001)');
    return applied.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}
