import { FakeStripe, StripeObject } from '@app/testing';
import { DemoClient, waitFor } from './demo-client';
import { DEMO_COMMITTEE, DEMO_DONATIONS, DEMO_ORGANISATIONS, DEMO_PROJECTS, FUND_ACCOUNT } from './demo-data';

/** What every step needs: the API client, the administrator's token and a logger. */
export interface DemoContext {
  readonly api: DemoClient;
  readonly adminToken: string;
  readonly log: (line: string) => void;
}

export interface DemoUser {
  readonly id: string;
  readonly token: string;
}

type Json = Record<string, unknown>;

/** The administrator creates a user with roles (POST /users) and issues its API token (POST /users/:id/tokens). */
export async function createUser(
  ctx: DemoContext,
  displayName: string,
  roles: { role: string; scopeId?: string }[] = [],
): Promise<DemoUser> {
  const user = await ctx.api.post<{ id: string }>('/users', ctx.adminToken, { displayName, roles });
  const issued = await ctx.api.post<{ token: string }>(`/users/${user.id}/tokens`, ctx.adminToken, {
    name: 'demo',
    days: 365,
  });
  return { id: user.id, token: issued.token };
}

/**
 * Maintainers propose their projects; the administrator admits most of them and attests control
 * of the repository; maintainers enter SEPA payout details; the treasurer verifies them.
 * Returns slug → project id.
 */
export async function proposeProjects(ctx: DemoContext, treasurer: DemoUser): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const p of DEMO_PROJECTS) {
    const maintainer = await createUser(ctx, p.maintainer);
    const created = await ctx.api.post<{ id: string }>('/projects', maintainer.token, {
      slug: p.slug,
      name: p.name,
      description: p.description,
      repositoryUrl: p.repositoryUrl,
      websiteUrl: p.websiteUrl,
      licence: p.licence,
      purls: p.purls,
      opennessLevel: 'A',
    });
    ids.set(p.slug, created.id);
    if (p.admitted) {
      await ctx.api.post(`/projects/${created.id}/status`, ctx.adminToken, {
        status: 'admitted',
        reason: 'Admitted by the committee (demo): widely used by public services, active maintenance.',
      });
    }
    if (p.payout) {
      await ctx.api.post(`/projects/${created.id}/verification/attestation`, ctx.adminToken, {
        reason: 'Demo: control of the repository confirmed by the maintainers in writing.',
      });
      const details = await ctx.api.put<{ revision: number }>(
        `/projects/${created.id}/payout-details`,
        maintainer.token,
        { kind: 'sepa', ...p.payout },
      );
      await ctx.api.post(`/projects/${created.id}/payout-details/verify`, treasurer.token, {
        revision: details.revision,
      });
    }
  }
  ctx.log(
    `projects: ${DEMO_PROJECTS.length} proposed, ${DEMO_PROJECTS.filter((p) => p.admitted).length} admitted`,
  );
  return ids;
}

/**
 * The treasurer registers public bodies; each gets a buyer who declares its digital projects'
 * budgets (the levy becomes an obligation); the treasurer books the bank transfers received.
 */
export async function publicLevies(
  ctx: DemoContext,
  treasurer: DemoUser,
  projects: Map<string, string>,
): Promise<{ declarations: number; receipts: number }> {
  let declarations = 0;
  let receipts = 0;
  let reference = 100;
  for (const org of DEMO_ORGANISATIONS) {
    const created = await ctx.api.post<{ id: string }>('/organisations', treasurer.token, {
      siret: org.siret,
      name: org.name,
    });
    const buyer = await createUser(ctx, `Acheteur — ${org.name}`, [{ role: 'buyer', scopeId: created.id }]);
    for (const d of org.declarations) {
      const obligation = await ctx.api.post<{ id: string; amountDue: string }>(
        `/organisations/${created.id}/declarations`,
        buyer.token,
        {
          projectTitle: d.projectTitle,
          budgetExclVat: d.budgetExclVat,
          fiscalYear: 2026,
          legalCommitment: d.legalCommitment,
          directions: Object.entries(d.directions).map(([slug, weight]) => ({
            projectId: projects.get(slug),
            weight,
          })),
        },
      );
      declarations += 1;
      const due = BigInt(obligation.amountDue);
      let paid = 0n;
      let share = 0;
      for (const permille of d.receipts) {
        share += permille;
        const amount = (due * BigInt(share)) / 1000n - paid;
        if (amount <= 0n) continue;
        reference += 1;
        await ctx.api.post(`/obligations/${obligation.id}/receipts`, treasurer.token, {
          bankReference: `VIR-2026-DEMO-${String(reference).padStart(6, '0')}`,
          amount: amount.toString(),
          valueDate: new Date(Date.now() - (30 - receipts) * 86_400_000).toISOString().slice(0, 10),
        });
        paid += amount;
        receipts += 1;
      }
    }
  }
  ctx.log(
    `public bodies: ${DEMO_ORGANISATIONS.length} organisations, ${declarations} declarations, ${receipts} bank receipts booked`,
  );
  return { declarations, receipts };
}

