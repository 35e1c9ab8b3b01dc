import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';

/** Most leaves one sequencer transaction appends. */
const SEQUENCE_BATCH = 5000;

/**
 * Runs `transparency_sequence` until the queue is drained (each call appends at most
 * SEQUENCE_BATCH leaves, in its own transaction); returns how many leaves were appended.
 */
export async function appendAllQueued(
  query: (sql: string, params: unknown[]) => Promise<{ appended: number }[]>,
): Promise<number> {
  let total = 0;
  for (;;) {
    const [{ appended }] = await query('SELECT transparency_sequence($1) AS appended', [SEQUENCE_BATCH]);
    total += appended;
    if (appended < SEQUENCE_BATCH) return total;
  }
}

interface Waiter {
  resolve(): void;
}

/**
 * One sequencing round at a time for every writer of this process. A writer whose transaction
 * has committed joins the next round; a round appends every committed queued leaf (all processes
 * included) on the sequencer's own connection, outside the pool: it never waits for a pool
 * connection that the writers waiting for it hold. Many writers' leaves go into one round and one WAL flush, and
 * only one caller per process, not one per writer, ever queues for the database lock.
 *
 * A round that fails leaves the leaves queued (their content committed with their entries); the
 * writers are released all the same — their money is booked — and the next round or the
 * checkpoint worker's sweep appends them.
 */
export class CommitSequencer {
  private readonly logger = new Logger(CommitSequencer.name);
  private waiting: Waiter[] = [];
  private draining = false;
  private client: Client | null = null;
  private closed = false;

  constructor(private readonly dataSource: DataSource) {}

  /** Resolves once every leaf committed before the call is in the log (or a round failed). */
  appendCommitted(): Promise<void> {
    if (this.closed || process.env.XX_NOSEQ) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiting.push({ resolve });
      if (!this.draining) void this.drain();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    while (this.draining) await new Promise((r) => setTimeout(r, 5));
    await this.dropConnection();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.waiting.length > 0) {
        // Everyone waiting now committed before this round reads the queue.
        const served = this.waiting;
        this.waiting = [];
        try {
          await this.round();
        } catch (error) {
          this.logger.warn({ err: error }, 'log sequencing round failed; the leaves stay queued');
          await this.dropConnection();
        }
        for (const w of served) w.resolve();
      }
    } finally {
      this.draining = false;
    }
  }

  private async round(): Promise<void> {
    const client = await this.connection();
    await appendAllQueued(
      async (sql, params) => (await client.query<{ appended: number }>(sql, params)).rows,
    );
  }

  private async connection(): Promise<Client> {
    if (this.client) return this.client;
    const options = this.dataSource.options as PostgresConnectionOptions;
    const client = new Client({ connectionString: options.url, application_name: 'librery-log-sequencer' });
    client.on('error', (error) => {
      this.logger.warn({ err: error }, 'log sequencer connection lost');
      if (this.client === client) this.client = null;
    });
    await client.connect();
    this.client = client;
    return client;
  }

  private async dropConnection(): Promise<void> {
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }
}
