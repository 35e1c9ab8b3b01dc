import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { AppConfig, dataPath } from '@app/config';

/**
 * Who a private donor is to the public log: a subject, never written anywhere public. A donor
 * signed in gives as `user:<id>` (one commitment and pseudonym for all their gifts); a donor
 * without an account as `intent:<donation intent id>`. The log holds SHA-256(salt ‖ subject).
 */
export function donorSubject(intent: { id: string; donor_user_id: string | null }): string {
  return intent.donor_user_id ? `user:${intent.donor_user_id}` : `intent:${intent.id}`;
}

/**
 * The public pseudonym of a donor who is not named: an HMAC of its subject under a server key,
 * so that nobody without the key can compute a user's pseudonym from its id.
 */
export function donorPseudonym(key: Buffer, subject: string): string {
  return `donor-${createHmac('sha256', key).update(subject).digest('hex').slice(0, 12)}`;
}

/** A pseudonym for an erased donor: random, linked to nothing. */
export function erasedPseudonym(): string {
  return `donor-${randomBytes(6).toString('hex')}`;
}

/** DONOR_PSEUDONYM_KEY, or in development a key generated once and kept under .data. */
export function loadPseudonymKey(config: AppConfig): Buffer {
  if (config.DONOR_PSEUDONYM_KEY) return Buffer.from(config.DONOR_PSEUDONYM_KEY, 'hex');
  const file = dataPath('payments', 'donor-pseudonym-key.hex');
  try {
    return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
  } catch {
    mkdirSync(dirname(file), { recursive: true });
    try {
      writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
  }
}
