import { Module } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { boundedFetcher } from './outbound/outbound-fetcher';
import { PROJECTS_TEXT_FETCHER, ProjectVerificationService } from './project-verification.service';
import { ProjectsService } from './projects.service';
import { SbomAnalysesService } from './sbom-analyses.service';

/** The projects catalogue, control and payout verification, and SBOM analyses. */
@Module({
  providers: [
    ProjectsService,
    ProjectVerificationService,
    SbomAnalysesService,
    {
      provide: PROJECTS_TEXT_FETCHER,
      inject: [AppConfig],
      // Non-public addresses are refused unless the development setting says otherwise (never
      // implied by where the deployment itself lives).
      useFactory: (config: AppConfig) =>
        boundedFetcher({ allowPrivateNetworks: config.OUTBOUND_ALLOW_PRIVATE_NETWORKS }),
    },
  ],
  exports: [ProjectsService, ProjectVerificationService, SbomAnalysesService],
})
export class ProjectsModule {}
