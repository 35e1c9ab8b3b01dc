import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import { QueueName } from '@app/queue';
import { CheckpointService } from '@app/transparency';

/** How often the worker signs a checkpoint of the log (only when it has grown). */
export const CHECKPOINT_EVERY_MS = 10_000;

/** Signs a checkpoint of the log; several workers may run it at once: one root per size is enforced by the database. */
@Processor(QueueName.Transparency)
export class CheckpointProcessor extends WorkerHost {
  private readonly logger = new Logger(CheckpointProcessor.name);

  constructor(private readonly checkpoints: CheckpointService) {
    super();
  }

  async process(job: Job): Promise<{ treeSize: number }> {
    const cp = await this.checkpoints.signLatest();
    this.logger.debug({ jobId: job.id, treeSize: cp.treeSize }, 'checkpoint signed');
    return { treeSize: cp.treeSize };
  }
}

/** Registers the repeatable checkpoint job (idempotent from every worker). */
@Injectable()
export class CheckpointScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger(CheckpointScheduler.name);

  constructor(@InjectQueue(QueueName.Transparency) private readonly queue: Queue) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.queue.upsertJobScheduler(
        'transparency-checkpoint',
        { every: CHECKPOINT_EVERY_MS },
        { name: 'checkpoint', data: {} },
      );
    } catch (error) {
      this.logger.warn({ err: error }, 'could not register the checkpoint scheduler');
    }
  }
}
