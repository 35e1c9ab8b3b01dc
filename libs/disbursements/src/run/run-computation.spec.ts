import fc from 'fast-check';
import { DisbursementsError } from '../disbursements.errors';
import { allocate } from '@app/money';
import {
  addToTotals,
  attribute,
  claimDeadline,
  computeProjectOutcome,
  computeProjectOutcomeFromSums,
  computeRun,
  emptyTotals,
  expandSources,
  openLots,
  OpenLot,
} from './run-computation';
import {
  BalanceAtCutoff,
  BalanceSums,
  CarryOverReason,
  ProjectRunInput,
  RunParameters,
  SourceCredit,
  SourceRange,
} from './run-computation.types';

const DAY = 86_400_000;
const cutoff = new Date('2026-10-31T23:59:59.000Z');
const params: RunParameters = { cutoff, minimumPayout: 5000n, claimDeadlineDays: 730 };
const daysBefore = (n: number) => new Date(cutoff.getTime() - n * DAY);

let seq = 0;
const credit = (amount: bigint, ageDays = 10, kind = 'contribution.booked'): SourceCredit => ({
  sourceId: String(++seq),
  kind,
  reference: `ref-${seq}`,
  occurredAt: daysBefore(ageDays),
  amount,
});

function project(overrides: Partial<ProjectRunInput> = {}): ProjectRunInput {
  return {
    projectId: 'p1',
    admitted: true,
    payoutVerified: true,
    directed: { credits: [], debited: 0n },
    allocated: { credits: [], debited: 0n },
    ...overrides,
  };
}

describe('openLots', () => {
  it('consumes the oldest credits first', () => {
    const [a, b, c] = [credit(100n), credit(200n), credit(300n)];
    const sut = openLots('directed', { credits: [a, b, c], debited: 250n });
    expect(sut.map((l) => [l.sourceId, l.open])).toEqual([
      [b.sourceId, 50n],
      [c.sourceId, 300n],
    ]);
  });

  it('refuses debits above credits and non-positive credits', () => {
    expect(() => openLots('directed', { credits: [credit(100n)], debited: 101n })).toThrow(
      DisbursementsError,
    );
    expect(() => openLots('directed', { credits: [credit(0n)], debited: 0n })).toThrow(DisbursementsError);
  });
});

describe('computeProjectOutcome', () => {
  it('moves directed and allocated balances to payable, attributed to their sources', () => {
    const d1 = credit(3000n);
    const d2 = credit(1500n);
    const r1 = credit(4000n, 5, 'round.allocation');
    const sut = computeProjectOutcome(
      project({ directed: { credits: [d1, d2], debited: 1000n }, allocated: { credits: [r1], debited: 0n } }),
      params,
    );
    expect(sut.carryOver).toBeNull();
    expect(sut.expired).toBeNull();
    expect(sut.payable).toEqual({
      amount: 7500n,
      directed: 3500n,
      allocated: 4000n,
      sources: [
        {
          balance: 'directed',
          sourceId: d1.sourceId,
          kind: 'contribution.booked',
          reference: d1.reference,
          amount: 2000n,
        },
        {
          balance: 'directed',
          sourceId: d2.sourceId,
          kind: 'contribution.booked',
          reference: d2.reference,
          amount: 1500n,
        },
        {
          balance: 'allocated',
          sourceId: r1.sourceId,
          kind: 'round.allocation',
          reference: r1.reference,
          amount: 4000n,
        },
      ],
    });
  });

  it.each([
    ['not admitted', { admitted: false }, CarryOverReason.NotAdmitted],
    ['without verified payout details', { payoutVerified: false }, CarryOverReason.NoVerifiedPayoutDetails],
    ['not admitted and unverified', { admitted: false, payoutVerified: false }, CarryOverReason.NotAdmitted],
  ] as const)('carries over a project %s', (_n, flags, reason) => {
    const sut = computeProjectOutcome(
      project({ ...flags, directed: { credits: [credit(9000n)], debited: 0n } }),
      params,
    );
    expect(sut.payable).toBeNull();
    expect(sut.carryOver).toEqual({ amount: 9000n, reason });
  });

  it('carries over below the minimum payout, and pays exactly at it', () => {
    const below = computeProjectOutcome(
      project({ allocated: { credits: [credit(4999n)], debited: 0n } }),
      params,
    );
    expect(below.carryOver).toEqual({ amount: 4999n, reason: CarryOverReason.BelowMinimumPayout });
    const at = computeProjectOutcome(
      project({ allocated: { credits: [credit(5000n)], debited: 0n } }),
      params,
    );
    expect(at.payable?.amount).toBe(5000n);
  });

  it('returns unclaimed directed money past the claim deadline to the pool, keeps the rest', () => {
    const old = credit(700n, 731);
    const edge = credit(800n, 730);
    const recent = credit(900n, 3);
    const sut = computeProjectOutcome(
      project({ payoutVerified: false, directed: { credits: [old, edge, recent], debited: 0n } }),
      params,
    );
    expect(sut.expired).toEqual({
      amount: 700n,
      sources: [
        {
          balance: 'directed',
          sourceId: old.sourceId,
          kind: old.kind,
          reference: old.reference,
          amount: 700n,
        },
      ],
    });
    expect(sut.carryOver).toEqual({ amount: 1700n, reason: CarryOverReason.NoVerifiedPayoutDetails });
  });

  it('never expires the money of a project that has claimed it, nor allocated money', () => {
    const sut = computeProjectOutcome(
      project({
        directed: { credits: [credit(100n, 2000)], debited: 0n },
        allocated: { credits: [credit(100n, 2000)], debited: 0n },
      }),
      params,
    );
    expect(sut.expired).toBeNull();
    expect(sut.carryOver?.reason).toBe(CarryOverReason.BelowMinimumPayout);
  });

  it('has nothing to do for an empty project, and refuses sources after the cut-off', () => {
    expect(computeProjectOutcome(project(), params)).toEqual({
      projectId: 'p1',
      expired: null,
      payable: null,
      carryOver: null,
    });
    const future = { ...credit(100n), occurredAt: new Date(cutoff.getTime() + 1) };
    expect(() =>
      computeProjectOutcome(project({ directed: { credits: [future], debited: 0n } }), params),
    ).toThrow(DisbursementsError);
  });
});