async function entriesOfKind(ctx: DemoContext, kind: string): Promise<number> {
  let count = 0;
  let after: string | null = null;
  do {
    const page: { items: unknown[]; nextCursor: string | null } = await ctx.api.get(
      `/public/entries?kind=${encodeURIComponent(kind)}&limit=500${after ? `&after=${after}` : ''}`,
    );
    count += page.items.length;
    after = page.nextCursor;
  } while (after);
  return count;
}

/**
 * Private donors give through Stripe Checkout (the local fake Stripe plays the donor paying);
 * Stripe's signed events are delivered to the webhook; the worker books each payment once. A
 * monthly donor's subscription renews once, and one donor is refunded in part. One named donor
 * then asks to be forgotten: the administrator erases them (their name leaves the public pages,
 * their gift stays in the log under a commitment that links to nobody, and the log still verifies).
 */
export async function privateDonations(
  ctx: DemoContext,
  stripe: FakeStripe,
  projects: Map<string, string>,
): Promise<number> {
  const deliver = async (events: StripeObject[]) => {
    for (const event of events) {
      const { payload, header } = stripe.sign(event);
      await ctx.api.request('POST', '/webhooks/stripe', {
        raw: payload,
        headers: { 'content-type': 'application/json', 'stripe-signature': header },
      });
    }
  };
  const before = await entriesOfKind(ctx, 'contribution.donation');
  const refundsBefore = await entriesOfKind(ctx, 'contribution.refund');
  let payments = 0;
  const erasures: string[] = [];
  for (const d of DEMO_DONATIONS) {
    const checkout = await ctx.api.post<{ checkoutSessionId: string; donationIntentId: string }>(
      '/donations/checkout',
      undefined,
      {
        amount: d.amount,
        mode: d.mode,
        ...(d.publicName ? { publicName: d.publicName } : {}),
        directions: Object.entries(d.directions).map(([slug, weight]) => ({
          projectId: projects.get(slug),
          weight,
        })),
      },
    );
    if (d.erase) erasures.push(`intent:${checkout.donationIntentId}`);
    await deliver(stripe.completeCheckout(checkout.checkoutSessionId));
    payments += 1;
    const session = stripe.get(checkout.checkoutSessionId);
    if (d.mode === 'monthly') {
      await deliver(stripe.payInvoice(String(session.subscription)));
      payments += 1;
    }
    if (d.refund) {
      const charge = String(stripe.get(String(session.payment_intent)).latest_charge);
      await deliver(stripe.refundCharge(charge, Number(d.refund)));
    }
  }
  const refunds = DEMO_DONATIONS.filter((d) => d.refund).length;
  await waitFor(
    'the worker to book the Stripe payments',
    async () => {
      const booked = (await entriesOfKind(ctx, 'contribution.donation')) - before;
      const refunded = (await entriesOfKind(ctx, 'contribution.refund')) - refundsBefore;
      return booked >= payments && refunded >= refunds ? true : undefined;
    },
    60_000,
    300,
  );
  for (const subject of erasures) {
    await ctx.api.post('/transparency/donor-erasures', ctx.adminToken, { subject });
  }
  ctx.log(
    `private donors: ${payments} Stripe payments and ${refunds} refund booked by the worker; ${erasures.length} donor erased`,
  );
  return payments;
}

/** The administrator appoints committee members in the four colleges. */
export async function appointCommittee(ctx: DemoContext): Promise<DemoUser[]> {
  const members: DemoUser[] = [];
  const termEnd = new Date(Date.now() + 365 * 86_400_000).toISOString();
  for (const [collegeId, names] of Object.entries(DEMO_COMMITTEE)) {
    for (const name of names) {
      const user = await createUser(ctx, name);
      await ctx.api.post('/governance/members', ctx.adminToken, { userId: user.id, collegeId, termEnd });
      members.push(user);
    }
  }
  ctx.log(`committee: ${members.length} members in ${Object.keys(DEMO_COMMITTEE).length} colleges`);
  return members;
}

