import fc from 'fast-check';
import { GovernanceErrorCode } from '../governance.errors';
import { checkNewProxy, countedBallots, defaultProxyCap, ProxyGrant } from './proxy-rules';

const code = (f: () => void): string | undefined => {
  try {
    f();
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code;
  }
};

describe('proxy rules', () => {
  const base = { principalCollege: 'commoners', holderCollege: 'commoners' };

  it('accepts a proxy within the college under the cap', () => {
    expect(code(() => checkNewProxy([], { ...base, principal: 'a', holder: 'b' }, 1))).toBeUndefined();
  });

  it('refuses another college, oneself, non-members, a chain and a second proxy beyond the cap', () => {
    const active: ProxyGrant[] = [{ principal: 'a', holder: 'b', college: 'commoners' }];
    const cases = [
      { principal: 'c', holder: 'd', principalCollege: 'commoners', holderCollege: 'public' },
      { ...base, principal: 'c', holder: 'c' },
      { principal: 'c', holder: 'd', principalCollege: null, holderCollege: 'commoners' },
      { ...base, principal: 'c', holder: 'a' }, // a delegated: not transitive
      { ...base, principal: 'b', holder: 'c' }, // b holds: not transitive
      { ...base, principal: 'a', holder: 'c' }, // a already gave one
      { ...base, principal: 'c', holder: 'b' }, // b at the cap of 1
    ];
    for (const proxy of cases)
      expect(code(() => checkNewProxy(active, proxy, 1))).toBe(GovernanceErrorCode.InvalidProxy);
    expect(code(() => checkNewProxy(active, { ...base, principal: 'c', holder: 'b' }, 2))).toBeUndefined();
  });

  it('uses the SCOP default cap', () => {
    expect(defaultProxyCap(5)).toBe(1);
    expect(defaultProxyCap(19)).toBe(1);
    expect(defaultProxyCap(40)).toBe(2);
    expect(defaultProxyCap(59)).toBe(2);
  });

  it("counts the voter's own last ballot over its proxy's, and a proxy ballot only with an active proxy", () => {
    const active: ProxyGrant[] = [{ principal: 'a', holder: 'b', college: 'c' }];
    const ballots = [
      { voter: 'a', castBy: 'b', choice: 'for' },
      { voter: 'a', castBy: 'a', choice: 'against' },
      { voter: 'a', castBy: 'b', choice: 'for' },
      { voter: 'b', castBy: 'b', choice: 'abstain' },
      { voter: 'd', castBy: 'b', choice: 'for' }, // no proxy from d
      { voter: 'e', castBy: 'e', choice: 'for' },
      { voter: 'e', castBy: 'e', choice: 'against' },
    ];
    expect(countedBallots(ballots, active).map((b) => `${b.voter}:${b.choice}`)).toEqual([
      'a:against',
      'b:abstain',
      'e:against',
    ]);
  });

  it('property: never more than one counted ballot per voter, and never a ballot of a voter who did not vote', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            voter: fc.constantFrom('a', 'b', 'c', 'd'),
            castBy: fc.constantFrom('a', 'b', 'c', 'd'),
            choice: fc.nat(2),
          }),
        ),
        (ballots) => {
          const active: ProxyGrant[] = [{ principal: 'a', holder: 'b', college: 'x' }];
          const counted = countedBallots(ballots, active);
          expect(new Set(counted.map((b) => b.voter)).size).toBe(counted.length);
          for (const b of counted) expect(ballots).toContain(b);
          for (const b of counted)
            expect(b.castBy === b.voter || (b.voter === 'a' && b.castBy === 'b')).toBe(true);
        },
      ),
    );
  });
});
