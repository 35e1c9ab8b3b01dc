import { DataSource } from 'typeorm';

/**
 * Holds the public log sequencer's advisory lock (migration 1763769620003) from a connection of
 * its own, as another writer's COMMIT or a running round would, until the returned function is
 * called: writers committing meanwhile leave their leaves queued.
 */
export async function holdLogSequencerLock(db: DataSource): Promise<() => Promise<void>> {
  const runner = db.createQueryRunner();
  await runner.connect();
  await runner.startTransaction();
  await runner.query('SELECT pg_advisory_xact_lock(7361626474)');
  return async () => {
    await runner.commitTransaction();
    await runner.release();
  };
}
