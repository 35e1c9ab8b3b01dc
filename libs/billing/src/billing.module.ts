import { Module } from '@nestjs/common';
import { ContributionsModule } from '@app/contributions';
import { DisbursementsModule } from '@app/disbursements';
import { BankStatementsService } from './bank-statements.service';
import { BillingRemindersService } from './billing-reminders.service';
import { PaymentRequestsService } from './payment-requests.service';
import { PaymentStatusService } from './payment-status.service';
import { XsdValidator } from './xsd-validator';

/** Payment requests (CII, Factur-X, Chorus Pro), bank statements and their reconciliation, payment status reports. */
@Module({
  imports: [ContributionsModule, DisbursementsModule],
  providers: [
    PaymentRequestsService,
    BankStatementsService,
    PaymentStatusService,
    BillingRemindersService,
    XsdValidator,
  ],
  exports: [
    PaymentRequestsService,
    BankStatementsService,
    PaymentStatusService,
    BillingRemindersService,
    XsdValidator,
  ],
})
export class BillingModule {}
