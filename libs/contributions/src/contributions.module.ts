import { Module } from '@nestjs/common';
import { ProjectsModule } from '@app/projects';
import { BankReceiptsService } from './bank-receipts.service';
import { ContributionBookingService } from './contribution-booking.service';
import { DeclarationsService } from './declarations.service';
import { OrganisationsService } from './organisations.service';
import { ProjectDirectory } from './project-directory.service';
import { StatementsService } from './statements.service';

/** Public levies and contributions: organisations, declarations, receipts, booking, statements. */
@Module({
  imports: [ProjectsModule],
  providers: [
    OrganisationsService,
    DeclarationsService,
    BankReceiptsService,
    ContributionBookingService,
    ProjectDirectory,
    StatementsService,
  ],
  exports: [
    OrganisationsService,
    DeclarationsService,
    BankReceiptsService,
    ContributionBookingService,
    ProjectDirectory,
    StatementsService,
  ],
})
export class ContributionsModule {}
