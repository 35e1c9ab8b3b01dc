import { performance } from 'node:perf_hooks';
import { FundingRoundInput, tallyFundingRound } from '@app/governance';
import { generateFundingRound } from './governance-round';

const PROJECTS = 300;
const WARM_UP = 10;
const REPETITIONS = 31;

function timeOnce(round: FundingRoundInput): number {
  const start = performance.now();
  tallyFundingRound(round);
  return performance.now() - start;
}

function median(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Tally of a divisible funding round with 2,000 and 4,000 voters in four colleges over 300 projects. */
export async function run(): Promise<Record<string, number>> {
  const small = generateFundingRound(2000, PROJECTS);
  const large = generateFundingRound(4000, PROJECTS);
  for (let i = 0; i < WARM_UP; i++) {
    tallyFundingRound(small);
    tallyFundingRound(large);
  }
  // Interleaved, so both sizes see the same machine state; the median of each.
  const t2000: number[] = [];
  const t4000: number[] = [];
  for (let i = 0; i < REPETITIONS; i++) {
    t2000.push(timeOnce(small));
    t4000.push(timeOnce(large));
  }
  const a = median(t2000);
  const b = median(t4000);
  return {
    governance_tally_2000_ms: Math.round(a * 1000) / 1000,
    governance_tally_4000_ms: Math.round(b * 1000) / 1000,
    governance_tally_ratio: Math.round((b / a) * 1000) / 1000,
  };
}
