// A real OAuth 2.0 / OpenID Connect issuer for the hub's tests: oidc-provider with the client_credentials grant, issuing
// JWT access tokens for the hub's audience (resource indicators), on a free loopback port over http.
//
//   node tests/oidc-issuer/issuer.mjs '{"audience":"https://hub.test","clients":[{"client_id":"office-a","client_secret":"s", ...}]}'
//
// It prints one line on stdout when it listens: `issuer http://127.0.0.1:PORT`. Settings (the JSON argument):
//   audience          the hub's audience: the default resource, so a token request without `resource` is for the hub;
//                     a request naming another `resource` gets a token for that audience instead
//   accessTokenTtl    seconds a token lives (default 600)
//   port              the port (default 0: a free one)
//   clients           client_id, client_secret, scope (space-separated) and the claims the hub reads:
//                     ebakul_kind, ebakul_regencies, ebakul_office (added to the client's tokens when set)
// POST /test/rotate-keys makes a new RSA signing key and lists it first, the old ones still in the JWKS (a key rotation);
// the next tokens are signed with the new key. GET /test/keys answers the kids, newest first.
import http from 'node:http';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import Provider from 'oidc-provider';

const settings = JSON.parse(process.argv[2] ?? '{}');
const audience = settings.audience ?? 'https://hub.ebakul.test';
const accessTokenTtl = settings.accessTokenTtl ?? 600;
const clients = settings.clients ?? [];
const claimNames = ['ebakul_kind', 'ebakul_regencies', 'ebakul_office'];
const hubScopes = [...new Set(clients.flatMap(c => (c.scope ?? '').split(' ').filter(Boolean)))].join(' ');

function newSigningKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };
}

let keys = [newSigningKey()];

function newProvider(issuer) {
  const provider = new Provider(issuer, {
    clients: clients.map(c => ({
      client_id: c.client_id,
      client_secret: c.client_secret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_post',
      scope: c.scope,
      ...Object.fromEntries(claimNames.filter(name => c[name] !== undefined).map(name => [name, c[name]])),
    })),
    extraClientMetadata: { properties: claimNames },
    scopes: hubScopes.split(' ').filter(Boolean),
    jwks: { keys },
    cookies: { keys: ['test-issuer-cookie-key'] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => audience,
        getResourceServerInfo: (_ctx, resourceIndicator) => ({
          scope: hubScopes,
          audience: resourceIndicator,
          accessTokenTTL: accessTokenTtl,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    ttl: { ClientCredentials: () => accessTokenTtl },
    extraTokenClaims: (ctx) => {
      const client = ctx.oidc.client;
      return Object.fromEntries(claimNames.filter(name => client?.[name] !== undefined).map(name => [name, client[name]]));
    },
  });
  return provider;
}

let handler;
const server = http.createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/test/rotate-keys') {
    keys = [newSigningKey(), ...keys];
    handler = newProvider(issuerAddress).callback();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ kids: keys.map(k => k.kid) }));
    return;
  }
  if (req.method === 'GET' && req.url === '/test/keys') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ kids: keys.map(k => k.kid) }));
    return;
  }
  handler(req, res);
});

let issuerAddress;
server.listen(settings.port ?? 0, '127.0.0.1', () => {
  issuerAddress = `http://127.0.0.1:${server.address().port}`;
  handler = newProvider(issuerAddress).callback();
  process.stdout.write(`issuer ${issuerAddress}\n`);
});

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
// The test that started it may end without a signal: leave with it.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
