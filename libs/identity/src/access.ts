import { IdentityError, IdentityErrorCode } from './identity.errors';
import { Principal, Role } from './identity.types';

/** Does the principal hold `role` (for `scopeId` when the role is scoped)? The system holds every role. */
export function hasRole(principal: Principal, role: Role, scopeId?: string): boolean {
  if (principal.kind === 'system' || principal.kind === 'cli') return true;
  return principal.grants.some((g) => g.role === role && (scopeId === undefined || g.scopeId === scopeId));
}

/**
 * Access checks live in services, so HTTP, the worker and the CLI get the same rules.
 * Passes when the principal holds any of `roles` (scoped ones for `scopeId`); else 401/403.
 */
export function requireRole(
  principal: Principal | null | undefined,
  roles: Role | readonly Role[],
  scopeId?: string,
): Principal {
  if (!principal) throw new IdentityError(IdentityErrorCode.Unauthenticated, 'a valid API token is required');
  const wanted = typeof roles === 'string' ? [roles] : roles;
  if (wanted.some((role) => hasRole(principal, role, scopeId))) return principal;
  throw new IdentityError(
    IdentityErrorCode.Forbidden,
    `this requires the role ${wanted.join(' or ')}${scopeId ? ` for ${scopeId}` : ''}`,
    { roles: wanted, scopeId },
  );
}

/** The scope ids for which the principal holds `role`. */
export function scopesOf(principal: Principal, role: Role): string[] {
  return principal.grants.filter((g) => g.role === role).map((g) => g.scopeId);
}
