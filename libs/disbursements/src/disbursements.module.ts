import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { PaymentsModule, StripeGateway } from '@app/payments';
import { ProjectsModule } from '@app/projects';
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
  imports: [BullModule.registerQueue({ name: QueueName.DisbursementRuns }), ProjectsModule, PaymentsModule],
  providers: [
    DisbursementRunService,
    PayoutsService,
    { provide: PayeeDirectory, useClass: ProjectsPayeeDirectory },
    { provide: DisbursementRunScheduler, useClass: BullDisbursementRunScheduler },
    {
      provide: PayoutTransfers,
      inject: [AppConfig, StripeGateway],
      // The one Stripe client, the payments library's.
      useFactory: (config: AppConfig, gateway: StripeGateway) =>
        new StripePayoutTransfers(config.STRIPE_SECRET_KEY ? gateway.stripe : null),
    },
  ],
  exports: [DisbursementRunService, PayoutsService, PayeeDirectory, PayoutTransfers],
})
export class DisbursementsModule {}
