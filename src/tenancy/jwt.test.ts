import { createHmac, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
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

  it('accepts RS256 and ES256 tokens signed by a key of the set, returning their claims', async () => {
    for (const idp of [rsa, ec]) {
      const r = await verifyJwt(idp.sign(claims()), idp.jwks.keys, expectations);
      expect(r).toMatchObject({ ok: true, claims: { preferred_username: 'edu-admin' } });
    }
  });

  it('accepts an audience given as a list', async () => {
    expect((await verifyJwt(rsa.sign(claims({ aud: ['other', 'polis'] })), rsa.jwks.keys, expectations)).ok).toBe(true);
  });

  it.each([
    ['another issuer', claims({ iss: 'https://evil.example' }), /issuer/],
    ['another audience', claims({ aud: 'someone-else' }), /audience/],
    ['an expired token', claims({ exp: NOW - 120 }), /expired/],
    ['a token not valid yet', claims({ nbf: NOW + 600 }), /not valid yet/],
    ['a token without expiry', claims({ exp: undefined }), /no expiry/],
  ])('refuses %s', async (_title, c, problem) => {
    const r = await verifyJwt(rsa.sign(c), rsa.jwks.keys, expectations);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problem).toMatch(problem);
  });

  it('tolerates a minute of clock skew', async () => {
    expect((await verifyJwt(rsa.sign(claims({ exp: NOW - 30 })), rsa.jwks.keys, expectations)).ok).toBe(true);
  });

  it('refuses a token signed by a key outside the set, or altered after signing', async () => {
    const other = testIdentityProvider('rsa-1', 'rsa');
    expect(await verifyJwt(other.sign(claims()), rsa.jwks.keys, expectations)).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/signature/),
    });
    const [h, , s] = rsa.sign(claims()).split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify(claims({ preferred_username: 'admin' }))).toString('base64url')}.${s}`;
    expect((await verifyJwt(forged, rsa.jwks.keys, expectations)).ok).toBe(false);
  });

  it('refuses alg none and shared-secret algorithms', async () => {
    const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const none = `${enc({ alg: 'none' })}.${enc(claims())}.`;
    expect(await verifyJwt(none, rsa.jwks.keys, expectations)).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/not accepted/),
    });
    const hs = `${enc({ alg: 'HS256', kid: 'rsa-1' })}.${enc(claims())}.${sign('sha256', Buffer.from('x'), generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey).toString('base64url')}`;
    expect((await verifyJwt(hs, rsa.jwks.keys, expectations)).ok).toBe(false);
  });

  it('refuses a token whose kid names no key, or whose key type does not fit the algorithm', async () => {
    expect(await verifyJwt(rsa.sign(claims(), { kid: 'unknown' }), rsa.jwks.keys, expectations)).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/no key/),
    });
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const mismatched = signJwt({ alg: 'ES256', kid: 'rsa-1' }, claims(), privateKey, 'rsa');
    expect((await verifyJwt(mismatched, rsa.jwks.keys, expectations)).ok).toBe(false);
  });

  it('tells JWTs from polis tokens', async () => {
    expect(looksLikeJwt(rsa.sign(claims()))).toBe(true);
    expect(looksLikeJwt('polis_abcdefghijkl_secret')).toBe(false);
  });
});

/** Attacks that the hand-written verifier let through or that a verifier commonly gets wrong (issue 12, point 17). */
describe('ID token verification under attack', () => {
  const rsa = testIdentityProvider('rsa-1', 'rsa');
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

  it('refuses a token with a critical header it does not understand (RFC 7515 §4.1.11)', async () => {
    const r = await verifyJwt(
      rsa.sign(claims(), { crit: ['x-polis-unknown'], 'x-polis-unknown': true }),
      rsa.jwks.keys,
      expectations,
    );
    expect(r).toMatchObject({ ok: false, code: 'TokenCriticalHeaderUnknown' });
  });

  it('refuses a token that claims to expire in the far future (exp 1e308), or a day and more from now', async () => {
    expect(await verifyJwt(rsa.sign(claims({ exp: 1e308 })), rsa.jwks.keys, expectations)).toMatchObject({
      ok: false,
      code: 'TokenLifetimeTooLong',
    });
    expect(await verifyJwt(rsa.sign(claims({ exp: NOW + 2 * 86400 })), rsa.jwks.keys, expectations)).toMatchObject({
      ok: false,
      code: 'TokenLifetimeTooLong',
    });
    expect((await verifyJwt(rsa.sign(claims({ exp: NOW + 3600 })), rsa.jwks.keys, expectations)).ok).toBe(true);
  });

  it('refuses alg none, with or without a signature part', async () => {
    for (const token of [
      `${enc({ alg: 'none' })}.${enc(claims())}.`,
      `${enc({ alg: 'none', typ: 'JWT' })}.${enc(claims())}.AAAA`,
    ]) {
      expect(await verifyJwt(token, rsa.jwks.keys, expectations)).toMatchObject({
        ok: false,
        code: 'TokenAlgorithmNotAccepted',
      });
    }
  });

  it('refuses HS256 signed with the RSA public key as the shared secret (algorithm confusion)', async () => {
    const pem = createPublicKey({ key: rsa.jwks.keys[0] as import('node:crypto').JsonWebKey, format: 'jwk' }).export({
      type: 'spki',
      format: 'pem',
    });
    const data = `${enc({ alg: 'HS256', kid: 'rsa-1', typ: 'JWT' })}.${enc(claims())}`;
    const token = `${data}.${createHmac('sha256', pem).update(data).digest('base64url')}`;
    expect(await verifyJwt(token, rsa.jwks.keys, expectations)).toMatchObject({
      ok: false,
      code: 'TokenAlgorithmNotAccepted',
    });
  });

  it('names the wrong issuer or audience with its code', async () => {
    expect(
      await verifyJwt(rsa.sign(claims({ iss: 'https://evil.example' })), rsa.jwks.keys, expectations),
    ).toMatchObject({ ok: false, code: 'TokenIssuerMismatch' });
    expect(await verifyJwt(rsa.sign(claims({ aud: ['a', 'b'] })), rsa.jwks.keys, expectations)).toMatchObject({
      ok: false,
      code: 'TokenAudienceMismatch',
    });
  });

  it('tolerates the configured clock skew and no more, on exp, nbf and iat', async () => {
    const v = (c: Record<string, unknown>) =>
      verifyJwt(rsa.sign(claims(c)), rsa.jwks.keys, { ...expectations, leewaySeconds: 30 });
    expect((await v({ exp: NOW - 20 })).ok).toBe(true);
    expect(await v({ exp: NOW - 40 })).toMatchObject({ ok: false, code: 'TokenExpired' });
    expect((await v({ nbf: NOW + 20 })).ok).toBe(true);
    expect(await v({ nbf: NOW + 40 })).toMatchObject({ ok: false, code: 'TokenNotYetValid' });
    expect((await v({ iat: NOW + 20 })).ok).toBe(true);
    expect(await v({ iat: NOW + 40 })).toMatchObject({ ok: false, code: 'TokenIssuedInFuture' });
  });
});
