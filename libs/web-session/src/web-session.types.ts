import { Principal, RoleGrant } from '@app/identity';

/** How long a session lives without a request, and at most. */
export const SESSION_IDLE_MINUTES = 30;
export const SESSION_ABSOLUTE_HOURS = 12;

export interface SessionUser {
  readonly id: string;
  readonly displayName: string;
  readonly email: string | null;
  readonly roles: readonly RoleGrant[];
}

/** A live browser session, as read for one request. */
export interface WebSession {
  /** the cookie's value (random, 32 bytes base64url); only its SHA-256 is stored */
  readonly id: string;
  /** synchronizer token every form of this session carries */
  readonly csrfToken: string;
  readonly user: SessionUser | null;
  /** same shape as the principal behind an API token of the same user (tokenId null) */
  readonly principal: Principal | null;
  readonly authMethod: string | null;
  /** small state kept between two requests (sign-in state, a journey's choices) */
  readonly data: Readonly<Record<string, unknown>>;
  readonly createdAt: Date;
}
