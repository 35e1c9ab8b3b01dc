import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { sharedPath } from '@app/config';
import { TransparencyError, TransparencyErrorCode } from '../transparency.errors';
import {
  appendLeaves,
  consistencyBundle,
  inclusionBundle,
  decodeFrontier,
  EMPTY_FRONTIER,
  emptyRoot,
  encodeFrontier,
  frontierRoot,
  leafHash,
  MemoryTree,
  nodeHash,
  splitPoint,
  StreamingRoot,
  verifyConsistency,
  verifyInclusion,
} from './index';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const fromHex = (s: string): Buffer => Buffer.from(s, 'hex');
const fromB64 = (s: string): Buffer => Buffer.from(s, 'base64');

/** Reads a vector file keeping integers beyond 2^53 exact (as strings, turned into bigint). */
function readVector(path: string): Record<string, unknown> {
  const text = readFileSync(path, 'utf8').replace(
    /("(?:leafIdx|treeSize|size1|size2)"\s*:\s*)(\d+)/g,
    '$1"$2"',
  );
  return JSON.parse(text) as Record<string, unknown>;
}

function vectorFiles(kind: 'inclusion' | 'consistency'): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.json') ? [join(dir, e.name)] : [],
    );
  return walk(sharedPath('test-vectors', 'rfc6962-merkle', kind)).sort();
}

/** The naive recursive MTH of RFC 9162 §2.1.1, to cross-check the stored-subtree computation. */
function naiveRoot(hashes: Buffer[]): Buffer {
  if (hashes.length === 0) return emptyRoot();
  if (hashes.length === 1) return hashes[0];
  const k = splitPoint(hashes.length);
  return nodeHash(naiveRoot(hashes.slice(0, k)), naiveRoot(hashes.slice(k)));
}

const OFFICIAL_LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
];

describe('RFC 6962 official vectors (transparency-dev/merkle testdata)', () => {
  const inclusion = vectorFiles('inclusion');
  const consistency = vectorFiles('consistency');

  it('has the files SOURCE.md announces', () => {
    expect(inclusion.length + consistency.length).toBe(196);
  });

  it.each(inclusion.map((f) => [f.split('rfc6962-merkle/')[1], f]))('inclusion %s', (_name, file) => {
    const v = readVector(file) as {
      leafIdx: string;
      treeSize: string;
      root: string;
      leafHash: string;
      proof: string[] | null;
      wantErr: boolean;
    };
    const ok = verifyInclusion(
      BigInt(v.leafIdx),
      BigInt(v.treeSize),
      fromB64(v.leafHash ?? ''),
      (v.proof ?? []).map(fromB64),
      fromB64(v.root ?? ''),
    );
    expect(ok).toBe(!v.wantErr);
  });

  it.each(consistency.map((f) => [f.split('rfc6962-merkle/')[1], f]))('consistency %s', (_name, file) => {
    const v = readVector(file) as {
      size1: string;
      size2: string;
      root1: string;
      root2: string;
      proof: string[] | null;
      wantErr: boolean;
    };
    const ok = verifyConsistency(
      BigInt(v.size1),
      BigInt(v.size2),
      fromB64(v.root1 ?? ''),
      fromB64(v.root2 ?? ''),
      (v.proof ?? []).map(fromB64),
    );
    expect(ok).toBe(!v.wantErr);
  });

  it('generates the happy-path proofs of the official vectors from stored subtrees', async () => {
    const tree = new MemoryTree();
    for (const leaf of OFFICIAL_LEAVES) tree.appendData(fromHex(leaf));
    for (const file of inclusion.filter((f) => f.endsWith('happy-path.json'))) {
      const v = readVector(file) as {
        leafIdx: string;
        treeSize: string;
        root: string;
        proof: string[] | null;
      };
      const proof = await tree.inclusionProof(Number(v.leafIdx), Number(v.treeSize));
      expect(proof.map((p) => p.toString('base64'))).toEqual(v.proof ?? []);
      expect((await tree.rootAt(Number(v.treeSize))).toString('base64')).toBe(v.root);
    }
    for (const file of consistency.filter((f) => f.endsWith('happy-path.json'))) {
      const v = readVector(file) as {
        size1: string;
        size2: string;
        root1: string;
        root2: string;
        proof: string[] | null;
      };
      const proof = await tree.consistencyProof(Number(v.size1), Number(v.size2));
      expect(proof.map((p) => p.toString('base64'))).toEqual(v.proof ?? []);
      expect((await tree.rootAt(Number(v.size1))).toString('base64')).toBe(v.root1);
      expect((await tree.rootAt(Number(v.size2))).toString('base64')).toBe(v.root2);
    }
  });

  it('hashes the hasher vectors of rfc6962_test.go', () => {
    expect(hex(leafHash('L123456'))).toBe('395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56');
    expect(hex(nodeHash(Buffer.from('N123'), Buffer.from('N456')))).toBe(
      'aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb',
    );
  });
});

