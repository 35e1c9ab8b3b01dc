export const ROLES = ['admin', 'treasurer', 'buyer', 'donor', 'committee_member', 'maintainer'] as const;
export type Role = (typeof ROLES)[number];

/** Roles that only make sense for one organisation, college or project. */
export const SCOPED_ROLES: readonly Role[] = ['buyer', 'committee_member', 'maintainer'];

export interface RoleGrant {
  readonly role: Role;
  /** organisation id (buyer), college id (committee member), project id (maintainer); '' otherwise */
  readonly scopeId: string;
}

/** Who is acting: a user through a token, or the platform itself (worker, CLI). */
export interface Principal {
  readonly kind: 'user' | 'system' | 'cli';
  readonly userId: string | null;
  readonly tokenId: string | null;
  readonly grants: readonly RoleGrant[];
  readonly requestId?: string;
}

export const SYSTEM_PRINCIPAL: Principal = { kind: 'system', userId: null, tokenId: null, grants: [] };

export interface IssuedToken {
  readonly id: string;
  /** shown once, never stored */
  readonly token: string;
  readonly expiresAt: Date;
}

/** A token as its owner sees it: never the secret nor its hash. */
export interface TokenView {
  readonly id: string;
  readonly name: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly revokedAt: Date | null;
}
