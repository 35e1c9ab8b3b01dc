import { createHash, randomBytes } from 'node:crypto';

/** A new statement key for a donor without an account: `lsk_` and 32 random bytes, base64url. */
export function newStatementKey(): string {
  return `lsk_${randomBytes(32).toString('base64url')}`;
}

/** What is stored of a statement key. */
export function statementKeyHash(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}