const creditsArb = fc.array(
  fc.record({ amount: fc.bigInt({ min: 1n, max: 10n ** 9n }), age: fc.integer({ min: 0, max: 1500 }) }),
  { maxLength: 12 },
);
const balanceArb = creditsArb.chain((rows) => {
  const total = rows.reduce((s, r) => s + r.amount, 0n);
  return fc.bigInt({ min: 0n, max: total }).map((debited) => ({
    credits: rows
      .map((r) => ({ age: r.age, amount: r.amount }))
      .sort((a, b) => b.age - a.age)
      .map((r) => credit(r.amount, r.age)),
    debited,
  }));
});
const projectArb = fc.record({
  projectId: fc.uuid(),
  admitted: fc.boolean(),
  payoutVerified: fc.boolean(),
  directed: balanceArb,
  allocated: balanceArb,
});
const paramsArb = fc.record({
  cutoff: fc.constant(cutoff),
  minimumPayout: fc.bigInt({ min: 0n, max: 10n ** 9n }),
  claimDeadlineDays: fc.integer({ min: 1, max: 1000 }),
});

const balanceOf = (b: { credits: readonly SourceCredit[]; debited: bigint }) =>
  b.credits.reduce((s, c) => s + c.amount, 0n) - b.debited;

describe('computeProjectOutcome properties', () => {
  it('no cent is created or lost: expired + payable + carried over = the balances', () => {
    fc.assert(
      fc.property(projectArb, paramsArb, (input, p) => {
        const sut = computeProjectOutcome(input, p);
        const out = (sut.expired?.amount ?? 0n) + (sut.payable?.amount ?? 0n) + (sut.carryOver?.amount ?? 0n);
        expect(out).toBe(balanceOf(input.directed) + balanceOf(input.allocated));
        expect(sut.payable === null || sut.carryOver === null).toBe(true);
      }),
    );
  });

  it('pays only admitted projects with verified details at or above the minimum; unverified never leaves carry-over', () => {
    fc.assert(
      fc.property(projectArb, paramsArb, (input, p) => {
        const sut = computeProjectOutcome(input, p);
        if (sut.payable) {
          expect(input.admitted && input.payoutVerified).toBe(true);
          expect(sut.payable.amount).toBeGreaterThanOrEqual(p.minimumPayout);
          expect(sut.payable.amount).toBeGreaterThan(0n);
        }
        if (!input.payoutVerified) expect(sut.payable).toBeNull();
        if (sut.carryOver?.reason === CarryOverReason.BelowMinimumPayout) {
          expect(sut.carryOver.amount).toBeLessThan(p.minimumPayout);
        }
        if (input.admitted && input.payoutVerified) expect(sut.expired).toBeNull();
      }),
    );
  });

  it('attributions add up per balance, and each source gets exactly what is left of it', () => {
    fc.assert(
      fc.property(projectArb, paramsArb, (input, p) => {
        const sut = computeProjectOutcome(input, p);
        for (const part of [sut.payable, sut.expired]) {
          if (!part) continue;
          expect(part.sources.reduce((s, a) => s + a.amount, 0n)).toBe(part.amount);
        }
        if (sut.payable) {
          const of = (b: 'directed' | 'allocated') =>
            sut.payable!.sources.filter((s) => s.balance === b).reduce((s, a) => s + a.amount, 0n);
          expect(of('directed')).toBe(sut.payable.directed);
          expect(of('allocated')).toBe(sut.payable.allocated);
          const open = new Map(
            [...openLots('directed', input.directed), ...openLots('allocated', input.allocated)].map((l) => [
              `${l.balance}:${l.sourceId}`,
              l.open,
            ]),
          );
          for (const s of sut.payable.sources) expect(s.amount).toBe(open.get(`${s.balance}:${s.sourceId}`));
        }
        if (sut.expired) {
          for (const s of sut.expired.sources) expect(s.balance).toBe('directed');
        }
      }),
    );
  });

  it('the streaming run yields the per-project outcomes and totals that add up', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(projectArb, { maxLength: 20 }), paramsArb, async (projects, p) => {
        const totals = emptyTotals();
        const outcomes = [];
        for await (const o of computeRun(projects, p, totals)) outcomes.push(o);
        expect(outcomes).toEqual(projects.map((input) => computeProjectOutcome(input, p)));
        const again = outcomes.reduce(addToTotals, emptyTotals());
        expect(totals).toEqual(again);
        const all = projects.reduce((s, x) => s + balanceOf(x.directed) + balanceOf(x.allocated), 0n);
        expect(totals.payable + totals.expired + totals.carriedOver).toBe(all);
        const byReason = Object.values(totals.carriedOverByReason).reduce((s, v) => s + v, 0n);
        expect(byReason).toBe(totals.carriedOver);
      }),
      { numRuns: 50 },
    );
  });
});

