import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Job } from 'bullmq';
import { StripeEventsService } from '@app/payments';
import { QueueName, StripeEventJob } from '@app/queue';

/** Books what a stored Stripe event is about; idempotent, so a retried job changes nothing. */
@Processor(QueueName.StripeEvents, { concurrency: 8 })
export class StripeEventsProcessor extends WorkerHost {
  constructor(private readonly events: StripeEventsService) {
    super();
  }

  async process(job: Job<StripeEventJob>): Promise<string> {
    if (typeof job.data?.eventId !== 'string' || !/^evt_[A-Za-z0-9_]{1,200}$/.test(job.data.eventId)) {
      return 'ignored: malformed job';
    }
    return this.events.process(job.data.eventId);
  }
}
