import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API tokens: `polis_<id>_<secret>`. The id (12 lower-case alphanumerics) is the name of the stored Token object
 * and is safe to log; the secret (32 random bytes, base64url, 43 characters) is shown once and only its sha256
 * is stored. The secret may itself contain '_', so a token is read by position, not by splitting.
 */
export interface GeneratedToken {
  readonly id: string;
  readonly secret: string;
  /** The whole bearer token, to be shown to its owner once. */
  readonly token: string;
}

export interface ParsedToken {
  readonly id: string;
  readonly secret: string;
}

const PREFIX = 'polis_';
const ID_LENGTH = 12;
const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const SECRET_BYTES = 32;
const TOKEN_PATTERN = /^polis_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

export function generateToken(): GeneratedToken {
  const id = randomId();
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  return { id, secret, token: `${PREFIX}${id}_${secret}` };
}

/** The id and secret of a well-formed token (surrounding whitespace ignored), or undefined for anything else. */
export function parseToken(text: string): ParsedToken | undefined {
  if (typeof text !== 'string') return undefined;
  const m = TOKEN_PATTERN.exec(text.trim());
  if (!m) return undefined;
  const [, id, secret] = m as unknown as [string, string, string];
  // 43 base64url characters hold 258 bits; only the canonical spelling of 32 bytes is a token we could have issued.
  if (Buffer.from(secret, 'base64url').toString('base64url') !== secret) return undefined;
  return { id, secret };
}

/** What is stored for a token: sha256 of the secret, lower-case hex. */
export function hashTokenSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Whether `secret` hashes to `hash`, compared in constant time; false for a malformed stored hash. */
export function tokenSecretMatches(secret: string, hash: string): boolean {
  if (typeof secret !== 'string' || typeof hash !== 'string' || !SHA256_HEX.test(hash)) return false;
  return timingSafeEqual(Buffer.from(hashTokenSecret(secret), 'hex'), Buffer.from(hash, 'hex'));
}

/** Uniform over the alphabet: bytes at or above the largest multiple of 36 are discarded, not folded. */
function randomId(): string {
  const limit = 256 - (256 % ID_ALPHABET.length);
  let id = '';
  while (id.length < ID_LENGTH) {
    for (const byte of randomBytes(ID_LENGTH * 2)) {
      if (byte < limit && id.length < ID_LENGTH) id += ID_ALPHABET[byte % ID_ALPHABET.length];
    }
  }
  return id;
}
