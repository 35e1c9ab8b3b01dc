import type { FundingRoundInput, PointsBallot } from '@app/governance';

/** A small deterministic PRNG (mulberry32), so every bench run tallies the same rounds. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A funding round with `voters` voters spread over the four default colleges (50/20/20/10 %
 * of the voters, weights 5000/2000/2000/1000 bp) and `projects` projects; each voter spreads 100
 * points over 1–10 projects, about 3 % of voters abstain, every tenth project has a cap.
 */
export function generateFundingRound(voters: number, projects: number, seed = 42): FundingRoundInput {
  const rnd = prng(seed);
  const ids = Array.from({ length: projects }, (_, i) => `project-${String(i).padStart(4, '0')}`);
  const shares = [
    { id: 'commoners', weightBp: 5000, part: 0.5 },
    { id: 'public', weightBp: 2000, part: 0.2 },
    { id: 'private', weightBp: 2000, part: 0.2 },
    { id: 'science', weightBp: 1000, part: 0.1 },
  ];
  const colleges = shares.map((s) => ({ id: s.id, weightBp: s.weightBp, ballots: [] as PointsBallot[] }));
  for (let v = 0; v < voters; v++) {
    const college = colleges[v % 10 < 5 ? 0 : v % 10 < 7 ? 1 : v % 10 < 9 ? 2 : 3];
    if (rnd() < 0.03) {
      college.ballots.push({});
      continue;
    }
    const k = 1 + Math.floor(rnd() * 10);
    const ballot: Record<string, number> = {};
    let left = 100;
    for (let i = 0; i < k; i++) {
      // Skewed popularity: low indices are picked more often.
      const id = ids[Math.floor(Math.pow(rnd(), 2) * projects)];
      const pts = i === k - 1 ? left : Math.floor(rnd() * (left + 1));
      ballot[id] = (ballot[id] ?? 0) + pts;
      left -= pts;
    }
    college.ballots.push(ballot);
  }
  return {
    pool: '123456789',
    projects: ids.map((id, i) => ({ id, cap: i % 10 === 0 ? '2000000' : null })),
    threshold: '1/1000',
    colleges,
  };
}
