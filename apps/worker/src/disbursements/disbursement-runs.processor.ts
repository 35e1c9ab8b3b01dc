import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { Job } from 'bullmq';
import { DisbursementRunService } from '@app/disbursements';
import { DisbursementRunJob, QueueName } from '@app/queue';

/** Executes disbursement runs; the service holds the advisory lock, so workers run them one at a time. */
@Processor(QueueName.DisbursementRuns)
export class DisbursementRunsProcessor extends WorkerHost {
  private readonly logger = new Logger(DisbursementRunsProcessor.name);

  constructor(private readonly runs: DisbursementRunService) {
    super();
  }

  async process(job: Job<DisbursementRunJob>): Promise<{ runId: string; status: string }> {
    const runId = job.data?.runId;
    if (typeof runId !== 'string' || !/^[0-9a-f-]{36}$/i.test(runId))
      throw new Error(`invalid disbursement run job ${job.id}`);
    const run = await this.runs.execute(runId);
    this.logger.log({ jobId: job.id, runId, status: run.status }, 'disbursement run executed');
    return { runId, status: run.status };
  }
}
