import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Job } from 'bullmq';
import { GovernanceScheduler, MotionsService, RoundsService } from '@app/governance';
import { GovernanceCloseJob, QueueName } from '@app/queue';

/**
 * Closes and tallies motions and rounds at their closing time. Every step is a conditional
 * state transition in the database, so two workers (or a retry) never close or book twice.
 */
@Processor(QueueName.Governance)
export class GovernanceProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(GovernanceProcessor.name);

  constructor(
    private readonly motions: MotionsService,
    private readonly rounds: RoundsService,
    private readonly scheduler: GovernanceScheduler,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.scheduler.ensureSweep();
  }

  async process(job: Job<GovernanceCloseJob | Record<string, never>>): Promise<unknown> {
    if (job.name === 'sweep') return this.sweep();
    const data = job.data as GovernanceCloseJob;
    if ((data.type !== 'motion' && data.type !== 'round') || typeof data.id !== 'string') {
      throw new Error(`invalid governance job payload ${JSON.stringify(job.data)}`);
    }
    const done =
      data.type === 'motion'
        ? await this.motions.closeAndTally(data.id)
        : await this.rounds.closeAndTally(data.id);
    this.logger.log({ jobId: job.id, ...data, ...done }, 'governance close');
    return done;
  }

  /** Closes whatever is overdue: the safety net when a delayed job was lost. */
  private async sweep(): Promise<{ motions: number; rounds: number }> {
    const motions = await this.motions.dueIds();
    for (const id of motions) await this.motions.closeAndTally(id);
    const rounds = await this.rounds.dueIds();
    for (const id of rounds) await this.rounds.closeAndTally(id);
    return { motions: motions.length, rounds: rounds.length };
  }
}
