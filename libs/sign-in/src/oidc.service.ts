import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import * as oidc from 'openid-client';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '@app/config';
import { auditInsert, Principal, SYSTEM_PRINCIPAL } from '@app/identity';
import { SignInRateLimiter } from './rate-limiter';
import { SignInError, SignInErrorCode } from './sign-in.errors';
import {
  OIDC_PROVIDER_IDS,
  OidcProviderId,
  OidcProviderView,
  OidcSignInResult,
  PendingOidcSignIn,
} from './sign-in.types';

/** ProConnect's default scopes (§1.4): scope name = claim name. */
export const PROCONNECT_SCOPE = 'openid email given_name usual_name uid siret idp_id organization_label';
const GENERIC_SCOPE = 'openid email profile';
/** A started sign-in must come back within this time. */
export const OIDC_PENDING_MAX_MS = 10 * 60_000;
export const OIDC_STARTS_PER_IP = 30;

interface ProviderSettings {
  id: OidcProviderId;
  label: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  scope: string;
}

/** The claims the Librery keeps from a provider (ID token and userinfo, §1.4). */
export interface OidcClaims {
  sub: string;
  email?: string;
  email_verified?: boolean;
  given_name?: string;
  usual_name?: string;
  family_name?: string;
  name?: string;
  uid?: string;
  siret?: string;
  idp_id?: string;
  organization_label?: string;
  [claim: string]: unknown;
}

/**
 * OpenID Connect sign-in (ProConnect, and a second generic provider): authorization code with
 * PKCE, `state` and `nonce` kept in the browser session, ID token checked by openid-client
 * (issuer, audience, signature, nonce), userinfo read as ProConnect signs it, identity linked to
 * a user by (issuer, sub).
 */
