import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { execute } from '@app/database';

/**
 * How long an `Idempotency-Key` is remembered: a retry within 24 hours gets the first answer again
 * (Stripe's window); after that the record is purged and the key may run anew.
 */
export const IDEMPOTENCY_RETENTION_HOURS = 24;

/** Deletes at most this many records per statement, so that a purge never holds long locks. */
const PURGE_BATCH = 5000;

/** The stored answers of idempotent requests, kept only for their retention. */
@Injectable()
export class IdempotencyRecordsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Deletes every record older than the retention (the worker runs it hourly); returns how many. */
  async purgeExpired(retentionHours = IDEMPOTENCY_RETENTION_HOURS): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await execute(
        this.dataSource,
        `DELETE FROM idempotency_records WHERE ctid IN (
           SELECT ctid FROM idempotency_records WHERE created_at < now() - make_interval(hours => $1) LIMIT $2)`,
        [retentionHours, PURGE_BATCH],
      );
      total += n;
      if (n < PURGE_BATCH) return total;
    }
  }
}
