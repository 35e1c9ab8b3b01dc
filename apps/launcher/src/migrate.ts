import { loadConfig } from '@app/config';
import { resolveLocalDatabase } from '@app/database';
import { runMigrations } from '../../../migrations/run-migrations';

/** `npm run migrate`: applies pending migrations to DATABASE_URL (or the embedded database). */
async function main(): Promise<void> {
  const database = await resolveLocalDatabase(loadConfig().DATABASE_URL);
  try {
    const applied = await runMigrations(database.url);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'the schema is up to date');
  } finally {
    await database.stop();
  }
}

void main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
