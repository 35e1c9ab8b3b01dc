import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { ContributionsModule } from '@app/contributions';
import { QueueName } from '@app/queue';
import { DonationsService } from './donations.service';
import { DonorErasureService } from './donor-erasure.service';
import { GivingService } from './giving.service';
import { StripeEventsService } from './stripe-events.service';
import { StripeWebhookService } from './stripe-webhook.service';
import { StripeGateway, stripeClientProvider } from './stripe.gateway';

/** Stripe (one client provider), donations through Checkout, webhook intake and event processing. */
@Module({
  imports: [ContributionsModule, BullModule.registerQueue({ name: QueueName.StripeEvents })],
  providers: [
    stripeClientProvider,
    StripeGateway,
    DonationsService,
    DonorErasureService,
    GivingService,
    StripeWebhookService,
    StripeEventsService,
  ],
  exports: [
    StripeGateway,
    DonationsService,
    DonorErasureService,
    GivingService,
    StripeWebhookService,
    StripeEventsService,
  ],
})
export class PaymentsModule {}
