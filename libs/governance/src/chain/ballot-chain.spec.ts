import { hashCanonical, lastBallots, sealBallot, verifyChain, verifyReceipt } from './ballot-chain';

describe('ballot hash chain', () => {
  it('reproduces the TV13 receipts and board hashes (reference §4)', () => {
    const ballot1 = {
      choice: 'for',
      credential: 'c-7f3a',
      election: 'motion-2025-01',
      nonce: '00112233445566778899aabbccddeeff',
    };
    const ballot2 = {
      choice: 'against',
      credential: 'c-19be',
      election: 'motion-2025-01',
      nonce: 'ffeeddccbbaa99887766554433221100',
    };
    const receipt1 = hashCanonical(ballot1);
    const receipt2 = hashCanonical(ballot2);
    expect(receipt1).toBe('74f9d9279330d9e3b3dd609eee2a58a0ecfba1a53d54407c9b829e7a29e2f7dd');
    expect(receipt2).toBe('04a68b997a2ef5b188604390ecbac63bdf02be77049d63509b575cdb9755065f');
    const setup = hashCanonical({ election: 'motion-2025-01', options: ['for', 'against', 'abstain'] });
    expect(setup).toBe('fdbfdc2d8585cb166b343229a95c56103a73fba6b55d02a50d90c61c5ba1a7fd');
    const e0 = hashCanonical({ height: 0, parent: null, payload: setup, type: 'setup' });
    expect(e0).toBe('add9dc9e778dc3143a70b64483b7b937af4aa04a3aacd1b47cc1252f984707ff');
    const e1 = hashCanonical({ height: 1, parent: e0, payload: receipt1, type: 'ballot' });
    expect(e1).toBe('8d0647accfd99f4feee5a1e5600af46b61d750ee14aef9a127b17c79bf20a562');
    const e2 = hashCanonical({ height: 2, parent: e1, payload: receipt2, type: 'ballot' });
    expect(e2).toBe('a77c18337e5c7a6ec30425ebd7b1a15a84f85f440075e70172e2849b011205d5');
  });

  const genesis = hashCanonical({ election: 'm1', options: ['for', 'against', 'abstain'] });
  const build = () => {
    const a = sealBallot({ election: 'm1', credential: 'alice', choice: 'for' }, genesis);
    const b = sealBallot({ election: 'm1', credential: 'bob', choice: 'against' }, a.receipt);
    const c = sealBallot({ election: 'm1', credential: 'alice', choice: 'abstain' }, b.receipt);
    return [a, b, c];
  };

  it('gives different receipts to the same vote thanks to the nonce', () => {
    const a = sealBallot({ election: 'm1', credential: 'alice', choice: 'for' }, genesis);
    const b = sealBallot({ election: 'm1', credential: 'alice', choice: 'for' }, genesis);
    expect(a.receipt).not.toBe(b.receipt);
    expect(a.ballot.nonce).toMatch(/^[0-9a-f]{32}$/);
  });

  it('verifies a good chain and a receipt in it, and says which ballot counts', () => {
    const links = build();
    const chain = verifyChain(genesis, links, links[2].receipt);
    expect(chain).toEqual({ ok: true, head: links[2].receipt, length: 3, problems: [] });
    expect(verifyReceipt(links[1].receipt, genesis, links, links[2].receipt)).toMatchObject({
      ok: true,
      height: 1,
      counted: true,
    });
    expect(verifyReceipt(links[0].receipt, genesis, links)).toMatchObject({
      ok: true,
      height: 0,
      counted: false,
    });
    expect(lastBallots(links).map((l) => l.ballot.credential)).toEqual(['bob', 'alice']);
  });

  it('detects a changed vote, a removed ballot, a wrong head and an unknown receipt', () => {
    const links = build();
    const tampered = links.map((l, i) => (i === 1 ? { ...l, ballot: { ...l.ballot, choice: 'for' } } : l));
    expect(verifyChain(genesis, tampered).ok).toBe(false);
    expect(verifyChain(genesis, [links[0], links[2]]).ok).toBe(false);
    expect(verifyChain(genesis, links.slice(0, 2), links[2].receipt).ok).toBe(false);
    expect(verifyReceipt('0'.repeat(64), genesis, links).ok).toBe(false);
  });
});
