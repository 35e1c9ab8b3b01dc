import { INestApplicationContext } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { IdentityService, SYSTEM_PRINCIPAL } from '@app/identity';
import { createServer } from 'node:net';
import {
  CapturedMail,
  FakeStripe,
  OidcTestProvider,
  SmtpCapture,
  startOidcTestProvider,
  startSmtpCapture,
} from '@app/testing';
import { CheckpointService } from '@app/transparency';
import { createApiApp } from '../../../api/src/bootstrap';
import { createWorkerApp } from '../../../worker/src/bootstrap';
import { DemoClient } from './demo-client';
import { DEMO_MARKER_SIRET } from './demo-data';
import { DEMO_OIDC_CLIENT, demoIdpAccounts, ensureDemoPeople } from './demo-people';
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
  /** The local identity provider (ProConnect stand-in) the demo people sign in at. */
  idpIssuer: string;
  /** The SMTP server capturing the demo's mail (sign-in links), also listed at <baseUrl>/dev/mail. */
  smtp: SmtpCapture;
  /** Stops the API, the worker, the fake Stripe, the identity provider and the mail capture. */
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
  // The identity provider registers the demo's redirect URIs, so the port is chosen first.
  const host = options.host ?? '127.0.0.1';
  const port = options.port ? options.port : await freePort(host);
  const baseUrl = `http://${host}:${port}`;
  const smtp = await startSmtpCapture();
  smtp.onMail = (mail) => log(describeMail(mail));
  let idp: OidcTestProvider;
  try {
    idp = await startOidcTestProvider({
      accounts: demoIdpAccounts(),
      clients: [
        {
          client_id: DEMO_OIDC_CLIENT.id,
          client_secret: DEMO_OIDC_CLIENT.secret,
          redirect_uris: [`${baseUrl}/auth/proconnect/callback`],
          post_logout_redirect_uris: [`${baseUrl}/sign-out/done`],
        },
      ],
    });
  } catch (error) {
    await smtp.close();
    await stripe.stop();
    throw error;
  }
  // The apps read their configuration once, at creation: point them at the fake Stripe, the
  // local identity provider and the mail capture, then put the environment back as it was.
  const overrides: Record<string, string> = {
    STRIPE_SECRET_KEY: stripe.secretKey,
    STRIPE_WEBHOOK_SECRET: stripe.webhookSecret,
    STRIPE_API_BASE: stripe.apiBase,
    PUBLIC_BASE_URL: baseUrl,
    SMTP_URL: smtp.url,
    MAIL_POLL_MS: '500',
    PROCONNECT_ISSUER: idp.issuer,
    PROCONNECT_CLIENT_ID: DEMO_OIDC_CLIENT.id,
    PROCONNECT_CLIENT_SECRET: DEMO_OIDC_CLIENT.secret,
    OIDC_ALLOW_HTTP: 'true',
  };
  const saved = Object.fromEntries(Object.keys(overrides).map((k) => [k, process.env[k]]));
  Object.assign(process.env, overrides);
  let api: NestExpressApplication | null = null;
  let worker: INestApplicationContext | null = null;
  const close = async () => {
    await worker?.close();
    await api?.close();
    await stripe.stop();
    await idp.stop();
    await smtp.close();
  };
  try {
    api = await createApiApp();
    await api.listen(port, host);
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
    await ensureDemoPeople(ctx, api.get(DataSource));
    // The worker signs a checkpoint every few seconds; sign one now so that it covers everything.
    const checkpoints = api.get(CheckpointService);
    const checkpoint = await checkpoints.signLatest();
    return {
      baseUrl,
      adminToken: ctx.adminToken,
      verifierKey: checkpoints.verifierKey,
      filled,
      treeSize: checkpoint.treeSize,
      idpIssuer: idp.issuer,
      smtp,
      api,
      worker,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** A port nobody listens on right now, for an API whose URL must be known before it starts. */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** One line per captured mail, with its first link: the demo's console is its mailbox. */
function describeMail(mail: CapturedMail): string {
  const link = /https?:\/\/\S+/.exec(mail.text)?.[0];
  return `mail to ${mail.to.join(', ')}: ${mail.subject}${link ? `\n  ${link}` : ''}`;
}
