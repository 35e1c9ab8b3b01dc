export type SignInLang = 'fr' | 'en';

/** The configured OpenID Connect providers: ProConnect and a second, generic one (e.g. a forge for maintainers). */
export const OIDC_PROVIDER_IDS = ['proconnect', 'maintainers'] as const;
export type OidcProviderId = (typeof OIDC_PROVIDER_IDS)[number];

/** How a user signed in, as the session and the audit trail record it. */
export type SignInMethod = 'email-link' | `oidc:${OidcProviderId}`;

export interface OidcProviderView {
  id: OidcProviderId;
  label: string;
}

/** What a started OpenID Connect sign-in keeps in the browser session until its callback (≥ 32 characters each). */
export interface PendingOidcSignIn {
  provider: OidcProviderId;
  state: string;
  nonce: string;
  codeVerifier: string;
  /** Where to go once signed in (a path of this site). */
  returnTo: string;
  startedAt: number;
}

/** A finished OpenID Connect sign-in: the user, and what logout at the provider needs. */
export interface OidcSignInResult {
  userId: string;
  provider: OidcProviderId;
  issuer: string;
  subject: string;
  idToken: string;
  createdUser: boolean;
  /** Organisations whose SIRET the provider vouched for, now waiting for an administrator. */
  accessRequests: { id: string; organisationId: string; organisationName: string }[];
}

export interface AccessRequestView {
  id: string;
  userId: string;
  userEmail: string | null;
  userName: string | null;
  organisationId: string;
  organisationName: string;
  siret: string;
  source: string;
  status: 'pending' | 'approved' | 'rejected';
  createdAt: Date;
  decidedAt: Date | null;
  decidedBy: string | null;
}
