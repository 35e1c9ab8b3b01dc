import { FundingRoundInput, tallyFundingRound } from '@app/governance';
import { runDatabaseTally } from './governance-db';
import { generateFundingRound } from './governance-round';

const PROJECTS = 300;
const WARM_UP = 10;
const SAMPLES = 21;
const BATCH = 10;

/**
 * CPU time (user + system, microsecond resolution) of BATCH tallies, per tally. CPU time rather than
 * wall-clock: on a shared, loaded machine the wall clock mostly measures the other processes.
 */
function sampleMs(round: FundingRoundInput): number {
  const start = process.cpuUsage();
  for (let i = 0; i < BATCH; i++) tallyFundingRound(round);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / BATCH;
}

function median(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Tally of a divisible funding round with 2,000 and 4,000 voters in four colleges over 300 projects:
 * the pure tally (median of 21 interleaved samples of 10 tallies, CPU time), then the full database
 * path (median of 5 rounds, wall-clock).
 */
export async function run(): Promise<Record<string, number>> {
  const small = generateFundingRound(2000, PROJECTS);
  const large = generateFundingRound(4000, PROJECTS);
  for (let i = 0; i < WARM_UP; i++) {
    tallyFundingRound(small);
    tallyFundingRound(large);
  }
  // Interleaved, alternating which size goes first, so both see the same machine state.
  const t2000: number[] = [];
  const t4000: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    if (i % 2 === 0) {
      t2000.push(sampleMs(small));
      t4000.push(sampleMs(large));
    } else {
      t4000.push(sampleMs(large));
      t2000.push(sampleMs(small));
    }
  }
  const a = median(t2000);
  const b = median(t4000);
  const figures: Record<string, number> = {
    governance_tally_2000_ms: Math.round(a * 1000) / 1000,
    governance_tally_4000_ms: Math.round(b * 1000) / 1000,
    governance_tally_ratio: Math.round((b / a) * 1000) / 1000,
  };
  // The same through the database (ballots loaded, proxies resolved, result booked in the ledger).
  if (process.env.GOVERNANCE_BENCH_DB !== '0') {
    const db = await runDatabaseTally([2000, 4000], PROJECTS, 5);
    figures.governance_db_tally_2000_ms = Math.round(db[2000] * 10) / 10;
    figures.governance_db_tally_4000_ms = Math.round(db[4000] * 10) / 10;
    figures.governance_db_tally_ratio = Math.round((db[4000] / db[2000]) * 1000) / 1000;
  }
  return figures;
}