/** The three sums the run reads for a balance whose credits (in FIFO order) and debits are known. */
function sumsOf(b: BalanceAtCutoff, p: RunParameters): BalanceSums {
  const deadline = claimDeadline(p).getTime();
  return {
    credited: b.credits.reduce((s, c) => s + c.amount, 0n),
    debited: b.debited,
    creditedBeforeDeadline: b.credits
      .filter((c) => c.occurredAt.getTime() < deadline)
      .reduce((s, c) => s + c.amount, 0n),
  };
}

describe('computeProjectOutcomeFromSums (algorithm v2: what the run computes)', () => {
  it('property: same amounts as the rule on lots, and its source ranges expand to the same attributions', () => {
    fc.assert(
      fc.property(projectArb, paramsArb, (input, p) => {
        const fromLots = computeProjectOutcome(input, p);
        const sut = computeProjectOutcomeFromSums(
          {
            ...input,
            directed: sumsOf(input.directed, p),
            allocated: sumsOf(input.allocated, p),
          },
          p,
        );
        const credits = { directed: input.directed.credits, allocated: input.allocated.credits };
        const expanded = (part: { sources: readonly SourceRange[] } | null) =>
          part ? { ...part, sources: expandSources(part.sources, credits) } : null;
        expect({ ...sut, payable: expanded(sut.payable), expired: expanded(sut.expired) }).toEqual(fromLots);
      }),
    );
  });

  it('property: each expanded source is what allocate() gives the moved amount, weighted by the open lots', () => {
    fc.assert(
      fc.property(projectArb, paramsArb, (input, p) => {
        const sut = computeProjectOutcomeFromSums(
          { ...input, directed: sumsOf(input.directed, p), allocated: sumsOf(input.allocated, p) },
          p,
        );
        const credits = { directed: input.directed.credits, allocated: input.allocated.credits };
        for (const part of [sut.payable, sut.expired]) {
          for (const range of part?.sources ?? []) {
            const parts = expandSources([range], credits);
            const viaAllocate = allocate(
              range.to - range.from,
              parts.map((a) => ({ key: `${a.balance}:${a.sourceId}`, weight: a.amount })),
            );
            expect(parts.map((a) => a.amount)).toEqual(viaAllocate.map((x) => x.amount));
            const open = new Map(
              openLots(range.balance, input[range.balance]).map((l) => [l.sourceId, l.open] as const),
            );
            for (const a of parts) expect(a.amount).toBeLessThanOrEqual(open.get(a.sourceId)!);
          }
        }
      }),
    );
  });

  it('needs the credits before the deadline for an unclaimed directed balance, and refuses inconsistent sums', () => {
    const unclaimed = { projectId: 'p', admitted: true, payoutVerified: false };
    const none = { credited: 0n, debited: 0n };
    expect(() =>
      computeProjectOutcomeFromSums(
        { ...unclaimed, directed: { credited: 10n, debited: 0n }, allocated: none },
        params,
      ),
    ).toThrow(DisbursementsError);
    expect(() =>
      computeProjectOutcomeFromSums(
        {
          ...unclaimed,
          directed: { credited: 10n, debited: 0n, creditedBeforeDeadline: 11n },
          allocated: none,
        },
        params,
      ),
    ).toThrow(DisbursementsError);
    expect(
      computeProjectOutcomeFromSums(
        {
          ...unclaimed,
          admitted: true,
          payoutVerified: true,
          directed: { credited: 10n, debited: 0n },
          allocated: none,
        },
        { ...params, minimumPayout: 0n },
      ).payable,
    ).toEqual({
      amount: 10n,
      directed: 10n,
      allocated: 0n,
      sources: [{ balance: 'directed', from: 0n, to: 10n }],
    });
  });
});

