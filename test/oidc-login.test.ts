import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeUser } from './support/fake-oidc-provider.ts';
import { pkcePair, startFakeOidcProvider } from './support/fake-oidc-provider.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/**
 * The server side of the console's sign-in through the government SSO: sign-in options, discovery, the code
 * exchange with PKCE relayed to the provider, the nonce, and groups mapped to role bindings by the data bureau.
 */
const CLIENT = 'polis-console';
const REDIRECT = 'http://127.0.0.1:9/auth/callback';
let op: Awaited<ReturnType<typeof startFakeOidcProvider>>;
let t: TestPolis;

beforeAll(async () => {
  op = await startFakeOidcProvider({ clientId: CLIENT, clientSecret: 'bureau-secret' });
  t = await startTestPolis({
    config: {
      oidc: {
        issuer: op.issuer,
        audience: CLIENT,
        clientSecret: 'bureau-secret',
        groupBindings: 'city-data-bureau=platform-admin; edu-it=tenant-admin@edu; /city/tax/readers=viewer@tax',
      },
    },
  });
});
afterAll(async () => {
  await t?.stop();
  await op?.stop();
});

/** Walks the provider's authorize endpoint as a browser would; returns the code it redirects back with. */
async function authorize(user: FakeUser, challenge: string, nonce: string): Promise<string> {
  op.state.user = user;
  const opts = (await t.request('GET', '/api/v1/auth/providers')).json();
  const url = new URL(opts.oidc.authorizationEndpoint);
  for (const [k, v] of Object.entries({
    response_type: 'code',
    client_id: opts.oidc.clientId,
    redirect_uri: REDIRECT,
    scope: opts.oidc.scopes,
    state: 'state-1',
    nonce,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }))
    url.searchParams.set(k, v);
  const res = await fetch(url, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const back = new URL(res.headers.get('location')!);
  expect(back.searchParams.get('state')).toBe('state-1');
  return back.searchParams.get('code')!;
}

const NONCE = 'nonce-0123456789abcdef';
const exchange = (body: Record<string, unknown>) => t.request('POST', '/api/v1/auth/oidc/token', { body });

describe('signing in from the console through an OpenID Connect provider', () => {
  it('offers the provider with the endpoints found by discovery, without a token', async () => {
    const res = await t.request('GET', '/api/v1/auth/providers');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      kind: 'SignInOptions',
      token: true,
      oidc: {
        issuer: op.issuer,
        clientId: CLIENT,
        authorizationEndpoint: `${op.issuer}/authorize`,
        scopes: 'openid profile',
      },
    });
  });

  it('exchanges the code with its PKCE verifier for an ID token that signs the user in', async () => {
    const { verifier, challenge } = pkcePair();
    const code = await authorize({ username: 'edu-staff' }, challenge, NONCE);
    const res = await exchange({ code, codeVerifier: verifier, redirectUri: REDIRECT, nonce: NONCE });
    expect(res.statusCode).toBe(200);
    const session = res.json();
    expect(session).toMatchObject({ kind: 'OidcSession', user: 'edu-staff' });
    const who = await t.request('GET', '/api/v1/whoami', { token: session.idToken });
    expect(who.json()).toMatchObject({
      user: 'edu-staff',
      via: 'oidc',
      bindings: [{ role: 'tenant-member', tenant: 'edu' }],
    });
  });

  it('maps the identity’s groups to role bindings as the data bureau configured, even without a User object', async () => {
    const { verifier, challenge } = pkcePair();
    const code = await authorize(
      { username: 'zhang.wei', groups: ['edu-it', '/city/tax/readers', 'unmapped'] },
      challenge,
      NONCE,
    );
    const session = (await exchange({ code, codeVerifier: verifier, redirectUri: REDIRECT, nonce: NONCE })).json();
    expect(session.bindings).toEqual([
      { role: 'tenant-admin', tenant: 'edu' },
      { role: 'viewer', tenant: 'tax' },
    ]);
    const who = (await t.request('GET', '/api/v1/whoami', { token: session.idToken })).json();
    expect(who.bindings).toEqual(session.bindings);
    const apps = (path: string) => t.request('GET', path, { token: session.idToken });
    expect((await apps('/apis/core.oam.dev/v1beta1/tenants/edu/applications')).statusCode).toBe(200);
    expect((await apps('/apis/core.oam.dev/v1beta1/tenants/tax/applications')).statusCode).toBe(200);
    expect((await apps('/apis/core.oam.dev/v1beta1/tenants/health/applications')).statusCode).toBe(403);
    // A member of the data bureau's group administers the platform; its own bindings stay too.
    const p = pkcePair();
    const c = await authorize({ username: 'edu-admin', groups: ['city-data-bureau'] }, p.challenge, NONCE);
    const admin = (await exchange({ code: c, codeVerifier: p.verifier, redirectUri: REDIRECT, nonce: NONCE })).json();
    expect(admin.bindings).toEqual([{ role: 'tenant-admin', tenant: 'edu' }, { role: 'platform-admin' }]);
  });

  it('relays the provider’s refusal of a wrong PKCE verifier and of a used code as 401 with its code', async () => {
    const { verifier, challenge } = pkcePair();
    const code = await authorize({ username: 'edu-staff' }, challenge, NONCE);
    const wrong = await exchange({ code, codeVerifier: pkcePair().verifier, redirectUri: REDIRECT, nonce: NONCE });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().causes).toEqual([
      expect.objectContaining({ code: 'OidcCodeRefused', params: { error: 'invalid_grant' } }),
    ]);
    expect(op.state.tokenRequests.at(-1)).toEqual({ ok: false, error: 'invalid_grant: PKCE verification failed' });
    // The code was spent on the failed attempt: the right verifier no longer helps.
    const again = await exchange({ code, codeVerifier: verifier, redirectUri: REDIRECT, nonce: NONCE });
    expect(again.statusCode).toBe(401);
  });

  it('refuses an ID token answering another sign-in (nonce), and a user neither known nor in a mapped group', async () => {
    let p = pkcePair();
    let code = await authorize({ username: 'edu-staff' }, p.challenge, NONCE);
    const other = await exchange({
      code,
      codeVerifier: p.verifier,
      redirectUri: REDIRECT,
      nonce: 'another-nonce-0123456',
    });
    expect(other.statusCode).toBe(401);
    expect(other.json().causes[0].code).toBe('OidcNonceMismatch');
    p = pkcePair();
    code = await authorize({ username: 'stranger', groups: ['unmapped'] }, p.challenge, NONCE);
    const stranger = await exchange({ code, codeVerifier: p.verifier, redirectUri: REDIRECT, nonce: NONCE });
    expect(stranger.statusCode).toBe(401);
    expect(stranger.json().causes[0]).toMatchObject({ code: 'OidcUserNotAdmitted', params: { user: 'stranger' } });
  });

  it('names the field of a malformed exchange', async () => {
    const res = await exchange({ code: 'x', codeVerifier: 'short', redirectUri: 'javascript:alert(1)', nonce: NONCE });
    expect(res.statusCode).toBe(422);
    const paths = res.json().causes.map((c: { path: string }) => c.path);
    expect(paths).toEqual(expect.arrayContaining(['codeVerifier', 'redirectUri']));
  });

  it('refuses a disabled user even when a group maps to a role', async () => {
    await t.request('PATCH', '/apis/polis.io/v1/users/tax-admin', {
      token: t.adminToken,
      body: { spec: { disabled: true } },
      contentType: 'application/merge-patch+json',
    });
    const p = pkcePair();
    const code = await authorize({ username: 'tax-admin', groups: ['edu-it'] }, p.challenge, NONCE);
    const res = await exchange({ code, codeVerifier: p.verifier, redirectUri: REDIRECT, nonce: NONCE });
    expect(res.statusCode).toBe(401);
  });
});

describe('without an OpenID Connect provider', () => {
  it('offers API tokens only, and refuses an exchange naming the setting', async () => {
    const plain = await startTestPolis({ demo: false });
    try {
      expect((await plain.request('GET', '/api/v1/auth/providers')).json()).toEqual({
        kind: 'SignInOptions',
        token: true,
      });
      const res = await plain.request('POST', '/api/v1/auth/oidc/token', { body: {} });
      expect(res.statusCode).toBe(400);
      expect(res.json().causes[0].code).toBe('OidcNotConfigured');
    } finally {
      await plain.stop();
    }
  });
});
