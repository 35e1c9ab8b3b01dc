import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { PostEntryCommand } from './ledger.types';
import { canonicalRequest, canonicalRequestObject } from './request-hash';

describe('canonical entry request', () => {
  const text = fc.string({ unit: 'grapheme', maxLength: 10 });
  const posting = fc.record({
    account: fc.constantFrom(
      'asset:bank:eur',
      'liability:pool:eur',
      'liability:project:p1:directed:eur',
      'a"b\\c',
    ),
    direction: fc.constantFrom('debit' as const, 'credit' as const),
    amount: fc.bigInt({ min: 1n, max: (1n << 63n) - 1n }),
    // an account holds one currency: equal keys, equal postings
    currency: fc.constant('EUR'),
  });
  const command: fc.Arbitrary<PostEntryCommand> = fc.record(
    {
      kind: fc.constantFrom('test', 'disbursement.payable'),
      businessRef: text,
      idempotencyKey: text,
      flow: fc.constantFrom('posted' as const, 'pending' as const),
      reversesEntryId: fc.constantFrom('12', '9007199254740993'),
      policyVersion: fc.nat(),
      description: text,
      // metadata may hold a "postings": [] of its own
      metadata: fc.dictionary(text, fc.jsonValue({ maxDepth: 2 })).map((m) => ({ ...m, postings: [] })),
      occurredAt: fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }),
      postings: fc.array(posting, { minLength: 2, maxLength: 8 }),
    },
    { requiredKeys: ['kind', 'businessRef', 'idempotencyKey', 'postings'] },
  );

  it('is the generic RFC 8785 serialisation of the request, postings sorted, whatever their order', () => {
    fc.assert(
      fc.property(command, (c) => {
        expect(canonicalRequest(c)).toBe(canonicalize(canonicalRequestObject(c)));
        expect(canonicalRequest({ ...c, postings: [...c.postings].reverse() })).toBe(canonicalRequest(c));
      }),
    );
  });
});