/**
 * A funding round of 60 % of the pool over the admitted projects: members give 100 points each,
 * the round closes a few seconds later and the worker tallies it and books the allocations.
 */
export async function fundingRound(
  ctx: DemoContext,
  members: DemoUser[],
  projects: Map<string, string>,
  closeInSeconds: number,
): Promise<{ id: string; budget: string }> {
  const accounts = await ctx.api.get<{ account: string; balance: string }[]>('/public/accounts');
  const pool = BigInt(accounts.find((a) => a.account === 'liability:pool:eur')?.balance ?? '0');
  const budget = ((pool * 60n) / 100n).toString();
  const candidates = DEMO_PROJECTS.filter((p) => p.admitted).map((p) => projects.get(p.slug) as string);
  const round = await ctx.api.post<{ id: string }>('/governance/rounds', ctx.adminToken, {
    title: 'Tour de financement — automne 2026 (démo)',
    budget,
    candidates,
    closesAt: new Date(Date.now() + closeInSeconds * 1000).toISOString(),
  });
  await ctx.api.post(`/governance/rounds/${round.id}/open`, ctx.adminToken);
  for (const [i, member] of members.entries()) {
    // Each member spreads 100 points over three candidates (the last member abstains).
    const points: Record<string, number> = {};
    if (i < members.length - 1) {
      const picks = [
        candidates[i % candidates.length],
        candidates[(i + 2) % candidates.length],
        candidates[(i + 5) % candidates.length],
      ];
      points[picks[0]] = 50;
      points[picks[1]] = (points[picks[1]] ?? 0) + 30;
      points[picks[2]] = (points[picks[2]] ?? 0) + 20;
    }
    await ctx.api.post(`/governance/rounds/${round.id}/ballots`, member.token, { points });
  }
  const tallied = await waitFor(
    'the worker to tally the round',
    async () => {
      const r = await ctx.api.get<{ state: string }>(`/governance/rounds/${round.id}`);
      return r.state === 'tallied' ? r : undefined;
    },
    closeInSeconds * 1000 + 60_000,
    250,
  );
  ctx.log(`funding round: ${members.length} ballots, ${budget} cents allocated (${tallied.state})`);
  return { id: round.id, budget };
}

/**
 * The treasurer starts a disbursement run; the worker computes it; the treasurer submits the SEPA
 * batch (pain.001), then records the bank's confirmations and marks the batch executed.
 */
export async function disbursementRun(
  ctx: DemoContext,
  treasurer: DemoUser,
): Promise<{ runId: string; batchId: string | null; payouts: number }> {
  const started = await ctx.api.post<{ id: string }>('/disbursements/runs', treasurer.token, {
    cutoff: new Date().toISOString(),
  });
  await waitFor(
    'the worker to compute the disbursement run',
    async () => {
      const run = await ctx.api.get<{ status: string }>(`/disbursements/runs/${started.id}`);
      if (run.status === 'failed') throw new Error(`disbursement run ${started.id} failed`);
      return run.status === 'completed' ? run : undefined;
    },
    60_000,
    200,
  );
  const batches = await ctx.api.get<{ id: string; rail: string; payouts: { id: string }[] }[]>(
    `/disbursements/runs/${started.id}/batches`,
    treasurer.token,
  );
  const sepa = batches.find((b) => b.rail === 'sepa');
  if (!sepa) {
    ctx.log('disbursement run: nothing payable');
    return { runId: started.id, batchId: null, payouts: 0 };
  }
  const execution = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
  await ctx.api.post(`/disbursements/batches/${sepa.id}/submit`, treasurer.token, {
    debtor: FUND_ACCOUNT,
    requestedExecutionDate: execution,
  });
  const file = await ctx.api.request('GET', `/disbursements/batches/${sepa.id}/pain001`, {
    token: treasurer.token,
  });
  if (!file.text.includes('pain.001')) throw new Error('the SEPA batch file is not a pain.001 document');
  for (const payout of sepa.payouts)
    await ctx.api.post(`/disbursements/payouts/${payout.id}/confirm`, treasurer.token);
  await ctx.api.post(`/disbursements/batches/${sepa.id}/executed`, treasurer.token);
  ctx.log(
    `disbursement run: ${sepa.payouts.length} SEPA payouts in one pain.001 batch, confirmed by the bank`,
  );
  return { runId: started.id, batchId: sepa.id, payouts: sepa.payouts.length };
}

export type { Json };
