import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import { IdempotencyRecordsService } from '@app/identity';
import { QueueName, SystemPingJob } from '@app/queue';

/** How often the worker purges idempotency records past their retention. */
export const IDEMPOTENCY_PURGE_EVERY_MS = 60 * 60 * 1000;
export const IDEMPOTENCY_PURGE_JOB = 'idempotency-purge';

/** Housekeeping: a ping that proves the worker takes jobs, and the hourly idempotency purge. */
@Processor(QueueName.System)
export class SystemProcessor extends WorkerHost {
  private readonly logger = new Logger(SystemProcessor.name);

  constructor(private readonly idempotency: IdempotencyRecordsService) {
    super();
  }

  async process(
    job: Job<SystemPingJob | Record<string, never>>,
  ): Promise<{ at: string } | { purged: number }> {
    if (job.name === IDEMPOTENCY_PURGE_JOB) {
      const purged = await this.idempotency.purgeExpired();
      this.logger.log({ jobId: job.id, purged }, 'idempotency records purged');
      return { purged };
    }
    this.logger.log({ jobId: job.id }, 'system ping');
    return { at: (job.data as SystemPingJob).at };
  }
}

/** Registers the hourly purge (idempotent from every worker). */
@Injectable()
export class SystemScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger(SystemScheduler.name);

  constructor(@InjectQueue(QueueName.System) private readonly queue: Queue) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.queue.upsertJobScheduler(
        IDEMPOTENCY_PURGE_JOB,
        { every: IDEMPOTENCY_PURGE_EVERY_MS },
        { name: IDEMPOTENCY_PURGE_JOB, data: {} },
      );
    } catch (error) {
      this.logger.warn({ err: error }, 'could not register the idempotency purge');
    }
  }
}