@Injectable()
export class OidcService {
  private readonly logger = new Logger(OidcService.name);
  private readonly providers = new Map<OidcProviderId, ProviderSettings>();
  private readonly configurations = new Map<OidcProviderId, Promise<oidc.Configuration>>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly limiter: SignInRateLimiter,
    private readonly config: AppConfig,
  ) {
    if (config.PROCONNECT_ISSUER && config.PROCONNECT_CLIENT_ID && config.PROCONNECT_CLIENT_SECRET)
      this.providers.set('proconnect', {
        id: 'proconnect',
        label: 'ProConnect',
        issuer: config.PROCONNECT_ISSUER,
        clientId: config.PROCONNECT_CLIENT_ID,
        clientSecret: config.PROCONNECT_CLIENT_SECRET,
        scope: PROCONNECT_SCOPE,
      });
    if (
      config.OIDC_MAINTAINERS_ISSUER &&
      config.OIDC_MAINTAINERS_CLIENT_ID &&
      config.OIDC_MAINTAINERS_CLIENT_SECRET
    )
      this.providers.set('maintainers', {
        id: 'maintainers',
        label: config.OIDC_MAINTAINERS_LABEL,
        issuer: config.OIDC_MAINTAINERS_ISSUER,
        clientId: config.OIDC_MAINTAINERS_CLIENT_ID,
        clientSecret: config.OIDC_MAINTAINERS_CLIENT_SECRET,
        scope: GENERIC_SCOPE,
      });
  }

  /** The configured providers, for the sign-in page's buttons. */
  configured(): OidcProviderView[] {
    return [...this.providers.values()].map((p) => ({ id: p.id, label: p.label }));
  }

  /** Where the provider sends the browser back: registered with it, exactly. */
  redirectUri(provider: OidcProviderId): string {
    return `${this.base()}/auth/${provider}/callback`;
  }

  /** Where the provider sends the browser after logging out there. */
  postLogoutRedirectUri(): string {
    return `${this.base()}/sign-out/done`;
  }

  /** Starts a sign-in: the URL to send the browser to, and what to keep in its session. */
  async begin(
    providerId: string,
    input: { returnTo: string; ip: string },
  ): Promise<{ url: string; pending: PendingOidcSignIn }> {
    const provider = this.provider(providerId);
    await this.limiter.hit([
      { key: `oidc-start-ip:${input.ip}`, max: OIDC_STARTS_PER_IP, windowSeconds: 900 },
    ]);
    const configuration = await this.configuration(provider);
    const pending: PendingOidcSignIn = {
      provider: provider.id,
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      codeVerifier: oidc.randomPKCECodeVerifier(),
      returnTo: safeReturnTo(input.returnTo),
      startedAt: Date.now(),
    };
    const url = oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: this.redirectUri(provider.id),
      scope: provider.scope,
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.codeVerifier),
      code_challenge_method: 'S256',
    });
    return { url: url.href, pending };
  }

  /**
   * Finishes a sign-in from the callback URL. Refused (CallbackRefused, nothing signed in) when no
   * sign-in of this provider is pending in the session, when the state, the nonce, the issuer or
   * the code do not check out (a code is used once: a replayed one is refused by the provider).
   */
  async callback(
    providerId: string,
    currentUrl: URL,
    pending: PendingOidcSignIn | undefined,
  ): Promise<OidcSignInResult> {
    const provider = this.provider(providerId);
    if (!pending || pending.provider !== provider.id)
      throw refused('no sign-in with this provider is in progress in this browser');
    if (Date.now() - pending.startedAt > OIDC_PENDING_MAX_MS)
      throw refused('this sign-in took too long; start again');
    const error = currentUrl.searchParams.get('error');
    if (error) throw refused(`the provider answered ${error}`, { providerError: error });
    const configuration = await this.configuration(provider);
    let claims: OidcClaims;
    let idToken: string;
    try {
      const tokens = await oidc.authorizationCodeGrant(
        configuration,
        currentUrl,
        {
          pkceCodeVerifier: pending.codeVerifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        },
        { redirect_uri: this.redirectUri(provider.id) },
      );
      const idClaims = tokens.claims();
      if (!idClaims || !tokens.id_token) throw new Error('no ID token');
      idToken = tokens.id_token;
      const userinfo = await oidc.fetchUserInfo(configuration, tokens.access_token, idClaims.sub);
      claims = { ...(userinfo as OidcClaims), ...(idClaims as OidcClaims), sub: idClaims.sub };
    } catch (e) {
      const reason = describe(e);
      this.logger.warn({ provider: provider.id, reason }, 'OpenID Connect callback refused');
      throw refused(`the sign-in could not be verified: ${reason}`);
    }
    return this.link(provider, configuration.serverMetadata().issuer, claims, idToken);
  }

  /** The provider's logout URL for this ID token (end_session with id_token_hint), or null when it has none. */
  async endSessionUrl(providerId: string, idToken: string): Promise<string | null> {
    const provider = this.provider(providerId);
    const configuration = await this.configuration(provider);
    if (!configuration.serverMetadata().end_session_endpoint) return null;
    return oidc.buildEndSessionUrl(configuration, {
      id_token_hint: idToken,
      post_logout_redirect_uri: this.postLogoutRedirectUri(),
      state: oidc.randomState(),
    }).href;
  }

  private async link(
    provider: ProviderSettings,
    issuer: string,
    claims: OidcClaims,
    idToken: string,
  ): Promise<OidcSignInResult> {
    const email = typeof claims.email === 'string' && claims.email.includes('@') ? claims.email.trim() : null;
    const name =
      [claims.given_name, claims.usual_name ?? claims.family_name]
        .filter((s) => typeof s === 'string')
        .join(' ') || (typeof claims.name === 'string' ? claims.name : null);
    const kept = pickClaims(claims);
    return this.dataSource.transaction(async (m) => {
      const actor: Principal = { ...SYSTEM_PRINCIPAL };
      const linked = (await m.query(
        `UPDATE oidc_identities SET last_sign_in_at = now(), email = $3, claims = $4
          WHERE issuer = $1 AND subject = $2 RETURNING user_id`,
        [issuer, claims.sub, email, JSON.stringify(kept)],
      )) as [{ user_id: string }[], number];
      let userId = linked[0][0]?.user_id as string | undefined;
      let createdUser = false;
      if (!userId) {
        const existing = email
          ? ((await m.query(
              'SELECT id FROM users WHERE lower(email) = lower($1) AND erased_at IS NULL FOR UPDATE',
              [email],
            )) as { id: string }[])
          : [];
        if (existing.length > 0) {
          // ProConnect vouches for professional addresses; another provider must say it verified it.
          if (provider.id !== 'proconnect' && claims.email_verified !== true)
            throw new SignInError(
              SignInErrorCode.EmailUnverified,
              'a user already has this address and the provider did not verify it: sign in with an email link',
            );
          userId = existing[0].id;
        } else {
          const [user] = (await m.query(
            'INSERT INTO users (email, display_name) VALUES ($1, $2) RETURNING id',
            [email, name || null],
          )) as { id: string }[];
          userId = user.id;
          createdUser = true;
          await this.audit(
            m,
            actor,
            'user.create',
            { type: 'user', id: userId },
            { via: `oidc:${provider.id}` },
          );
        }
        await m.query(
          `INSERT INTO oidc_identities (issuer, subject, user_id, provider, email, claims) VALUES ($1, $2, $3, $4, $5, $6)`,
          [issuer, claims.sub, userId, provider.id, email, JSON.stringify(kept)],
        );
        await this.audit(
          m,
          { ...actor, userId },
          'oidc_identity.link',
          { type: 'user', id: userId },
          {
            provider: provider.id,
            issuer,
          },
        );
      }
      const accessRequests =
        provider.id === 'proconnect' && typeof claims.siret === 'string' && /^[0-9]{14}$/.test(claims.siret)
          ? await this.requestOrganisationAccess(m, userId, claims.siret, provider.id)
          : [];
      return {
        userId,
        provider: provider.id,
        issuer,
        subject: claims.sub,
        idToken,
        createdUser,
        accessRequests,
      };
    });
  }

  /**
   * The SIRET ProConnect vouches for names a known organisation: a pending request an
   * administrator approves before the user acts for it; none when one exists or the user is
   * already a buyer for it.
   */
  private async requestOrganisationAccess(
    m: EntityManager,
    userId: string,
    siret: string,
    source: string,
  ): Promise<OidcSignInResult['accessRequests']> {
    const rows = (await m.query(
      `INSERT INTO organisation_access_requests (id, user_id, organisation_id, siret, source)
       SELECT $4, $1, o.id, o.siret, $3 FROM organisations o
        WHERE o.siret = $2
          AND NOT EXISTS (SELECT 1 FROM role_grants g WHERE g.user_id = $1 AND g.role = 'buyer'
                             AND g.scope_id = o.id::text AND g.revoked_at IS NULL)
       ON CONFLICT (user_id, organisation_id) DO NOTHING
       RETURNING id, organisation_id, (SELECT name FROM organisations WHERE id = organisation_id) AS name`,
      [userId, siret, source, randomUUID()],
    )) as { id: string; organisation_id: string; name: string }[];
    for (const r of rows)
      await this.audit(
        m,
        { ...SYSTEM_PRINCIPAL, userId },
        'organisation_access.request',
        { type: 'organisation_access_request', id: r.id },
        { organisationId: r.organisation_id, siret },
      );
    return rows.map((r) => ({ id: r.id, organisationId: r.organisation_id, organisationName: r.name }));
  }

  private async audit(
    m: EntityManager,
    actor: Principal,
    action: string,
    target: { type: string; id: string },
    details: Record<string, unknown>,
  ): Promise<void> {
    const { sql, params } = auditInsert(actor, action, target, details, 1);
    await m.query(sql, params);
  }

  private provider(id: string): ProviderSettings {
    const provider = (OIDC_PROVIDER_IDS as readonly string[]).includes(id)
      ? this.providers.get(id as OidcProviderId)
      : undefined;
    if (!provider) throw new SignInError(SignInErrorCode.UnknownProvider, `no sign-in provider ${id}`);
    return provider;
  }

  /** Discovered once per process; a failed discovery is tried again next time. */
  private configuration(provider: ProviderSettings): Promise<oidc.Configuration> {
    let found = this.configurations.get(provider.id);
    if (!found) {
      const insecure = this.config.OIDC_ALLOW_HTTP;
      found = oidc
        .discovery(
          new URL(provider.issuer),
          provider.clientId,
          {
            id_token_signed_response_alg: 'RS256',
            userinfo_signed_response_alg: provider.id === 'proconnect' ? 'RS256' : undefined,
          },
          oidc.ClientSecretPost(provider.clientSecret),
          { execute: insecure ? [oidc.allowInsecureRequests] : [], timeout: 10 },
        )
        .catch((e: unknown) => {
          this.configurations.delete(provider.id);
          this.logger.error({ provider: provider.id, err: e }, 'OpenID Connect discovery failed');
          throw new SignInError(
            SignInErrorCode.ProviderUnavailable,
            `${provider.label} cannot be reached; try again later`,
          );
        });
      this.configurations.set(provider.id, found);
    }
    return found;
  }

  private base(): string {
    return this.config.PUBLIC_BASE_URL.replace(/\/$/, '');
  }
}

/** An error and its causes' messages (openid-client wraps oauth4webapi's, which names the claim). */
function describe(error: unknown): string {
  const messages: string[] = [];
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 3; e = e.cause, depth++)
    if (!messages.includes(e.message)) messages.push(e.message);
  return messages.join(': ') || String(error);
}

function refused(message: string, details: Record<string, unknown> = {}): SignInError {
  return new SignInError(SignInErrorCode.CallbackRefused, message, details);
}

/** A path of this site (never another origin, never `//host`); `/` otherwise. */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.includes('\\'))
    return '/';
  return value.length > 500 ? '/' : value;
}

const KEPT_CLAIMS = [
  'sub',
  'email',
  'given_name',
  'usual_name',
  'family_name',
  'name',
  'uid',
  'siret',
  'idp_id',
  'idp_acr',
  'organization_label',
  'acr',
  'amr',
] as const;

function pickClaims(claims: OidcClaims): Record<string, unknown> {
  return Object.fromEntries(KEPT_CLAIMS.filter((k) => claims[k] !== undefined).map((k) => [k, claims[k]]));
}
