import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { createStripeClient } from '@app/payments';
import { QueueName } from '@app/queue';
import { PayeeDirectory } from './payees/payee-directory';
import { ProjectsPayeeDirectory } from './payees/projects-payee-directory';
import { PayoutTransfers } from './payouts/payout-transfers';
import { PayoutsService } from './payouts/payouts.service';
import { StripePayoutTransfers } from './payouts/stripe-payout-transfers';
import { BullDisbursementRunScheduler } from './run/bull-disbursement-run.scheduler';
import { DisbursementRunScheduler } from './run/disbursement-run.scheduler';
import { DisbursementRunService } from './run/disbursement-run.service';

/** Disbursement runs, payout batches and payouts; the API adds controllers, the worker a processor. */
@Module({
  imports: [BullModule.registerQueue({ name: QueueName.DisbursementRuns })],
  providers: [
    DisbursementRunService,
    PayoutsService,
    { provide: PayeeDirectory, useClass: ProjectsPayeeDirectory },
    { provide: DisbursementRunScheduler, useClass: BullDisbursementRunScheduler },
    {
      provide: PayoutTransfers,
      inject: [AppConfig],
      useFactory: (config: AppConfig) =>
        new StripePayoutTransfers(
          config.STRIPE_SECRET_KEY ? createStripeClient({ secretKey: config.STRIPE_SECRET_KEY, apiBase: config.STRIPE_API_BASE }) : null,
        ),
    },
  ],
  exports: [DisbursementRunService, PayoutsService, PayeeDirectory, PayoutTransfers],
})
export class DisbursementsModule {}
