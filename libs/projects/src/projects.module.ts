import { Module } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { boundedFetcher, isNonPublicAddress } from './funding-manifest';
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
      // A deployment that itself lives on a loopback address (development, tests) may fetch local
      // servers; a public one refuses non-public addresses.
      useFactory: (config: AppConfig) =>
        boundedFetcher({ allowPrivateNetworks: isLoopbackUrl(config.PUBLIC_BASE_URL) }),
    },
  ],
  exports: [ProjectsService, ProjectVerificationService, SbomAnalysesService],
})
export class ProjectsModule {}

function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || (isNonPublicAddress(host) && (host.startsWith('127.') || host === '::1'));
  } catch {
    return false;
  }
}