describe('expandSources', () => {
  it('gives each credit its overlap with the range, one line per source entry, and refuses a range past the credits', () => {
    const [a, b] = [credit(100n), credit(200n)];
    const again = { ...credit(50n), sourceId: a.sourceId };
    const credits = { directed: [a, b, again], allocated: [] };
    expect(
      expandSources([{ balance: 'directed', from: 50n, to: 350n }], credits).map((x) => [
        x.sourceId,
        x.amount,
      ]),
    ).toEqual([
      [a.sourceId, 100n],
      [b.sourceId, 200n],
    ]);
    expect(() => expandSources([{ balance: 'directed', from: 0n, to: 351n }], credits)).toThrow(
      DisbursementsError,
    );
    // Only the credits overlapping the range, the first one at its position (what a statement reads).
    expect(
      expandSources(
        [{ balance: 'directed', from: 150n, to: 320n }],
        { directed: [b, again], allocated: [] },
        { directed: 100n },
      ).map((x) => [x.sourceId, x.amount]),
    ).toEqual([
      [b.sourceId, 150n],
      [a.sourceId, 20n],
    ]);
    expect(() =>
      expandSources(
        [{ balance: 'directed', from: 50n, to: 320n }],
        { directed: [b], allocated: [] },
        { directed: 100n },
      ),
    ).toThrow(DisbursementsError);
  });
});

describe('attribute', () => {
  const lotsArb = fc.uniqueArray(
    fc.record({
      sourceId: fc.integer({ min: 1, max: 10 ** 9 }).map(String),
      open: fc.bigInt({ min: 1n, max: 10n ** 12n }),
    }),
    {
      minLength: 1,
      maxLength: 40,
      selector: (l) => l.sourceId,
    },
  );
  const toLots = (rows: { sourceId: string; open: bigint }[]): OpenLot[] =>
    rows.map((r) => ({ ...r, balance: 'directed', occurredAt: cutoff, amount: r.open }));

  it('property: moving a whole balance gives exactly what allocate() gives, i.e. each open amount', () => {
    fc.assert(
      fc.property(lotsArb, (rows) => {
        const lots = toLots(rows);
        const total = rows.reduce((s, r) => s + r.open, 0n);
        const viaAllocate = allocate(
          total,
          rows.map((r) => ({ key: `directed:${r.sourceId}`, weight: r.open })),
        );
        expect(attribute(total, lots).map((a) => a.amount)).toEqual(viaAllocate.map((p) => p.amount));
        expect(viaAllocate.map((p) => p.amount)).toEqual(rows.map((r) => r.open));
      }),
    );
  });

  it('property: a partial amount is split by allocate() and adds up', () => {
    fc.assert(
      fc.property(lotsArb, fc.bigInt({ min: 1n, max: 10n ** 12n }), (rows, amount) => {
        const parts = attribute(amount, toLots(rows));
        expect(parts.reduce((s, a) => s + a.amount, 0n)).toBe(amount);
        const viaAllocate = allocate(
          amount,
          rows.map((r) => ({ key: `directed:${r.sourceId}`, weight: r.open })),
        );
        expect(parts.map((a) => a.amount)).toEqual(viaAllocate.map((p) => p.amount).filter((a) => a > 0n));
      }),
    );
  });
});
