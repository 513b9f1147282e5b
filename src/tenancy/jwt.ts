import type { JsonWebKey, KeyObject } from 'node:crypto';
import { createPublicKey, verify } from 'node:crypto';

/** Algorithms accepted for ID tokens; `none` and HMAC (shared secrets) never are. */
export const JWT_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

export interface JwtExpectations {
  readonly issuer: string;
  readonly audience: string;
  /** Seconds since the epoch. */
  readonly now: number;
  /** Clock skew tolerated on exp/nbf/iat, in seconds. */
  readonly leewaySeconds?: number;
}

export type JwtResult =
  | { readonly ok: true; readonly claims: Readonly<Record<string, unknown>> }
  | { readonly ok: false; readonly problem: string };

/** True when `text` has the shape of a compact JWS (three base64url parts), so an authenticator may claim it. */
export function looksLikeJwt(text: string): boolean {
  return /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(text);
}

/**
 * Verifies a compact JWS ID token against a key set and the expected issuer and audience. Pure: the keys and the
 * time are inputs. Returns the claims, or the one problem found (bad signature, wrong issuer, expired …).
 */
export function verifyJwt(token: string, keys: readonly JsonWebKey[], expect: JwtExpectations): JwtResult {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, problem: 'not a compact JWT' };
  const [h, p, s] = parts as [string, string, string];
  let header: { alg?: string; kid?: string; typ?: string };
  let claims: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, problem: 'the token header or payload is not base64url JSON' };
  }
  const alg = header.alg as JwtAlgorithm;
  if (!JWT_ALGORITHMS.includes(alg))
    return {
      ok: false,
      problem: `algorithm ${String(header.alg)} is not accepted (accepted: ${JWT_ALGORITHMS.join(', ')})`,
    };
  const candidates = keys.filter(
    (k) => (header.kid === undefined || (k as { kid?: string }).kid === header.kid) && keyFits(k, alg),
  );
  if (candidates.length === 0)
    return { ok: false, problem: `no key in the provider's key set matches kid ${String(header.kid)} and ${alg}` };
  const data = Buffer.from(`${h}.${p}`);
  const signature = Buffer.from(s, 'base64url');
  const valid = candidates.some((jwk) => {
    try {
      return verifySignature(alg, data, signature, createPublicKey({ key: jwk, format: 'jwk' }));
    } catch {
      return false;
    }
  });
  if (!valid) return { ok: false, problem: 'the signature does not verify' };
  const leeway = expect.leewaySeconds ?? 60;
  if (claims.iss !== expect.issuer)
    return { ok: false, problem: `issuer ${JSON.stringify(claims.iss)} is not the configured ${expect.issuer}` };
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!aud.includes(expect.audience)) return { ok: false, problem: `the token is not for audience ${expect.audience}` };
  if (typeof claims.exp !== 'number') return { ok: false, problem: 'the token has no expiry (exp)' };
  if (claims.exp + leeway <= expect.now)
    return { ok: false, problem: `the token expired at ${new Date(claims.exp * 1000).toISOString()}` };
  if (typeof claims.nbf === 'number' && claims.nbf - leeway > expect.now)
    return { ok: false, problem: 'the token is not valid yet (nbf)' };
  if (typeof claims.iat === 'number' && claims.iat - leeway > expect.now)
    return { ok: false, problem: 'the token was issued in the future (iat)' };
  return { ok: true, claims };
}

function keyFits(jwk: JsonWebKey, alg: JwtAlgorithm): boolean {
  const use = (jwk as { use?: string }).use;
  if (use !== undefined && use !== 'sig') return false;
  const keyAlg = (jwk as { alg?: string }).alg;
  if (keyAlg !== undefined && keyAlg !== alg) return false;
  return alg.startsWith('ES') ? jwk.kty === 'EC' : jwk.kty === 'RSA';
}

function verifySignature(alg: JwtAlgorithm, data: Buffer, signature: Buffer, key: KeyObject): boolean {
  const hash = `sha${alg.slice(2)}`;
  if (alg.startsWith('ES')) return verify(hash, data, { key, dsaEncoding: 'ieee-p1363' }, signature);
  if (alg.startsWith('PS'))
    return verify(
      hash,
      data,
      { key, padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength: Number(alg.slice(2)) / 8 },
      signature,
    );
  return verify(hash, data, key, signature);
}
