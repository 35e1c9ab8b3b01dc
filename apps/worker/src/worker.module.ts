import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig, ConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { DisbursementsModule } from '@app/disbursements';
import { GovernanceModule } from '@app/governance';
import { IdentityModule } from '@app/identity';
import { LedgerModule } from '@app/ledger';
import { MailModule } from '@app/mail';
import { PolicyModule } from '@app/policy';
import { ProjectsModule } from '@app/projects';
import { PaymentsModule } from '@app/payments';
import { QueueModule, QueueName } from '@app/queue';
import { TransparencyModule } from '@app/transparency';
import { DisbursementRunsProcessor } from './disbursements/disbursement-runs.processor';
import { MailOutboxProcessor } from './mail/mail-outbox.processor';
import { StripeEventsProcessor } from './payments/stripe-events.processor';
import { GovernanceProcessor } from './governance/governance.processor';
import { SystemProcessor, SystemScheduler } from './system/system.processor';
import { CheckpointProcessor, CheckpointScheduler } from './transparency/checkpoint.processor';

/** The worker: the same domain services as the API, BullMQ processors instead of controllers. */
@Module({
  imports: [
    ConfigModule,
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({ pinoHttp: { level: config.LOG_LEVEL } }),
    }),
    DatabaseModule,
    QueueModule,
    BullModule.registerQueue({ name: QueueName.System }),
    LedgerModule,
    PolicyModule,
    IdentityModule,
    MailModule,
    ProjectsModule,
    TransparencyModule,
    BullModule.registerQueue({ name: QueueName.Transparency }),
    GovernanceModule,
    PaymentsModule,
    DisbursementsModule,
  ],
  providers: [
    StripeEventsProcessor,
    SystemProcessor,
    SystemScheduler,
    DisbursementRunsProcessor,
    GovernanceProcessor,
    CheckpointProcessor,
    CheckpointScheduler,
    MailOutboxProcessor,
  ],
})
export class WorkerModule {}
