import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import { AppConfig, dataPath } from '@app/config';
import { NoteSigner } from './signed-note';

/** The key that signs checkpoints: LOG_SIGNING_SEED, or in development a seed generated once and kept under .data. */
export function loadLogSigner(config: AppConfig): NoteSigner {
  if (config.LOG_SIGNING_SEED) return NoteSigner.fromSeedHex(config.LOG_ORIGIN, config.LOG_SIGNING_SEED);
  const file = dataPath('transparency', 'log-signing-seed.hex');
  let seedHex: string;
  try {
    seedHex = readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(dirname(file), { recursive: true });
    try {
      writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    seedHex = readFileSync(file, 'utf8').trim();
  }
  return NoteSigner.fromSeedHex(config.LOG_ORIGIN, seedHex);
}

export const LOG_SIGNER = Symbol('LOG_SIGNER');
