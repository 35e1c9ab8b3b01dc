import { Module } from '@nestjs/common';
import { EmailLinkService } from './email-link.service';
import { OidcService } from './oidc.service';
import { OrganisationAccessService } from './organisation-access.service';
import { SignInRateLimiter } from './rate-limiter';

/** Sign-in by email link and OpenID Connect; organisation access requests. Needs the mail outbox (MailModule). */
@Module({
  providers: [EmailLinkService, OidcService, OrganisationAccessService, SignInRateLimiter],
  exports: [EmailLinkService, OidcService, OrganisationAccessService],
})
export class SignInModule {}
