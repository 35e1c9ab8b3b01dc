import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { sharedPath } from '@app/config';
import { leafHash } from '../merkle';
import { TransparencyError } from '../transparency.errors';
import {
  buildLeaf,
  canonicalJson,
  donorCommitment,
  donorPseudonym,
  encodeLeaf,
  foldBalances,
  JsonValue,
  newCommitmentSalt,
  parseLeaf,
} from './index';

const vectors = JSON.parse(readFileSync(sharedPath('test-vectors', 'merkle-ledger.json'), 'utf8')) as {
  cases: { leaves: string[]; leafHashes: string[] }[];
};

describe('canonical JSON', () => {
  it('sorts keys by UTF-16 code units and keeps strings exact (RFC 8785)', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'é'], '\u00e9': 2, e: { z: '1', y: '2' } })).toBe(
      '{"a":[true,null,"é"],"b":1,"e":{"y":"2","z":"1"},"é":2}',
    );
  });
});

describe('ledger leaves', () => {
  it('rebuilds the ledger-shaped vector leaves byte for byte', () => {
    for (const c of vectors.cases) {
      c.leaves.forEach((data, i) => {
        const parsed = parseLeaf(data);
        const rebuilt = buildLeaf({
          version: parsed.v,
          seq: parsed.seq,
          entryId: parsed.tx,
          occurredAt: parsed.at,
          kind: parsed.kind,
          postings: parsed.postings.map((p) => ({
            account: p.acct,
            currency: p.ccy,
            direction: p.dr !== '0' ? 'D' : 'C',
            amount: BigInt(p.dr !== '0' ? p.dr : p.cr),
          })),
        });
        expect(encodeLeaf(rebuilt)).toBe(data);
        expect(leafHash(encodeLeaf(rebuilt)).toString('hex')).toBe(c.leafHashes[i]);
      });
    }
  });

  it('recomputes the vector balances (reference §8.2)', () => {
    const balances = foldBalances(vectors.cases[0].leaves.map(parseLeaf));
    expect(balances.get('asset:stripe:eur')).toMatchObject({ debitsPosted: 2500n, creditsPosted: 63n });
    expect(balances.get('liability:directed:proj-a')).toMatchObject({ creditsPosted: 1219n });
    expect(balances.get('liability:committee_pool')).toMatchObject({ creditsPosted: 1218n });
  });

  it('keeps amounts beyond 2^53 exact and round-trips every field', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: (1n << 63n) - 1n }),
        fc.constantFrom('posted', 'pending', 'post_pending', 'void_pending'),
        (amount, flow) => {
          const leaf = buildLeaf({
            seq: 42,
            entryId: 9007199254740993n,
            occurredAt: new Date('2026-03-01T12:34:56.789Z'),
            kind: 'contribution.public',
            businessRef: 'receipt:7',
            flow: flow as 'posted',
            pendingEntryId: flow === 'post_pending' || flow === 'void_pending' ? 3n : null,
            policyVersion: 2,
            party: { type: 'public_body', id: '13002526500013', name: 'Ville de Test' },
            postings: [
              { account: 'asset:bank:eur', currency: 'EUR', direction: 'D', amount },
              { account: 'liability:pool', currency: 'EUR', direction: 'C', amount },
            ],
          });
          const data = encodeLeaf(leaf);
          expect(parseLeaf(data)).toEqual(JSON.parse(data));
          expect(parseLeaf(data).postings[0].dr).toBe(amount.toString());
          expect(parseLeaf(data).tx).toBe('9007199254740993');
        },
      ),
    );
  });

  it('writes exactly what the generic canonical serialiser writes, whatever the strings and metadata', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 12 });
    const json: fc.Arbitrary<JsonValue> = fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<JsonValue>;
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            account: text,
            currency: text,
            direction: fc.constantFrom('D' as const, 'C' as const),
            amount: fc.bigInt({ min: 1n, max: (1n << 63n) - 1n }),
          }),
          { minLength: 2, maxLength: 6 },
        ),
        fc.option(text, { nil: undefined }),
        fc.option(fc.dictionary(text, json, { maxKeys: 3 }), { nil: undefined }),
        (postings, businessRef, extra) => {
          const leaf = buildLeaf({
            seq: 7,
            entryId: '12',
            occurredAt: '2026-03-01T00:00:00Z',
            kind: 'test',
            businessRef,
            reversesEntryId: businessRef === undefined ? null : '3',
            postings,
          });
          // metadata may even hold a "postings": [] of its own
          const withMeta = extra ? { ...leaf, meta: { ...extra, postings: [] } } : leaf;
          expect(encodeLeaf(withMeta)).toBe(canonicalJson(withMeta as unknown as JsonValue));
        },
      ),
    );
  });

  it('rejects non-canonical, unknown-version and malformed leaves', () => {
    const good = vectors.cases[0].leaves[0];
    const obj = JSON.parse(good) as Record<string, unknown>;
    const bad = [
      JSON.stringify(obj, null, 1),
      canonicalJson({ ...obj, v: 3 } as JsonValue),
      canonicalJson({ ...obj, postings: [] } as JsonValue),
      // a version-2 leaf never names a person in its metadata
      canonicalJson({ ...obj, v: 2, meta: { donor: 'Marie Curie-Privée' } } as JsonValue),
      canonicalJson({ ...obj, v: 2, meta: { email: 'marie@example.org' } } as JsonValue),
      good.replace('"dr":"2500"', '"dr":2500'),
      good.replace('"dr":"2500"', '"dr":"02500"'),
      'not json',
    ];
    for (const data of bad) expect(() => parseLeaf(data)).toThrow(TransparencyError);
  });

  it('reads both formats: a version-1 leaf may hold a name (history), a version-2 leaf a commitment only', () => {
    const v1 = JSON.parse(vectors.cases[0].leaves[0]) as Record<string, unknown>;
    expect(parseLeaf(canonicalJson({ ...v1, meta: { donor: 'Old Name' } } as JsonValue)).v).toBe(1);
    const commitment = donorCommitment(newCommitmentSalt(), 'intent:0f6c1d3e-0000-4000-8000-000000000001');
    const v2 = canonicalJson({
      ...v1,
      v: 2,
      party: { type: 'donor', commitment },
      meta: { mode: 'one_time' },
    } as JsonValue);
    expect(parseLeaf(v2)).toMatchObject({ v: 2, party: { type: 'donor', commitment } });
    const built = buildLeaf({
      seq: 4,
      entryId: '9',
      occurredAt: '2026-03-01T00:00:00Z',
      kind: 'contribution.donation',
      party: { type: 'donor', commitment },
      postings: [
        { account: 'asset:stripe:eur', currency: 'EUR', direction: 'D', amount: 100n },
        { account: 'liability:pool', currency: 'EUR', direction: 'C', amount: 100n },
      ],
    });
    expect(built.v).toBe(2);
    expect(encodeLeaf(built)).toMatch(/"party":\{"commitment":"[0-9a-f]{64}","type":"donor"\}.*"v":2\}$/);
  });
});

describe('donor commitments', () => {
  it('is SHA-256(salt ‖ identity), differs per salt, and a pseudonym is stable', () => {
    const salt = Buffer.alloc(32, 1);
    const c = donorCommitment(salt, 'donor:42');
    expect(c).toMatch(/^[0-9a-f]{64}$/);
    expect(donorCommitment(salt, 'donor:42')).toBe(c);
    expect(donorCommitment(newCommitmentSalt(), 'donor:42')).not.toBe(c);
    expect(donorPseudonym(c)).toBe(donorPseudonym(c));
    expect(() => donorCommitment(Buffer.alloc(16), 'x')).toThrow(TransparencyError);
  });
});
