import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signJwt, testIdentityProvider } from '../../test/support/jwt-signer.ts';
import { looksLikeJwt, verifyJwt } from './jwt.ts';

const NOW = 1_795_000_000;
const expectations = { issuer: 'https://sso.example.gov.cn', audience: 'polis', now: NOW };
const claims = (extra: Record<string, unknown> = {}) => ({
  iss: expectations.issuer,
  aud: 'polis',
  sub: 'u-1',
  preferred_username: 'edu-admin',
  iat: NOW - 10,
  exp: NOW + 300,
  ...extra,
});

describe('ID token verification', () => {
  const rsa = testIdentityProvider('rsa-1', 'rsa');
  const ec = testIdentityProvider('ec-1', 'ec');

  it('accepts RS256 and ES256 tokens signed by a key of the set, returning their claims', () => {
    for (const idp of [rsa, ec]) {
      const r = verifyJwt(idp.sign(claims()), idp.jwks.keys, expectations);
      expect(r).toMatchObject({ ok: true, claims: { preferred_username: 'edu-admin' } });
    }
  });

  it('accepts an audience given as a list', () => {
    expect(verifyJwt(rsa.sign(claims({ aud: ['other', 'polis'] })), rsa.jwks.keys, expectations).ok).toBe(true);
  });

  it.each([
    ['another issuer', claims({ iss: 'https://evil.example' }), /issuer/],
    ['another audience', claims({ aud: 'someone-else' }), /audience/],
    ['an expired token', claims({ exp: NOW - 120 }), /expired/],
    ['a token not valid yet', claims({ nbf: NOW + 600 }), /not valid yet/],
    ['a token without expiry', claims({ exp: undefined }), /no expiry/],
  ])('refuses %s', (_title, c, problem) => {
    const r = verifyJwt(rsa.sign(c), rsa.jwks.keys, expectations);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problem).toMatch(problem);
  });

  it('tolerates a minute of clock skew', () => {
    expect(verifyJwt(rsa.sign(claims({ exp: NOW - 30 })), rsa.jwks.keys, expectations).ok).toBe(true);
  });

  it('refuses a token signed by a key outside the set, or altered after signing', () => {
    const other = testIdentityProvider('rsa-1', 'rsa');
    expect(verifyJwt(other.sign(claims()), rsa.jwks.keys, expectations)).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/signature/),
    });
    const [h, , s] = rsa.sign(claims()).split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify(claims({ preferred_username: 'admin' }))).toString('base64url')}.${s}`;
    expect(verifyJwt(forged, rsa.jwks.keys, expectations).ok).toBe(false);
  });

  it('refuses alg none and shared-secret algorithms', () => {
    const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const none = `${enc({ alg: 'none' })}.${enc(claims())}.`;
    expect(verifyJwt(none, rsa.jwks.keys, expectations)).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/not accepted/),
    });
    const hs = `${enc({ alg: 'HS256', kid: 'rsa-1' })}.${enc(claims())}.${sign('sha256', Buffer.from('x'), generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey).toString('base64url')}`;
    expect(verifyJwt(hs, rsa.jwks.keys, expectations).ok).toBe(false);
  });

  it('refuses a token whose kid names no key, or whose key type does not fit the algorithm', () => {
    expect(verifyJwt(rsa.sign(claims(), { kid: 'unknown' }), rsa.jwks.keys, expectations)).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/no key/),
    });
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const mismatched = signJwt({ alg: 'ES256', kid: 'rsa-1' }, claims(), privateKey, 'rsa');
    expect(verifyJwt(mismatched, rsa.jwks.keys, expectations).ok).toBe(false);
  });

  it('tells JWTs from polis tokens', () => {
    expect(looksLikeJwt(rsa.sign(claims()))).toBe(true);
    expect(looksLikeJwt('polis_abcdefghijkl_secret')).toBe(false);
  });
});
