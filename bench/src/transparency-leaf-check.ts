import * as crypto from 'node:crypto';
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { StreamingRoot } from '@app/transparency';

export interface LeafCheckFigures {
  /** Leaves per second through the verifier's leaf check (leaf hash + root recomputation). */
  verifierLeavesPerSecond: number;
  /** Leaves per second hashing the same bytes once each with node:crypto SHA-256. */
  sha256LeavesPerSecond: number;
  /** Leaves per second hashing the same bytes once each with node:crypto's one-shot crypto.hash. */
  sha256OneShotLeavesPerSecond: number;
  /** verifier / createHash (target ≥ 0.5). */
  ratio: number;
  /** verifier / one-shot crypto.hash: the stricter comparison (a tree needs n − 1 node hashes more, so ≤ ~0.5). */
  ratioOneShot: number;
}

/** Typical leaf bytes: a ledger entry's canonical JSON of about 300 bytes. */
export function sampleLeaves(count: number): Buffer[] {
  return Array.from({ length: count }, (_, i) =>
    Buffer.from(
      `{"at":"2026-01-15T10:00:00Z","kind":"contribution.public","postings":[{"acct":"asset:bank:eur","ccy":"EUR","cr":"0","dr":"${1000 + i}"},{"acct":"liability:pool","ccy":"EUR","cr":"${500 + i}","dr":"0"},{"acct":"liability:project:${i % 97}:directed","ccy":"EUR","cr":"500","dr":"0"}],"ref":"receipt:${i}","seq":${i},"tx":"${i + 1}","v":1}`,
    ),
  );
}

function best(rounds: number, fn: () => void): number {
  let min = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    fn();
    min = Math.min(min, performance.now() - t0);
  }
  return min / 1000;
}

/** The verifier's per-leaf work against plain hashing of the same bytes, best of `rounds`, same run. */
export function measureLeafChecking(leaves: readonly Buffer[], rounds = 5): LeafCheckFigures {
  let sink = 0;
  const sha = best(rounds, () => {
    for (const leaf of leaves) sink ^= createHash('sha256').update(leaf).digest()[0];
  });
  const hash = (crypto as unknown as { hash?: (a: string, d: Uint8Array, e: 'buffer') => Buffer }).hash;
  const oneShot = hash
    ? best(rounds, () => {
        for (const leaf of leaves) sink ^= hash('sha256', leaf, 'buffer')[0];
      })
    : sha;
  const verifier = best(rounds, () => {
    const s = new StreamingRoot();
    for (const leaf of leaves) s.add(leaf);
    sink ^= s.root()[0];
  });
  if (sink === 256) throw new Error('unreachable');
  const verifierLeavesPerSecond = leaves.length / verifier;
  const sha256LeavesPerSecond = leaves.length / sha;
  const sha256OneShotLeavesPerSecond = leaves.length / oneShot;
  return {
    verifierLeavesPerSecond,
    sha256LeavesPerSecond,
    sha256OneShotLeavesPerSecond,
    ratio: verifierLeavesPerSecond / sha256LeavesPerSecond,
    ratioOneShot: verifierLeavesPerSecond / sha256OneShotLeavesPerSecond,
  };
}
