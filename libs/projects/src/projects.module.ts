import { Module } from '@nestjs/common';
import { boundedFetcher } from './funding-manifest';
import { PROJECTS_TEXT_FETCHER, ProjectVerificationService } from './project-verification.service';
import { ProjectsService } from './projects.service';
import { SbomAnalysesService } from './sbom-analyses.service';

/** The projects catalogue, control and payout verification, and SBOM analyses. */
@Module({
  providers: [
    ProjectsService,
    ProjectVerificationService,
    SbomAnalysesService,
    { provide: PROJECTS_TEXT_FETCHER, useFactory: () => boundedFetcher() },
  ],
  exports: [ProjectsService, ProjectVerificationService, SbomAnalysesService],
})
export class ProjectsModule {}
