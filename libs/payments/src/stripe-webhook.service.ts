import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { QueueName, StripeEventJob } from '@app/queue';
import { StripeGateway } from './stripe.gateway';
import { verifyStripeWebhook } from './stripe-webhook.verifier';

export interface WebhookReceipt {
  readonly received: true;
  readonly eventId: string;
  readonly duplicate: boolean;
}

/**
 * The webhook's intake: verify the signature over the raw body (300 s), store the event once by
 * its id, enqueue one job whose id is the event id, and answer at once. No business logic here.
 */
@Injectable()
export class StripeWebhookService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly stripe: StripeGateway,
    @InjectQueue(QueueName.StripeEvents) private readonly queue: Queue<StripeEventJob>,
  ) {}

  async receive(
    rawBody: Buffer | undefined,
    signature: string | string[] | undefined,
  ): Promise<WebhookReceipt> {
    const event = verifyStripeWebhook(
      this.stripe.stripe,
      rawBody ?? Buffer.alloc(0),
      signature,
      this.stripe.webhookSecret(),
    );
    const rows = (await this.dataSource.query(
      `WITH ins AS (
         INSERT INTO stripe_events (event_id, type, payload) VALUES ($1, $2, $3)
         ON CONFLICT (event_id) DO NOTHING RETURNING true AS inserted)
       SELECT coalesce((SELECT inserted FROM ins), false) AS inserted,
              (SELECT processed_at IS NOT NULL FROM stripe_events WHERE event_id = $1) AS processed`,
      [event.id, event.type, JSON.stringify(event)],
    )) as { inserted: boolean; processed: boolean | null }[];
    const { inserted, processed } = rows[0];
    // A redelivery of an event not yet processed re-enqueues it: same job id, so BullMQ keeps one.
    if (inserted || !processed)
      await this.queue.add('stripe-event', { eventId: event.id }, { jobId: event.id });
    return { received: true, eventId: event.id, duplicate: !inserted };
  }
}
