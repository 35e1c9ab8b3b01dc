import { readFileSync } from 'node:fs';
import { sharedPath } from '@app/config';
import { IndivisibleRoundInput, tallyIndivisibleRound } from './funding-round-indivisible';

type Case = IndivisibleRoundInput & { name: string; expected: unknown };
const vectors = JSON.parse(
  readFileSync(sharedPath('test-vectors', 'funding-round-indivisible.json'), 'utf8'),
) as { cases: Case[] };

describe('tallyIndivisibleRound', () => {
  it('loads the vectors', () => expect(vectors.cases.length).toBeGreaterThanOrEqual(2));

  it.each(vectors.cases.map((c) => [c.name, c] as const))('vector: %s', (_name, c) => {
    expect(tallyIndivisibleRound({ pool: c.pool, projects: c.projects, colleges: c.colleges })).toEqual(
      c.expected,
    );
  });
});
