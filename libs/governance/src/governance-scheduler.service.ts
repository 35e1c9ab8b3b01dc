import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { GovernanceCloseJob, QueueName } from '@app/queue';
import { VoteType } from './governance.types';

export const GOVERNANCE_SWEEP_EVERY_MS = 60_000;

/** Enqueues the closing of a vote at its closing time; the sweep catches anything a lost queue missed. */
@Injectable()
export class GovernanceScheduler {
  private readonly logger = new Logger(GovernanceScheduler.name);

  constructor(@InjectQueue(QueueName.Governance) private readonly queue: Queue) {}

  async scheduleClose(type: VoteType, id: string, closesAt: Date): Promise<void> {
    const job: GovernanceCloseJob = { type, id };
    try {
      await this.queue.add('close', job, {
        jobId: `close-${type}-${id}`,
        delay: Math.max(0, closesAt.getTime() - Date.now()),
      });
    } catch (error) {
      // Redis carries work, never truth: the repeatable sweep closes it anyway.
      this.logger.warn(
        { err: error, type, id },
        'could not enqueue the closing job; the sweep will close it',
      );
    }
  }

  /** The repeatable sweep (idempotent to register from every worker). */
  async ensureSweep(): Promise<void> {
    await this.queue.upsertJobScheduler(
      'governance-sweep',
      { every: GOVERNANCE_SWEEP_EVERY_MS },
      { name: 'sweep', data: {} },
    );
  }
}
