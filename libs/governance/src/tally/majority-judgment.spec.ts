import { readFileSync } from 'node:fs';
import { sharedPath } from '@app/config';
import {
  expandRuns,
  lowerMedianIndex,
  majorityValueRuns,
  MajorityJudgmentInput,
  tallyMajorityJudgment,
} from './majority-judgment';

type Case = MajorityJudgmentInput & {
  name: string;
  expected: {
    multiplicities?: Record<string, number>;
    N?: number;
    medians: Record<string, number>;
    gauges: Record<string, unknown>;
    sequences: Record<string, number[]>;
    ranking: string[][];
  };
};
const vectors = JSON.parse(readFileSync(sharedPath('test-vectors', 'majority-judgment.json'), 'utf8')) as {
  cases: Case[];
  sequence_cases: {
    name: string;
    grades: number[];
    expectedLowerMedian: number;
    expectedSequence: number[];
  }[];
};

describe('tallyMajorityJudgment (lower median)', () => {
  it('loads the vectors', () => expect(vectors.cases.length).toBeGreaterThanOrEqual(6));

  it.each(vectors.cases.map((c) => [c.name, c] as const))('vector: %s', (_name, c) => {
    const sut = tallyMajorityJudgment(c);
    expect(sut.medians).toEqual(c.expected.medians);
    expect(sut.gauges).toEqual(c.expected.gauges);
    expect(sut.ranking).toEqual(c.expected.ranking);
    for (const cand of c.candidates)
      expect(expandRuns(sut.sequences[cand])).toEqual(c.expected.sequences[cand]);
    if (c.expected.multiplicities) {
      expect(Object.fromEntries(Object.entries(sut.multiplicities!).map(([k, v]) => [k, Number(v)]))).toEqual(
        c.expected.multiplicities,
      );
      expect(Number(sut.N)).toBe(c.expected.N);
    }
  });

  it.each(vectors.sequence_cases.map((c) => [c.name, c] as const))('sequence vector: %s', (_name, c) => {
    const min = Math.min(...c.grades);
    const max = Math.max(...c.grades);
    const hist = new Array<bigint>(max - min + 1).fill(0n);
    for (const g of c.grades) hist[g - min] += 1n;
    expect(lowerMedianIndex(hist, BigInt(c.grades.length)) + min).toBe(c.expectedLowerMedian);
    expect(expandRuns(majorityValueRuns(hist), min)).toEqual(c.expectedSequence);
  });

  it('run-length sequence equals the naive one on random histograms', () => {
    for (let seed = 1; seed < 200; seed++) {
      const hist = Array.from({ length: 1 + (seed % 6) }, (_, i) => BigInt((seed * (i + 7)) % 9));
      if (hist.every((h) => h === 0n)) continue;
      const grades: number[] = [];
      hist.forEach((h, g) => {
        for (let k = 0n; k < h; k++) grades.push(g);
      });
      const naive: number[] = [];
      const left = [...grades];
      while (left.length) {
        const m = left[Math.floor((left.length - 1) / 2)];
        naive.push(m);
        left.splice(left.indexOf(m), 1);
      }
      expect(expandRuns(majorityValueRuns(hist))).toEqual(naive);
    }
  });
});
