export { EmailLinkService, normaliseEmail, SIGN_IN_LINK_MINUTES, signInLinkPath } from './email-link.service';
export { OidcClaims, OidcService, PROCONNECT_SCOPE, safeReturnTo } from './oidc.service';
export * from './organisation-access.service';
export * from './sign-in.errors';
export * from './sign-in.module';
export * from './sign-in.types';
