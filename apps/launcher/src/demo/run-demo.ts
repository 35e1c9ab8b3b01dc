import { INestApplicationContext } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { IdentityService, SYSTEM_PRINCIPAL } from '@app/identity';
import { FakeStripe } from '@app/testing';
import { CheckpointService } from '@app/transparency';
import { createApiApp } from '../../../api/src/bootstrap';
import { createWorkerApp } from '../../../worker/src/bootstrap';
import { DemoClient } from './demo-client';
import { DEMO_MARKER_SIRET } from './demo-data';
import {
  appointCommittee,
  createUser,
  DemoContext,
  disbursementRun,
  fundingRound,
  privateDonations,
  proposeProjects,
  publicLevies,
} from './demo-steps';

export interface DemoOptions {
  /** Port of the in-process API (0: any free port). */
  port?: number;
  host?: string;
  /** Seconds between opening the funding round and its closing (the worker tallies it then). */
  roundSeconds?: number;
  log?: (line: string) => void;
}

export interface DemoRun {
  /** Where the in-process API answers, e.g. http://127.0.0.1:3000. */
  baseUrl: string;
  /** A fresh administrator's API token (printed for the newcomer). */
  adminToken: string;
  /** The verifier key of the public log (for `librery verify`). */
  verifierKey: string;
  /** False when the database already held the demo: nothing was added. */
  filled: boolean;
  /** The tree size of the checkpoint signed at the end. */
  treeSize: number;
  api: NestExpressApplication;
  worker: INestApplicationContext;
  /** Stops the API, the worker and the fake Stripe. */
  close(): Promise<void>;
}

/**
 * Fills the database at DATABASE_URL (already migrated) with a living fund, through the public
 * HTTP API of an in-process API and the real worker: public bodies and their levies, private
 * donors through (a local fake of) Stripe, projects, a committee, a funding round tallied by the
 * worker, and a disbursement run with its SEPA batch. When the database already holds the demo,
 * nothing is added. The API keeps serving until `close()`.
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoRun> {
  const log = options.log ?? ((line: string) => console.log(line));
  const stripe = await new FakeStripe().start();
  // The apps read their configuration once, at creation: point them at the fake Stripe, then put
  // the environment back as it was.
  const overrides: Record<string, string> = {
    STRIPE_SECRET_KEY: stripe.secretKey,
    STRIPE_WEBHOOK_SECRET: stripe.webhookSecret,
    STRIPE_API_BASE: stripe.apiBase,
  };
  const saved = Object.fromEntries(Object.keys(overrides).map((k) => [k, process.env[k]]));
  Object.assign(process.env, overrides);
  let api: NestExpressApplication | null = null;
  let worker: INestApplicationContext | null = null;
  const close = async () => {
    await worker?.close();
    await api?.close();
    await stripe.stop();
  };
  try {
    api = await createApiApp();
    await api.listen(options.port ?? 0, options.host ?? '127.0.0.1');
    worker = await createWorkerApp();
    await worker.init();
  } catch (error) {
    await close();
    throw error;
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  try {
    const baseUrl = (await api.getUrl()).replace('[::1]', '127.0.0.1').replace('//[::]', '//127.0.0.1');
    // The fake's hosted checkout page (a gift made in the browser) delivers its events here.
    stripe.webhookUrl = `${baseUrl}/webhooks/stripe`;
    const admin = await api
      .get(IdentityService)
      .createAdmin(`demo-admin-${Date.now()}@librery.example`, SYSTEM_PRINCIPAL);
    const ctx: DemoContext = { api: new DemoClient(baseUrl), adminToken: admin.token.token, log };
    const existing = (await api
      .get(DataSource)
      .query('SELECT 1 FROM organisations WHERE siret = $1', [DEMO_MARKER_SIRET])) as unknown[];
    const filled = existing.length === 0;
    if (filled) {
      const started = Date.now();
      const treasurer = await createUser(ctx, 'Trésorière du fonds (démo)', [{ role: 'treasurer' }]);
      const projects = await proposeProjects(ctx, treasurer);
      await publicLevies(ctx, treasurer, projects);
      await privateDonations(ctx, stripe, projects);
      const members = await appointCommittee(ctx);
      await fundingRound(ctx, members, projects, options.roundSeconds ?? 5);
      await disbursementRun(ctx, treasurer);
      log(`demo fund filled in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    } else {
      log('the database already holds the demo fund: nothing added');
    }
    // The worker signs a checkpoint every few seconds; sign one now so that it covers everything.
    const checkpoints = api.get(CheckpointService);
    const checkpoint = await checkpoints.signLatest();
    return {
      baseUrl,
      adminToken: ctx.adminToken,
      verifierKey: checkpoints.verifierKey,
      filled,
      treeSize: checkpoint.treeSize,
      api,
      worker,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
