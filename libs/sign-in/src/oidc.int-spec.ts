import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { ConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { IdentityModule, IdentityService, Principal } from '@app/identity';
import { MailModule } from '@app/mail';
import { loginAtTestProvider, OidcTestProvider, startOidcTestProvider } from '@app/testing';
import { OidcService } from './oidc.service';
import { OrganisationAccessService } from './organisation-access.service';
import { SignInError, SignInErrorCode } from './sign-in.errors';
import { SignInModule } from './sign-in.module';

@Module({ imports: [ConfigModule, DatabaseModule, IdentityModule, MailModule, SignInModule] })
class SignInTestModule {}

const BASE = 'http://127.0.0.1:9';
const CALLBACK = `${BASE}/auth/proconnect/callback`;
const run = Date.now().toString(36);
const SIRET = `${String(Date.now()).slice(-8)}000${Math.floor(Math.random() * 10)}`
  .padEnd(14, '7')
  .slice(0, 14);
const agent = {
  sub: `agent-${run}`,
  email: `camille.${run}@ville.test`,
  password: 'correct horse',
  given_name: 'Camille',
  usual_name: 'Martin',
  siret: SIRET,
  organization_label: 'Ville de test',
};
const admin: Principal = {
  kind: 'user',
  userId: null,
  tokenId: null,
  grants: [{ role: 'admin', scopeId: '' }],
};

/** ProConnect sign-in against oidc-provider on loopback: claims, user linking, refusals, organisation access. */
describe('OidcService (oidc-provider + PostgreSQL)', () => {
  let idp: OidcTestProvider;
  let app: INestApplicationContext;
  let sut: OidcService;
  let db: DataSource;
  const saved = { ...process.env };

  beforeAll(async () => {
    idp = await startOidcTestProvider({
      accounts: [agent],
      clients: [
        {
          client_id: 'librery',
          client_secret: 'a-long-enough-client-secret-for-tests',
          redirect_uris: [CALLBACK],
          post_logout_redirect_uris: [`${BASE}/sign-out/done`],
        },
      ],
    });
    Object.assign(process.env, {
      PUBLIC_BASE_URL: BASE,
      PROCONNECT_ISSUER: idp.issuer,
      PROCONNECT_CLIENT_ID: 'librery',
      PROCONNECT_CLIENT_SECRET: 'a-long-enough-client-secret-for-tests',
      OIDC_ALLOW_HTTP: 'true',
    });
    app = await NestFactory.createApplicationContext(SignInTestModule, { logger: false });
    sut = app.get(OidcService);
    db = app.get(DataSource);
  });

  afterAll(async () => {
    await app?.close();
    await idp?.stop();
    process.env = saved;
  });

  const signIn = async () => {
    const { url, pending } = await sut.begin('proconnect', { returnTo: '/compte', ip: '127.0.0.1' });
    const callback = await loginAtTestProvider(url, agent, CALLBACK);
    return { url: new URL(url), pending, callback };
  };

  it('asks ProConnect for a code with PKCE, state and nonce of at least 32 characters', async () => {
    const { url, pending } = await sut.begin('proconnect', { returnTo: '//evil.example/x', ip: '127.0.0.1' });
    const params = new URL(url).searchParams;
    expect(params.get('response_type')).toBe('code');
    expect(params.get('redirect_uri')).toBe(CALLBACK);
    expect(params.get('scope')).toBe(
      'openid email given_name usual_name uid siret idp_id organization_label',
    );
    expect(params.get('state')).toBe(pending.state);
    expect(params.get('nonce')).toBe(pending.nonce);
    expect(params.get('code_challenge_method')).toBe('S256');
    expect(pending.state.length).toBeGreaterThanOrEqual(32);
    expect(pending.nonce.length).toBeGreaterThanOrEqual(32);
    expect(pending.returnTo).toBe('/');
  });

  it('signs in with the claims ProConnect sends, creates the user once, and asks an admin before acting for the SIRET', async () => {
    await db.query(
      `INSERT INTO organisations (siret, siren, name) VALUES ($1, $2, 'Ville de test') ON CONFLICT DO NOTHING`,
      [SIRET, SIRET.slice(0, 9)],
    );
    const first = await signIn();
    const result = await sut.callback('proconnect', first.callback, first.pending);
    expect(result).toMatchObject({
      provider: 'proconnect',
      issuer: idp.issuer,
      subject: agent.sub,
      createdUser: true,
    });
    expect(result.idToken.split('.')).toHaveLength(3);
    expect(result.accessRequests).toHaveLength(1);
    const user = await app.get(IdentityService).getUser(result.userId);
    expect(user).toMatchObject({ email: agent.email, displayName: 'Camille Martin', roles: [] });
    const [identity] = (await db.query(
      'SELECT claims FROM oidc_identities WHERE issuer = $1 AND subject = $2',
      [idp.issuer, agent.sub],
    )) as { claims: Record<string, unknown> }[];
    expect(identity.claims).toMatchObject({
      siret: SIRET,
      usual_name: 'Martin',
      given_name: 'Camille',
      uid: agent.sub,
    });

    const again = await signIn();
    const second = await sut.callback('proconnect', again.callback, again.pending);
    expect(second).toMatchObject({ userId: result.userId, createdUser: false, accessRequests: [] });

    const access = app.get(OrganisationAccessService);
    const pending = (await access.list(admin)).filter((r) => r.userId === result.userId);
    expect(pending).toMatchObject([{ siret: SIRET, status: 'pending', organisationName: 'Ville de test' }]);
    const approved = await access.approve(admin, pending[0].id);
    expect(approved.status).toBe('approved');
    expect((await app.get(IdentityService).getUser(result.userId)).roles).toEqual([
      { role: 'buyer', scopeId: pending[0].organisationId },
    ]);
    await expect(access.reject(admin, pending[0].id)).rejects.toMatchObject({
      code: SignInErrorCode.AccessRequestDecided,
    });
    await expect(
      access.list({ kind: 'user', userId: null, tokenId: null, grants: [] }),
    ).rejects.toMatchObject({ code: 'identity.forbidden' });
  });

  it('refuses a callback with a wrong state, a wrong nonce, an unknown issuer, a replayed code, or none pending', async () => {
    const countUsers = async () => Number((await db.query('SELECT count(*) FROM users'))[0].count);
    const users = await countUsers();

    const wrongState = await signIn();
    await expect(
      sut.callback('proconnect', wrongState.callback, { ...wrongState.pending, state: 'x'.repeat(43) }),
    ).rejects.toMatchObject({ code: SignInErrorCode.CallbackRefused });

    const wrongNonce = await signIn();
    const nonceError = await sut
      .callback('proconnect', wrongNonce.callback, { ...wrongNonce.pending, nonce: 'y'.repeat(43) })
      .catch((e: unknown) => e as SignInError);
    expect(nonceError).toMatchObject({ code: SignInErrorCode.CallbackRefused });
    expect((nonceError as SignInError).message).toMatch(/nonce/i);

    const wrongIssuer = await signIn();
    const forged = new URL(wrongIssuer.callback);
    forged.searchParams.set('iss', 'https://idp.evil.example');
    await expect(sut.callback('proconnect', forged, wrongIssuer.pending)).rejects.toMatchObject({
      code: SignInErrorCode.CallbackRefused,
    });

    const replayed = await signIn();
    await sut.callback('proconnect', replayed.callback, replayed.pending);
    await expect(sut.callback('proconnect', replayed.callback, replayed.pending)).rejects.toMatchObject({
      code: SignInErrorCode.CallbackRefused,
    });
    await expect(sut.callback('proconnect', replayed.callback, undefined)).rejects.toBeInstanceOf(
      SignInError,
    );
    await expect(sut.callback('maintainers', replayed.callback, replayed.pending)).rejects.toMatchObject({
      code: SignInErrorCode.UnknownProvider,
    });
    expect(await countUsers()).toBe(users);
  });

  it('logs out at the provider with the ID token as hint', async () => {
    const flow = await signIn();
    const result = await sut.callback('proconnect', flow.callback, flow.pending);
    const url = new URL((await sut.endSessionUrl('proconnect', result.idToken))!);
    expect(url.href.startsWith(idp.issuer)).toBe(true);
    expect(url.searchParams.get('id_token_hint')).toBe(result.idToken);
    expect(url.searchParams.get('post_logout_redirect_uri')).toBe(`${BASE}/sign-out/done`);
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(200);
    // Without the provider's session cookie it asks for no confirmation: a form posting to its end_session confirm.
    expect(await response.text()).toContain(`${idp.issuer}/session/end/confirm`);
  });
});
