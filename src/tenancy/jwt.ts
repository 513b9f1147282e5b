import type { JsonWebKey } from 'node:crypto';
import type { JWK } from 'jose';
import { createLocalJWKSet, errors, jwtVerify } from 'jose';

/** Algorithms accepted for ID tokens; `none` and HMAC (shared secrets) never are. */
export const JWT_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

/** The longest lifetime (exp − now) accepted by default: a day. ID tokens live minutes to hours. */
export const MAX_TOKEN_LIFETIME_SECONDS = 24 * 3600;

export interface JwtExpectations {
  readonly issuer: string;
  readonly audience: string;
  /** Seconds since the epoch. */
  readonly now: number;
  /** Clock skew tolerated on exp/nbf/iat, in seconds (default 60). */
  readonly leewaySeconds?: number;
  /** A token whose exp lies further ahead than this is refused (default a day): `exp: 1e308` is not "never". */
  readonly maxLifetimeSeconds?: number;
}

/** Why a token was refused, as a stable code (the `problem` is its English fallback). */
export type JwtProblemCode =
  | 'TokenMalformed'
  | 'TokenAlgorithmNotAccepted'
  | 'TokenCriticalHeaderUnknown'
  | 'TokenKeyNotFound'
  | 'TokenSignatureInvalid'
  | 'TokenIssuerMismatch'
  | 'TokenAudienceMismatch'
  | 'TokenNoExpiry'
  | 'TokenExpired'
  | 'TokenNotYetValid'
  | 'TokenIssuedInFuture'
  | 'TokenLifetimeTooLong'
  | 'TokenInvalid';

export type JwtResult =
  | { readonly ok: true; readonly claims: Readonly<Record<string, unknown>> }
  | { readonly ok: false; readonly code: JwtProblemCode; readonly problem: string };

/** True when `text` has the shape of a compact JWS (three base64url parts), so an authenticator may claim it. */
export function looksLikeJwt(text: string): boolean {
  return /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(text);
}

/**
 * Verifies a compact JWS ID token against a key set and the expected issuer and audience, with `jose` (RFC 7515/7519:
 * unknown `crit` headers, `alg: none`, HMAC with a public key and malformed numeric dates are all refused there).
 * On top of jose: `exp` is required, may lie at most `maxLifetimeSeconds` ahead, and `iat` may not lie in the future.
 * The keys and the time are inputs. Returns the claims, or the one problem found with its code.
 */
export async function verifyJwt(
  token: string,
  keys: readonly JsonWebKey[],
  expect: JwtExpectations,
): Promise<JwtResult> {
  const leeway = expect.leewaySeconds ?? 60;
  let claims: Record<string, unknown>;
  try {
    const keySet = keySetOf(keys);
    const verified = await jwtVerify(token, keySet, {
      algorithms: [...JWT_ALGORITHMS],
      issuer: expect.issuer,
      audience: expect.audience,
      requiredClaims: ['exp'],
      clockTolerance: leeway,
      currentDate: new Date(expect.now * 1000),
    });
    claims = verified.payload as Record<string, unknown>;
  } catch (e) {
    return refused(e, expect);
  }
  const exp = claims.exp as number;
  const maxLifetime = expect.maxLifetimeSeconds ?? MAX_TOKEN_LIFETIME_SECONDS;
  if (exp - expect.now > maxLifetime + leeway)
    return {
      ok: false,
      code: 'TokenLifetimeTooLong',
      problem: `the token expires more than ${maxLifetime} seconds from now (exp ${exp})`,
    };
  if (typeof claims.iat === 'number' && claims.iat - leeway > expect.now)
    return { ok: false, code: 'TokenIssuedInFuture', problem: 'the token was issued in the future (iat)' };
  return { ok: true, claims };
}

const keySets = new WeakMap<readonly JsonWebKey[], ReturnType<typeof createLocalJWKSet>>();

/** jose's key set over `keys`, kept per array so imported keys are reused until the provider's set is reloaded. */
function keySetOf(keys: readonly JsonWebKey[]): ReturnType<typeof createLocalJWKSet> {
  let set = keySets.get(keys);
  if (!set) {
    set = createLocalJWKSet({ keys: keys as JWK[] });
    keySets.set(keys, set);
  }
  return set;
}

/** jose's error, as a code and an English problem. */
function refused(e: unknown, expect: JwtExpectations): JwtResult & { ok: false } {
  const fail = (code: JwtProblemCode, problem: string) => ({ ok: false as const, code, problem });
  if (e instanceof errors.JWTExpired) {
    const exp = (e.payload as { exp?: unknown }).exp;
    return fail(
      'TokenExpired',
      typeof exp === 'number' && Number.isFinite(exp)
        ? `the token expired at ${new Date(exp * 1000).toISOString()}`
        : 'the token expired',
    );
  }
  if (e instanceof errors.JWTClaimValidationFailed) {
    switch (e.claim) {
      case 'iss':
        return fail(
          'TokenIssuerMismatch',
          `issuer ${JSON.stringify((e.payload as { iss?: unknown }).iss)} is not the configured ${expect.issuer}`,
        );
      case 'aud':
        return fail('TokenAudienceMismatch', `the token is not for audience ${expect.audience}`);
      case 'exp':
        return fail(
          e.reason === 'missing' ? 'TokenNoExpiry' : 'TokenInvalid',
          e.reason === 'missing' ? 'the token has no expiry (exp)' : `exp: ${e.message}`,
        );
      case 'nbf':
        return fail('TokenNotYetValid', 'the token is not valid yet (nbf)');
      default:
        return fail('TokenInvalid', `claim ${e.claim}: ${e.message}`);
    }
  }
  if (e instanceof errors.JOSEAlgNotAllowed)
    return fail('TokenAlgorithmNotAccepted', `the algorithm is not accepted (accepted: ${JWT_ALGORITHMS.join(', ')})`);
  if (e instanceof errors.JOSENotSupported)
    return /crit|Extension Header/i.test(e.message)
      ? fail('TokenCriticalHeaderUnknown', `the token names a critical header polis does not understand: ${e.message}`)
      : fail('TokenAlgorithmNotAccepted', `the token uses what is not accepted: ${e.message}`);
  if (e instanceof errors.JWKSNoMatchingKey || e instanceof errors.JWKSMultipleMatchingKeys)
    return fail('TokenKeyNotFound', "no key in the provider's key set matches the token's kid and algorithm");
  if (e instanceof errors.JWSSignatureVerificationFailed)
    return fail('TokenSignatureInvalid', 'the signature does not verify');
  if (e instanceof errors.JWSInvalid || e instanceof errors.JWTInvalid)
    return fail('TokenMalformed', `the token is malformed: ${e.message}`);
  return fail('TokenInvalid', `the token could not be verified: ${(e as Error).message}`);
}
