import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/kernel/clock.ts';
import { testIdentityProvider } from './support/jwt-signer.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/** Government SSO: ID tokens of a configured OpenID Connect provider log users in; rights still come from bindings. */
const clock = new ManualClock('2026-11-24T09:00:00Z');
const issuer = 'https://sso.example.gov.cn/realms/city';
const dir = mkdtempSync(join(tmpdir(), 'polis-oidc-'));
const jwksFile = join(dir, 'jwks.json');
const idp = testIdentityProvider('key-2026', 'rsa');
let t: TestPolis;
const now = () => Math.floor(clock.now().getTime() / 1000);
const idToken = (user: string, extra: Record<string, unknown> = {}) =>
  idp.sign({
    iss: issuer,
    aud: 'polis-console',
    sub: `sub-${user}`,
    preferred_username: user,
    iat: now(),
    exp: now() + 600,
    ...extra,
  });

beforeAll(async () => {
  writeFileSync(jwksFile, JSON.stringify(idp.jwks));
  t = await startTestPolis({ clock, config: { oidc: { issuer, audience: 'polis-console', jwksFile } } });
});
afterAll(async () => {
  await t?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('login through an OpenID Connect provider', () => {
  it('accepts an ID token for a known user, with the rights of that user’s bindings', async () => {
    const who = await t.request('GET', '/api/v1/whoami', { token: idToken('edu-admin') });
    expect(who.json()).toMatchObject({
      user: 'edu-admin',
      via: 'oidc',
      bindings: [{ role: 'tenant-admin', tenant: 'edu' }],
    });
    expect(
      (await t.request('GET', '/apis/core.oam.dev/v1beta1/tenants/edu/applications', { token: idToken('edu-admin') }))
        .statusCode,
    ).toBe(200);
    expect(
      (await t.request('GET', '/apis/core.oam.dev/v1beta1/tenants/tax/applications', { token: idToken('edu-admin') }))
        .statusCode,
    ).toBe(403);
  });

  it('refuses a user polis does not know, an expired token, and a token for another client', async () => {
    expect((await t.request('GET', '/api/v1/whoami', { token: idToken('stranger') })).statusCode).toBe(401);
    const expired = await t.request('GET', '/api/v1/whoami', { token: idToken('edu-admin', { exp: now() - 3600 }) });
    expect(expired.statusCode).toBe(401);
    expect(expired.json()).toMatchObject({ message: expect.stringContaining('expired') });
    expect(
      (await t.request('GET', '/api/v1/whoami', { token: idToken('edu-admin', { aud: 'another-app' }) })).statusCode,
    ).toBe(401);
  });

  it('refuses an unknown critical header and a token that claims never to expire, naming why', async () => {
    const crit = idp.sign(
      { iss: issuer, aud: 'polis-console', preferred_username: 'edu-admin', iat: now(), exp: now() + 600 },
      { crit: ['x-unknown'], 'x-unknown': 1 },
    );
    const forever = idToken('edu-admin', { exp: 1e308 });
    for (const [token, code] of [
      [crit, 'TokenCriticalHeaderUnknown'],
      [forever, 'TokenLifetimeTooLong'],
    ] as const) {
      const res = await t.request('GET', '/api/v1/whoami', { token });
      expect(res.statusCode).toBe(401);
      expect(res.json().causes).toEqual([expect.objectContaining({ path: '(authorization)', code })]);
    }
  });

  it('keeps API tokens working beside it', async () => {
    expect((await t.request('GET', '/api/v1/whoami', { token: t.tokens['edu-staff'] })).json()).toMatchObject({
      via: 'token',
    });
  });

  it('picks up a rotated provider key without a restart', async () => {
    const next = testIdentityProvider('key-2027', 'rsa');
    writeFileSync(jwksFile, JSON.stringify({ keys: [...idp.jwks.keys, ...next.jwks.keys] }));
    clock.advance(61_000);
    const token = next.sign({
      iss: issuer,
      aud: 'polis-console',
      sub: 's',
      preferred_username: 'tax-admin',
      iat: now(),
      exp: now() + 600,
    });
    expect((await t.request('GET', '/api/v1/whoami', { token })).json()).toMatchObject({
      user: 'tax-admin',
      via: 'oidc',
    });
  });
});