interface LedgerCase {
  name: string;
  leaves: string[];
  leafHashes: string[];
  roots: Record<string, string>;
  inclusion: { index: number; size: number; proof: string[] }[];
  consistency: { size1: number; size2: number; proof: string[] }[];
  verifyCases: (
    | {
        kind: 'inclusion';
        index: number;
        size: number;
        leafHash: string;
        proof: string[];
        root: string;
        valid: boolean;
        why: string;
      }
    | {
        kind: 'consistency';
        size1: number;
        size2: number;
        root1: string;
        root2: string;
        proof: string[];
        valid: boolean;
        why: string;
      }
  )[];
}

describe('merkle-ledger.json', () => {
  const vectors = JSON.parse(readFileSync(sharedPath('test-vectors', 'merkle-ledger.json'), 'utf8')) as {
    cases: LedgerCase[];
  };

  describe.each(vectors.cases.map((c) => [c.name, c]))('%s', (_name, c) => {
    const tree = new MemoryTree();
    for (const leaf of c.leaves) tree.appendData(leaf);

    it('leaf hashes and roots', async () => {
      expect(c.leaves.map((l) => hex(leafHash(l)))).toEqual(c.leafHashes);
      for (const [size, root] of Object.entries(c.roots))
        expect(hex(await tree.rootAt(Number(size)))).toBe(root);
      expect(hex(tree.root())).toBe(c.roots[String(c.leaves.length)]);
    });

    it('inclusion proofs', async () => {
      for (const p of c.inclusion) {
        const proof = await tree.inclusionProof(p.index, p.size);
        expect(proof.map(hex)).toEqual(p.proof);
        expect(
          verifyInclusion(
            p.index,
            p.size,
            fromHex(c.leafHashes[p.index]),
            proof,
            fromHex(c.roots[String(p.size)]),
          ),
        ).toBe(true);
      }
    });

    it('consistency proofs', async () => {
      for (const p of c.consistency) {
        const proof = await tree.consistencyProof(p.size1, p.size2);
        expect(proof.map(hex)).toEqual(p.proof);
        expect(
          verifyConsistency(
            p.size1,
            p.size2,
            fromHex(c.roots[String(p.size1)]),
            fromHex(c.roots[String(p.size2)]),
            proof,
          ),
        ).toBe(true);
      }
    });

    it.each(c.verifyCases.map((v) => [v.kind, v.why, v]))('verify %s: %s', (_k, _why, v) => {
      const ok =
        v.kind === 'inclusion'
          ? verifyInclusion(v.index, v.size, fromHex(v.leafHash), v.proof.map(fromHex), fromHex(v.root))
          : verifyConsistency(v.size1, v.size2, fromHex(v.root1), fromHex(v.root2), v.proof.map(fromHex));
      expect(ok).toBe(v.valid);
    });
  });
});

describe('proof requests the log refuses', () => {
  const tree = new MemoryTree();
  for (let i = 0; i < 5; i++) tree.appendData(`leaf ${i}`);
  const code = async (p: Promise<unknown>): Promise<string> => {
    try {
      await p;
      return 'ok';
    } catch (e) {
      return e instanceof TransparencyError ? e.code : 'other';
    }
  };

  it('index at or beyond the size, size beyond the tree, size1 = 0, size1 > size2', async () => {
    expect(await code(tree.inclusionProof(5, 5))).toBe(TransparencyErrorCode.OutOfRange);
    expect(await code(tree.inclusionProof(0, 6))).toBe(TransparencyErrorCode.OutOfRange);
    expect(await code(tree.inclusionProof(-1, 5))).toBe(TransparencyErrorCode.InvalidProofRequest);
    expect(await code(tree.inclusionProof(0.5, 5))).toBe(TransparencyErrorCode.InvalidProofRequest);
    expect(await code(tree.consistencyProof(0, 3))).toBe(TransparencyErrorCode.InvalidProofRequest);
    expect(await code(tree.consistencyProof(4, 3))).toBe(TransparencyErrorCode.InvalidProofRequest);
    expect(await code(tree.consistencyProof(3, 6))).toBe(TransparencyErrorCode.OutOfRange);
    expect(await code(tree.consistencyProof(3, 5))).toBe('ok');
  });
});

