import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { repoRoot } from '@app/config';

/** An account of the test identity provider, with the claims ProConnect sends. */
export interface OidcTestAccount {
  sub: string;
  email: string;
  password: string;
  given_name: string;
  usual_name: string;
  siret?: string;
  uid?: string;
  idp_id?: string;
  organization_label?: string;
}

export interface OidcTestClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
  post_logout_redirect_uris?: string[];
}

export interface OidcTestProvider {
  /** e.g. http://127.0.0.1:40123/api/v2 (discovery under /.well-known/openid-configuration). */
  issuer: string;
  stop(): Promise<void>;
}

/**
 * Starts `oidc-provider` (ESM) as a child process on loopback, a ProConnect stand-in with these
 * accounts and clients; resolves once it listens.
 */
export async function startOidcTestProvider(options: {
  accounts: OidcTestAccount[];
  clients: OidcTestClient[];
  port?: number;
  host?: string;
}): Promise<OidcTestProvider> {
  const script = join(repoRoot(), 'libs/testing/src/oidc/oidc-test-provider.mjs');
  const child: ChildProcess = spawn(process.execPath, [script], {
    env: { ...process.env, OIDC_TEST_CONFIG: JSON.stringify(options), NODE_ENV: 'development' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const issuer = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(
      () => reject(new Error(`the test OIDC provider did not start: ${stderr}`)),
      20_000,
    );
    lines.on('line', (line) => {
      const match = /^OIDC_TEST_PROVIDER_READY (\S+)$/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the test OIDC provider exited (${code}): ${stderr}`));
    });
  });
  return {
    issuer,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
