import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { Job } from 'bullmq';
import { QueueName, SystemPingJob } from '@app/queue';

/** The smallest processor: proves the worker takes jobs. Domain processors follow this shape. */
@Processor(QueueName.System)
export class SystemProcessor extends WorkerHost {
  private readonly logger = new Logger(SystemProcessor.name);

  async process(job: Job<SystemPingJob>): Promise<{ at: string }> {
    this.logger.log({ jobId: job.id }, 'system ping');
    return { at: job.data.at };
  }
}
