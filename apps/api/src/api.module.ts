import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { LoggerModule } from 'nestjs-pino';
import { BillingModule } from '@app/billing';
import { AppConfig, ConfigModule } from '@app/config';
import { ContributionsModule } from '@app/contributions';
import { DatabaseModule } from '@app/database';
import { DisbursementsModule } from '@app/disbursements';
import { GovernanceModule } from '@app/governance';
import { AuthGuard, IdentityModule } from '@app/identity';
import { LedgerModule } from '@app/ledger';
import { MailModule } from '@app/mail';
import { PolicyModule } from '@app/policy';
import { ProjectsModule } from '@app/projects';
import { PaymentsModule } from '@app/payments';
import { QueueModule } from '@app/queue';
import { SignInModule } from '@app/sign-in';
import { TransparencyModule } from '@app/transparency';
import { WebSessionModule } from '@app/web-session';
import { BillingController } from './billing/billing.controller';
import { BillingWebController } from './billing/billing-web.controller';
import { ContributionsController } from './contributions/contributions.controller';
import { DonationsController } from './payments/donations.controller';
import { GivingController } from './giving/giving.controller';
import { DisbursementsController } from './disbursements/disbursements.controller';
import { GovernanceController } from './governance/governance.controller';
import { MotionsController } from './governance/motions.controller';
import { RoundsController } from './governance/rounds.controller';
import { HealthController } from './health/health.controller';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor';
import { IdentityController } from './identity/identity.controller';
import { LedgerAdminService } from './ledger/ledger-admin.service';
import { LedgerController } from './ledger/ledger.controller';
import { PoliciesController } from './policies/policies.controller';
import { ProjectsController } from './projects/projects.controller';
import { SbomAnalysesController } from './projects/sbom-analyses.controller';
import { loggerOptions } from './logger-options';
import { RateLimitedAuthGuard, throttlerOptions } from './rate-limits/rate-limits';
import { OrganisationAccessController } from './sign-in/organisation-access.controller';
import { SignInController } from './sign-in/sign-in.controller';
import { PublicPagesController } from './web/public/public-pages.controller';
import { DonorErasureController } from './transparency/donor-erasure.controller';
import { LogController } from './transparency/log.controller';
import { OpenDataController } from './transparency/open-data.controller';
import { PublicLedgerController } from './transparency/public-ledger.controller';
import { AccessibilityController } from './web/accessibility.controller';
import { CommitteeController } from './committee/committee.controller';
import { FormOnce } from './web/form-once.service';
import { CsrfGuard } from './web/csrf.guard';
import { SessionController } from './web/session.controller';
import { WebSessionMiddleware } from './web/web-session.middleware';
import { WebSessions } from './web/web-sessions.service';

/**
 * The HTTP application. Domain modules register here (imports) with their controllers;
 * the worker builds the same domain services without controllers.
 */
@Module({
  imports: [
    ConfigModule,
    LoggerModule.forRootAsync({ inject: [AppConfig], useFactory: loggerOptions }),
    ThrottlerModule.forRootAsync({ inject: [AppConfig], useFactory: throttlerOptions }),
    DatabaseModule,
    QueueModule,
    LedgerModule,
    PolicyModule,
    IdentityModule,
    MailModule,
    SignInModule,
    ProjectsModule,
    TransparencyModule,
    GovernanceModule,
    ContributionsModule,
    PaymentsModule,
    DisbursementsModule,
    WebSessionModule,
    BillingModule,
  ],
  // PublicPagesController stays first: GET /projects/<slug> renders HTML for browsers and falls through to ProjectsController otherwise.
  controllers: [
    PublicPagesController,
    CommitteeController,
    ProjectsController,
    SbomAnalysesController,
    ContributionsController,
    DonationsController,
    HealthController,
    PoliciesController,
    IdentityController,
    LedgerController,
    DisbursementsController,
    BillingController,
    BillingWebController,
    GovernanceController,
    MotionsController,
    RoundsController,
    LogController,
    PublicLedgerController,
    OpenDataController,
    DonorErasureController,
    AccessibilityController,
    SessionController,
    SignInController,
    OrganisationAccessController,
    GivingController,
  ],
  providers: [
    LedgerAdminService,
    WebSessions,
    FormOnce,
    CsrfGuard,
    AuthGuard,
    { provide: APP_GUARD, useClass: RateLimitedAuthGuard },
    { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
  ],
})
export class ApiModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(WebSessionMiddleware).forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}
