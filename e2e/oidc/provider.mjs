// A real OpenID provider for the tests: `oidc-provider` (OpenID Certified), on loopback, with a
// sign-in page of its own (an e-mail address is the account) and four clients, one per way Sterk
// must react: `test` answers correctly; `verkeerde-nonce`, `verkeerde-handtekening` and `verlopen`
// answer with an ID token whose nonce, signature or expiry is wrong (re-signed by the provider's
// own key, or by a stranger's for the signature); `gedraaide-sleutel` signs with a second key that
// the provider publishes only after `POST /test/draaien` (a key rotated in after Sterk fetched them).
//
//   node oidc/provider.mjs --port 0 --sterk http://127.0.0.1:8080
//
// prints "OIDC-provider op http://127.0.0.1:PORT" when it listens; stops on SIGTERM.
import { parseArgs } from 'node:util';
import Provider from 'oidc-provider';
import { SignJWT, decodeJwt, exportJWK, generateKeyPair } from 'jose';

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' }, sterk: { type: 'string' } } });
if (!values.sterk) throw new Error('--sterk URL is required (where Sterk runs, for the redirect addresses)');

const CLIENTS = ['test', 'verkeerde-nonce', 'verkeerde-handtekening', 'verlopen', 'gedraaide-sleutel', 'alleen-scholen'];
export const SECRET = 'sterk-test-geheim-0123456789abcdef';

const key = await generateKeyPair('RS256', { extractable: true });
const stranger = await generateKeyPair('RS256', { extractable: true });
const rotatedKey = await generateKeyPair('RS256', { extractable: true });
const nextPublic = { ...(await exportJWK(rotatedKey.publicKey)), kid: 'sleutel-2', alg: 'RS256', use: 'sig' };
let rotated = false;
const jwk = { ...(await exportJWK(key.privateKey)), kid: 'sleutel-1', alg: 'RS256', use: 'sig' };

const { createServer } = await import('node:http');
const server = createServer();
await new Promise((resolve) => server.listen(Number(values.port), '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: CLIENTS.map((id) => ({
    client_id: id,
    client_secret: SECRET,
    redirect_uris: [`${values.sterk}/inloggen/sso/${id}/terug`],
    post_logout_redirect_uris: [`${values.sterk}/`],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  })),
  jwks: { keys: [jwk] },
  pkce: { required: () => true },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  cookies: { keys: ['test-cookie-sleutel'] },
  async findAccount(_ctx, id) {
    return {
      accountId: id,
      // An address starting with "onbevestigd" is one the provider did not verify.
      claims: async () => ({ sub: `sub-${id}`, email: id, email_verified: !id.startsWith('onbevestigd'), name: `Test ${id}` }),
    };
  },
});

const page = (uid) => `<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>Testprovider</title></head>
<body><main><h1>Testprovider: inloggen</h1>
<form method="post" action="/interaction/${uid}">
<p><label for="email">E-mailadres bij de testprovider</label> <input id="email" name="email" type="email" required></p>
<p><button type="submit">Inloggen bij de testprovider</button></p>
</form></main></body></html>`;

async function form(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

// The provider's own sign-in page: an address is the account, consent is given with it.
provider.use(async (ctx, next) => {
  const m = ctx.path.match(/^\/interaction\/([\w-]+)$/);
  if (!m) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (ctx.method === 'GET') {
    ctx.type = 'html';
    ctx.body = page(details.uid);
    return undefined;
  }
  const email = (await form(ctx.req)).get('email');
  const grant = new provider.Grant({ accountId: email, clientId: details.params.client_id });
  grant.addOIDCScope('openid email profile');
  const grantId = await grant.save();
  return provider.interactionFinished(ctx.req, ctx.res, { login: { accountId: email }, consent: { grantId } }, {
    mergeWithLastSubmission: false,
  });
});

// Rotation: the second key joins the published keys on request.
provider.use(async (ctx, next) => {
  if (ctx.path === '/test/draaien' && ctx.method === 'POST') {
    rotated = true;
    ctx.status = 204;
    return;
  }
  await next();
  if (ctx.path === '/jwks' && rotated && Array.isArray(ctx.body?.keys)) {
    ctx.body = { keys: [...ctx.body.keys, nextPublic] };
  }
});

// The three wrong answers: the token endpoint's ID token, changed and signed again.
provider.use(async (ctx, next) => {
  await next();
  const client = ctx.oidc?.client?.clientId;
  if (ctx.path !== '/token' || ctx.status !== 200 || !ctx.body?.id_token || ['test', 'alleen-scholen'].includes(client)) return;
  const claims = decodeJwt(ctx.body.id_token);
  let signer = key.privateKey;
  if (client === 'verkeerde-nonce') claims.nonce = 'niet-de-nonce-van-sterk';
  if (client === 'verlopen') {
    claims.iat -= 7200;
    claims.exp = Math.floor(Date.now() / 1000) - 3600;
  }
  let kid = 'sleutel-1';
  if (client === 'verkeerde-handtekening') signer = stranger.privateKey;
  if (client === 'gedraaide-sleutel') [signer, kid] = [rotatedKey.privateKey, 'sleutel-2'];
  ctx.body = { ...ctx.body, id_token: await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).sign(signer) };
});

server.on('request', provider.callback());
console.log(`OIDC-provider op ${issuer}`);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