describe('properties (random sizes)', () => {
  const flip = (proof: Buffer[], i: number, bit: number): Buffer[] =>
    proof.map((p, j) => {
      if (j !== i) return p;
      const c = Buffer.from(p);
      c[bit >> 3] ^= 1 << (bit & 7);
      return c;
    });

  it('every inclusion proof verifies, reads O(log n) subtrees, and any bit flip fails', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 300 }),
        fc.nat(),
        fc.nat(),
        fc.nat({ max: 255 }),
        async (size, a, b, bit) => {
          const tree = new MemoryTree();
          const hashes: Buffer[] = [];
          for (let i = 0; i < size; i++) {
            hashes.push(leafHash(`entry ${i}`));
            tree.appendHash(hashes[i]);
          }
          const n = 1 + (a % size);
          const index = b % n;
          const root = naiveRoot(hashes.slice(0, n));
          expect(await tree.rootAt(n)).toEqual(root);
          tree.reads = 0;
          const proof = await tree.inclusionProof(index, n);
          expect(tree.reads).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(size + 1)) + 2);
          expect(verifyInclusion(index, n, hashes[index], proof, root)).toBe(true);
          if (proof.length > 0) {
            const i = bit % proof.length;
            expect(verifyInclusion(index, n, hashes[index], flip(proof, i, bit), root)).toBe(false);
          }
          const badLeaf = Buffer.from(hashes[index]);
          badLeaf[bit >> 3] ^= 1 << (bit & 7);
          expect(verifyInclusion(index, n, badLeaf, proof, root)).toBe(false);
          const badRoot = Buffer.from(root);
          badRoot[bit >> 3] ^= 1 << (bit & 7);
          expect(verifyInclusion(index, n, hashes[index], proof, badRoot)).toBe(false);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('every consistency proof verifies and any bit flip fails', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 300 }),
        fc.nat(),
        fc.nat(),
        fc.nat({ max: 255 }),
        async (size, a, b, bit) => {
          const tree = new MemoryTree();
          const hashes: Buffer[] = [];
          for (let i = 0; i < size; i++) {
            hashes.push(leafHash(`e${i}`));
            tree.appendHash(hashes[i]);
          }
          const size2 = 1 + (a % size);
          const size1 = 1 + (b % size2);
          const root1 = naiveRoot(hashes.slice(0, size1));
          const root2 = naiveRoot(hashes.slice(0, size2));
          const proof = await tree.consistencyProof(size1, size2);
          expect(verifyConsistency(size1, size2, root1, root2, proof)).toBe(true);
          if (proof.length > 0) {
            expect(verifyConsistency(size1, size2, root1, root2, flip(proof, bit % proof.length, bit))).toBe(
              false,
            );
            expect(verifyConsistency(size1, size2, root1, root2, proof.slice(0, -1))).toBe(false);
          }
          const bad1 = Buffer.from(root1);
          bad1[bit >> 3] ^= 1 << (bit & 7);
          expect(verifyConsistency(size1, size2, bad1, root2, proof)).toBe(false);
          const bad2 = Buffer.from(root2);
          bad2[bit >> 3] ^= 1 << (bit & 7);
          expect(verifyConsistency(size1, size2, root1, bad2, proof)).toBe(false);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('appending in batches gives the same subtrees and root as one by one; the frontier round-trips', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 12 }), (batches) => {
        let frontier = EMPTY_FRONTIER;
        const all: Buffer[] = [];
        const stored = new Map<string, string>();
        for (const count of batches) {
          const leaves = Array.from({ length: count }, (_, i) => leafHash(`b${all.length + i}`));
          const result = appendLeaves(decodeFrontier(frontier.size, encodeFrontier(frontier)), leaves);
          for (const n of result.completed) {
            expect(stored.has(`${n.level}:${n.index}`)).toBe(false);
            stored.set(`${n.level}:${n.index}`, hex(n.hash));
          }
          all.push(...leaves);
          frontier = result.frontier;
          expect(frontier.size).toBe(all.length);
          expect(frontierRoot(frontier)).toEqual(naiveRoot(all));
        }
        // every perfect subtree fully inside [0, n) is stored exactly once
        let expected = 0;
        for (let size = 1; size <= all.length; size *= 2) expected += Math.floor(all.length / size);
        expect(stored.size).toBe(expected);
      }),
    );
  });
});

describe('StreamingRoot', () => {
  it('gives the root of every prefix', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 70 }), (leaves) => {
        const s = new StreamingRoot();
        expect(s.root()).toEqual(emptyRoot());
        leaves.forEach((leaf, i) => {
          expect(s.add(leaf)).toEqual(leafHash(leaf));
          expect(s.root()).toEqual(naiveRoot(leaves.slice(0, i + 1).map((l) => leafHash(l))));
        });
      }),
    );
  });
});

describe('proof bundles (one read)', () => {
  it('give the same proof, leaf hash and roots as the separate calls', async () => {
    const tree = new MemoryTree();
    for (let i = 0; i < 37; i++) tree.appendData(`x${i}`);
    for (const [index, size] of [
      [0, 1],
      [5, 37],
      [36, 37],
      [12, 20],
    ]) {
      tree.reads = 0;
      const b = await inclusionBundle(
        tree,
        index,
        size,
        tree.size,
        size === tree.size ? tree.root() : undefined,
      );
      expect(b.proof).toEqual(await tree.inclusionProof(index, size));
      expect(b.leafHash).toEqual(leafHash(`x${index}`));
      expect(b.root).toEqual(await tree.rootAt(size));
    }
    const c = await consistencyBundle(tree, 7, 30, tree.size);
    expect(c.proof).toEqual(await tree.consistencyProof(7, 30));
    expect(c.root1).toEqual(await tree.rootAt(7));
    expect(c.root2).toEqual(await tree.rootAt(30));
    await expect(consistencyBundle(tree, 0, 3, tree.size)).rejects.toBeInstanceOf(TransparencyError);
    await expect(inclusionBundle(tree, 3, 38, tree.size)).rejects.toBeInstanceOf(TransparencyError);
  });
});
