import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { Queue } from 'bullmq';
import { DisbursementRunJob, QueueName } from '@app/queue';
import { DisbursementRunScheduler } from './disbursement-run.scheduler';

/**
 * Enqueues a run for the worker under the business id `disbursement-run.<runId>` (BullMQ ids cannot hold ":"): scheduling a
 * run already waiting is a no-op; a finished job (a failed run restarted) is replaced.
 */
@Injectable()
export class BullDisbursementRunScheduler extends DisbursementRunScheduler {
  constructor(@InjectQueue(QueueName.DisbursementRuns) private readonly queue: Queue<DisbursementRunJob>) {
    super();
  }

  async schedule(runId: string): Promise<void> {
    const jobId = `disbursement-run.${runId}`;
    const existing = await this.queue.getJob(jobId);
    if (existing && ((await existing.isFailed()) || (await existing.isCompleted()))) await existing.remove();
    await this.queue.add('execute', { runId }, { jobId, attempts: 3 });
  }
}
