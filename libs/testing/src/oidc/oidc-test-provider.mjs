// A ProConnect stand-in for tests and the demo: oidc-provider on loopback, configured as ProConnect
// is (issuer under /api/v2, authorization code + PKCE, client_secret_post, RS256 ID tokens, userinfo
// as a signed JWT, the claims of its default scopes incl. `siret` and `usual_name`), with a few
// accounts signing in by email and password on a small form (no JavaScript).
//
// Input (environment): OIDC_TEST_CONFIG = JSON {
//   port?: number, host?: string, accounts: [{ sub, email, password, given_name, usual_name, siret?, uid?,
//   idp_id?, organization_label? }], clients: [{ client_id, client_secret, redirect_uris, post_logout_redirect_uris }] }
// Output: one line on stdout `OIDC_TEST_PROVIDER_READY <issuer>`, then logs on stderr.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const input = JSON.parse(process.env.OIDC_TEST_CONFIG ?? '{}');
const host = input.host ?? '127.0.0.1';
const accounts = new Map((input.accounts ?? []).map((a) => [a.sub, a]));
const PREFIX = '/api/v2';

const SCOPES = [
  'openid',
  'email',
  'given_name',
  'usual_name',
  'uid',
  'siret',
  'idp_id',
  'organization_label',
  'idp_acr',
];

function escapeHtml(value) {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title, body) {
  return `<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} – ProConnect (test)</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;color:#161616}
label{display:block;margin-top:1rem;font-weight:600}input{display:block;width:100%;padding:.5rem;font-size:1rem;border:1px solid #3a3a3a;box-sizing:border-box}
button{margin-top:1.5rem;padding:.6rem 1.2rem;font-size:1rem;background:#000091;color:#fff;border:0;cursor:pointer}
.error{color:#ce0500;font-weight:600}.note{color:#3a3a3a}</style></head>
<body><main><p class="note">Fournisseur d'identité de test (remplace ProConnect en local)</p><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
}

async function start() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = {
    ...privateKey.export({ format: 'jwk' }),
    kid: randomBytes(8).toString('hex'),
    alg: 'RS256',
    use: 'sig',
  };

  const server = createServer();
  await new Promise((resolve) => server.listen(input.port ?? 0, host, resolve));
  const { port } = server.address();
  const issuer = `http://${host}:${port}${PREFIX}`;

  const provider = new Provider(issuer, {
    clients: (input.clients ?? []).map((c) => ({
      token_endpoint_auth_method: 'client_secret_post',
      id_token_signed_response_alg: 'RS256',
      userinfo_signed_response_alg: 'RS256',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      ...c,
    })),
    jwks: { keys: [jwk] },
    scopes: SCOPES,
    claims: Object.fromEntries(SCOPES.filter((s) => s !== 'openid').map((s) => [s, [s]])),
    async findAccount(ctx, sub) {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        async claims() {
          return {
            sub,
            email: account.email,
            given_name: account.given_name,
            usual_name: account.usual_name,
            uid: account.uid ?? sub,
            siret: account.siret ?? '13002526500013',
            idp_id: account.idp_id ?? 'test-idp',
            idp_acr: 'eidas1',
            organization_label: account.organization_label ?? 'Organisation de test',
          };
        },
      };
    },
    features: {
      devInteractions: { enabled: false },
      jwtUserinfo: { enabled: true },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          ctx.body = page(
            'Se déconnecter',
            `${form}<p>Voulez-vous vous déconnecter de ProConnect (test) ?</p>
             <button type="submit" form="op.logoutForm" value="yes" name="logout">Oui, me déconnecter</button>`,
          );
        },
      },
    },
    pkce: { required: () => true },
    conformIdTokenClaims: true,
    cookies: { keys: [randomBytes(32).toString('hex')] },
    ttl: {
      AuthorizationCode: 30,
      AccessToken: 60,
      IdToken: 3600,
      Interaction: 600,
      Session: 12 * 3600,
      Grant: 12 * 3600,
    },
    interactions: { url: (ctx, interaction) => `${PREFIX}/interaction/${interaction.uid}` },
    renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = page(
        'Erreur',
        `<p class="error">${escapeHtml(out.error)}: ${escapeHtml(out.error_description ?? '')}</p>`,
      );
    },
  });
  provider.on('server_error', (ctx, error) => process.stderr.write(`server_error ${error.stack}\n`));

  const callback = provider.callback();

  async function readForm(req) {
    let body = '';
    for await (const chunk of req) {
      body += chunk;
      if (body.length > 10_000) throw new Error('form too large');
    }
    return new URLSearchParams(body);
  }

  async function interaction(req, res) {
    const details = await provider.interactionDetails(req, res);
    const action = `${PREFIX}/interaction/${details.uid}`;
    const form = (error, email = '') =>
      page(
        'Connexion',
        `${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
        <form method="post" action="${action}">
          <label for="email">Adresse électronique</label>
          <input id="email" name="email" type="email" autocomplete="username" required value="${escapeHtml(email)}">
          <label for="password">Mot de passe</label>
          <input id="password" name="password" type="password" autocomplete="current-password" required>
          <button type="submit">Se connecter</button>
        </form>`,
      );
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(form());
      return;
    }
    const data = await readForm(req);
    const email = (data.get('email') ?? '').trim().toLowerCase();
    const account = [...accounts.values()].find((a) => a.email.toLowerCase() === email);
    if (!account || account.password !== data.get('password')) {
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(form('Adresse ou mot de passe incorrect.', email));
      return;
    }
    // ProConnect asks no consent: the login grants what the client asked for.
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: account.sub, clientId: details.params.client_id });
    grant.addOIDCScope(String(details.params.scope ?? 'openid'));
    const grantId = await grant.save();
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: account.sub, amr: ['pwd'] }, consent: { grantId } },
      { mergeWithLastSubmission: false },
    );
  }

  server.on('request', (req, res) => {
    const url = new URL(req.url, issuer);
    if (url.pathname.startsWith(`${PREFIX}/interaction/`)) {
      interaction(req, res).catch((error) => {
        process.stderr.write(`interaction error ${error.stack}\n`);
        if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' });
        res.end(page('Erreur', `<p class="error">${escapeHtml(error.message)}</p>`));
      });
      return;
    }
    if (url.pathname === PREFIX || url.pathname.startsWith(`${PREFIX}/`)) {
      req.originalUrl = req.url;
      req.url = req.url.slice(PREFIX.length) || '/';
      callback(req, res);
      return;
    }
    res.writeHead(404).end();
  });

  process.stdout.write(`OIDC_TEST_PROVIDER_READY ${issuer}\n`);
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('disconnect', stop);
}

start().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
