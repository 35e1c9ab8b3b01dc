import { readFileSync } from 'node:fs';
import { sharedPath } from '@app/config';
import { SchulzeInput, tallySchulze } from './schulze';

type Case = SchulzeInput & { name: string; expected: unknown };
const vectors = JSON.parse(readFileSync(sharedPath('test-vectors', 'schulze.json'), 'utf8')) as {
  cases: Case[];
};

describe('tallySchulze (winning votes)', () => {
  it('loads the vectors', () => expect(vectors.cases.length).toBeGreaterThanOrEqual(5));

  it.each(vectors.cases.map((c) => [c.name, c] as const))('vector: %s', (_name, c) => {
    const { name: _n, expected, ...input } = c;
    expect(tallySchulze(input)).toEqual(expected);
  });
});
