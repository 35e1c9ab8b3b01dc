import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
import { ConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { GovernanceModule, hashCanonical, RoundsService, roundManifest, sealBallot } from '@app/governance';
import { IdentityModule, SYSTEM_PRINCIPAL } from '@app/identity';
import { Accounts, LedgerModule, LedgerService } from '@app/ledger';
import { PolicyModule } from '@app/policy';
import { TransparencyModule } from '@app/transparency';
import { ProjectsService } from '@app/projects';
import { QueueModule } from '@app/queue';
import { benchEnvironment } from './bench-database';
import { generateFundingRound } from './governance-round';

const COLLEGES = ['commoners', 'public', 'private', 'scientific'];

/**
 * The same tally through the database: a round of 300 admitted projects whose ballots (as the
 * generator makes them, hash-chained) sit in governance_ballots, tallied by RoundsService.tally —
 * loading the ballots, resolving proxies, computing, and booking one ledger entry with a posting per
 * funded project. Median of `reps` rounds per size.
 */
export async function runDatabaseTally(
  sizes: readonly number[],
  projects: number,
  reps: number,
): Promise<Record<number, number>> {
  const env = await benchEnvironment('governance');
  process.env.DATABASE_URL = env.databaseUrl;
  process.env.REDIS_URL = env.redisUrl;
  process.env.LOG_LEVEL = 'silent';

  @Module({
    imports: [
      ConfigModule,
      DatabaseModule,
      QueueModule,
      LedgerModule,
      PolicyModule,
      IdentityModule,
      GovernanceModule,
      TransparencyModule,
    ],
  })
  class BenchModule {}

  const app = await NestFactory.createApplicationContext(BenchModule, { logger: false });
  try {
    const db = app.get(DataSource);
    const rounds = app.get(RoundsService);
    const ledger = app.get(LedgerService);
    const catalogue = app.get(ProjectsService);

    // Admitted projects, in the generator's order.
    const projectIds: string[] = [];
    for (let i = 0; i < projects; i++) {
      const slug = `bench-${String(i).padStart(4, '0')}`;
      const p = await catalogue.propose(SYSTEM_PRINCIPAL, {
        slug,
        name: slug,
        repositoryUrl: `https://example.org/${slug}`,
        licence: 'MIT',
        opennessLevel: 'A',
      });
      await catalogue.changeStatus(SYSTEM_PRINCIPAL, p.id, 'admitted', 'bench');
      projectIds.push(p.id);
    }
    // Voters: the largest size, seated like the generator (50/20/20/10 % by index).
    const maxVoters = Math.max(...sizes);
    const users = (await db.query(
      `INSERT INTO users (email) SELECT 'bench-' || g || '@example.test' FROM generate_series(0, $1 - 1) g ORDER BY g RETURNING id`,
      [maxVoters],
    )) as { id: string }[];
    const collegeOf = (v: number) => COLLEGES[v % 10 < 5 ? 0 : v % 10 < 7 ? 1 : v % 10 < 9 ? 2 : 3];
    await db.query(
      `INSERT INTO governance_members (user_id, college_id, term_start, term_end)
       SELECT u, c, now() - interval '1 day', now() + interval '1 day' FROM unnest($1::uuid[], $2::text[]) AS t(u, c)`,
      [users.map((u) => u.id), users.map((_, v) => collegeOf(v))],
    );
    const budget = 123456789n;
    const pool = Accounts.pool();
    const bank = { ...Accounts.bank(), code: 'asset:bank:bench-governance', hot: false };
    await ledger.ensureAccounts([pool, bank]);
    await ledger.post({
      kind: 'bench.seed-pool',
      businessRef: 'bench-governance',
      idempotencyKey: 'bench-governance-seed',
      postings: [
        {
          account: bank.code,
          direction: 'debit',
          amount: budget * BigInt(sizes.length * reps),
          currency: 'EUR',
        },
        {
          account: pool.code,
          direction: 'credit',
          amount: budget * BigInt(sizes.length * reps),
          currency: 'EUR',
        },
      ],
    });

    // The generator's ballots, voter by voter in its order (college = v % 10 pattern), per size.
    const ballotsBySize = new Map(
      sizes.map((size) => {
        const input = generateFundingRound(size, projects);
        const byCollege = new Map(
          input.colleges.map((c) => [c.id === 'science' ? 'scientific' : c.id, [...c.ballots]]),
        );
        const ballots = Array.from({ length: size }, (_, v) => {
          const college = collegeOf(v);
          const choice = byCollege.get(college)!.shift()!;
          const mapped: Record<string, number> = {};
          for (const [k, pts] of Object.entries(choice))
            if (pts > 0) mapped[projectIds[Number(k.slice('project-'.length))]] = pts;
          return { voter: users[v].id, college, choice: mapped };
        });
        return [size, ballots] as const;
      }),
    );
    const times = new Map<number, number[]>(sizes.map((s) => [s, []]));
    // Interleaved: every repetition tallies one round of each size, alternating which goes first.
    for (let r = 0; r < reps; r++) {
      const order = r % 2 === 0 ? [...sizes] : [...sizes].reverse();
      for (const size of order) {
        const ballots = ballotsBySize.get(size)!;
        const created = await rounds.create(SYSTEM_PRINCIPAL, {
          title: `bench ${size} #${r}`,
          budget: budget.toString(),
          candidates: projectIds,
          threshold: '1/1000',
          closesAt: new Date(Date.now() + 3600_000).toISOString(),
        });
        const opened = await rounds.open(SYSTEM_PRINCIPAL, created.id);
        let previous = opened.genesis_hash ?? hashCanonical(roundManifest(opened, opened.settings!));
        const rows = ballots.map((b, height) => {
          const credential = `c-${height.toString(16).padStart(8, '0')}`;
          const link = sealBallot({ election: created.id, credential, choice: b.choice }, previous);
          previous = link.receipt;
          return { ...b, height, credential, link };
        });
        await db.query(
          `INSERT INTO governance_ballots (vote_id, height, credential, voter_user_id, cast_by_user_id, college_id, choice, nonce, previous_hash, receipt)
           SELECT $1, h, c, u, u, col, ch::jsonb, n, p, r
             FROM unnest($2::int[], $3::text[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[]) AS t(h, c, u, col, ch, n, p, r)`,
          [
            created.id,
            rows.map((x) => x.height),
            rows.map((x) => x.credential),
            rows.map((x) => x.voter),
            rows.map((x) => x.college),
            rows.map((x) => JSON.stringify(x.choice)),
            rows.map((x) => x.link.ballot.nonce),
            rows.map((x) => x.link.ballot.previous),
            rows.map((x) => x.link.receipt),
          ],
        );
        await db.query(
          `UPDATE governance_rounds SET head_hash = $2, ballot_count = $3, state = 'closed', closed_at = now(),
                  closes_at = greatest(now(), opens_at + interval '1 millisecond') WHERE id = $1`,
          [created.id, previous, rows.length],
        );
        const start = performance.now();
        const booked = await rounds.tally(created.id);
        times.get(size)!.push(performance.now() - start);
        if (!booked) throw new Error('the bench round was not tallied');
      }
    }
    const medians: Record<number, number> = {};
    for (const [size, list] of times) {
      list.sort((a, b) => a - b);
      medians[size] = list[Math.floor(list.length / 2)];
    }
    return medians;
  } finally {
    await app.close();
    await env.stop();
  }
}
