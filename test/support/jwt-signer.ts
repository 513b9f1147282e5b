import type { KeyObject } from 'node:crypto';
import { generateKeyPairSync, sign } from 'node:crypto';

/** A test identity provider: a key pair, its JWKS, and a signer of ID tokens. */
export function testIdentityProvider(kid = 'test-key-1', type: 'rsa' | 'ec' = 'rsa') {
  const { privateKey, publicKey } =
    type === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig' };
  return {
    jwks: { keys: [jwk] },
    sign(claims: Record<string, unknown>, header: Record<string, unknown> = {}) {
      const alg = type === 'rsa' ? 'RS256' : 'ES256';
      return signJwt({ alg, kid, typ: 'JWT', ...header }, claims, privateKey, type);
    },
  };
}

export function signJwt(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  key: KeyObject,
  type: 'rsa' | 'ec',
): string {
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const data = `${enc(header)}.${enc(claims)}`;
  const sig =
    type === 'rsa'
      ? sign('sha256', Buffer.from(data), key)
      : sign('sha256', Buffer.from(data), { key, dsaEncoding: 'ieee-p1363' });
  return `${data}.${sig.toString('base64url')}`;
}
