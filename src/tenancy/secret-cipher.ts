import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM for secret values at rest. Each value is sealed with a fresh random 12-byte IV; the envelope names
 * the key it was sealed with (`kid`), so a server started with the wrong key says so instead of failing with a
 * bare authentication error. The envelope's version, algorithm and key id are bound to the ciphertext as
 * additional authenticated data, so none of them can be altered without detection.
 */
export interface Sealed {
  readonly v: 1;
  readonly alg: 'AES-256-GCM';
  /** First 8 hex characters of sha256(key). */
  readonly kid: string;
  /** base64 of 12 random bytes. */
  readonly iv: string;
  /** base64 of the 16-byte GCM authentication tag. */
  readonly tag: string;
  /** base64 ciphertext. */
  readonly ct: string;
}

export interface SecretCipher {
  /** Id of this cipher's key, as written into every `Sealed.kid`. */
  readonly keyId: string;
  encrypt(plaintext: string): Sealed;
  /** The plaintext; throws `SecretCipherError` for a wrong key, a malformed envelope or tampered data. */
  decrypt(sealed: Sealed): string;
}

/** A secret could not be sealed or opened. The message never contains key material or plaintext. */
export class SecretCipherError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretCipherError';
  }
}

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const ACCEPTED_KEY_FORMS =
  'a secret key must be 32 bytes written as 44 characters of base64 (e.g. from `openssl rand -base64 32`) ' +
  'or 64 hex digits (e.g. from `openssl rand -hex 32`)';

/** The id written into sealed values: first 8 hex chars of sha256(key). Reveals nothing usable about the key. */
export function secretKeyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

export function createSecretCipher(key: Buffer): SecretCipher {
  if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) {
    const got = Buffer.isBuffer(key) ? `${key.length} bytes` : typeof key;
    throw new SecretCipherError(`the secret key must be 32 bytes for AES-256-GCM, got ${got}`);
  }
  const ownKey = Buffer.from(key); // a copy: the caller may reuse or zero its buffer
  const keyId = secretKeyId(ownKey);
  const aad = Buffer.from(`polis-secret:v1:AES-256-GCM:${keyId}`);

  return {
    keyId,
    encrypt(plaintext: string): Sealed {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', ownKey, iv);
      cipher.setAAD(aad);
      const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return {
        v: 1,
        alg: 'AES-256-GCM',
        kid: keyId,
        iv: iv.toString('base64'),
        tag: cipher.getAuthTag().toString('base64'),
        ct: ct.toString('base64'),
      };
    },
    decrypt(sealed: Sealed): string {
      const s = sealed as Partial<Record<keyof Sealed, unknown>> | null;
      if (typeof s !== 'object' || s === null) throw new SecretCipherError('sealed secret is not an object');
      if (s.v !== 1 || s.alg !== 'AES-256-GCM') {
        throw new SecretCipherError(
          `sealed secret has version ${JSON.stringify(s.v)} and algorithm ${JSON.stringify(s.alg)}; ` +
            'this server reads version 1 with AES-256-GCM',
        );
      }
      if (s.kid !== keyId) {
        throw new SecretCipherError(`secret was sealed with key ${String(s.kid)}, this server has ${keyId}`);
      }
      const iv = decodeField(s.iv, 'iv', IV_BYTES);
      const tag = decodeField(s.tag, 'tag', TAG_BYTES);
      const ct = decodeField(s.ct, 'ct');
      const decipher = createDecipheriv('aes-256-gcm', ownKey, iv, {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(aad);
      decipher.setAuthTag(tag);
      try {
        return Buffer.concat([decipher.update(ct), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretCipherError(
          `sealed secret failed its integrity check (key ${keyId}): the stored value was altered or damaged`,
        );
      }
    },
  };
}

/** Reads a key from configuration text (base64 or hex of 32 bytes, surrounding whitespace ignored). */
export function parseSecretKey(text: string): Buffer {
  const t = typeof text === 'string' ? text.trim() : '';
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  if (/^[A-Za-z0-9+/]{43}=$/.test(t)) {
    const key = Buffer.from(t, 'base64');
    // A 44-character form whose last character carries stray bits does not decode back to itself.
    if (key.length === KEY_BYTES && key.toString('base64') === t) return key;
  }
  // Only the length is echoed: the text may be a real key with a typo in it.
  throw new SecretCipherError(`${ACCEPTED_KEY_FORMS}; got ${t.length} characters that are neither`);
}

/** A new random key in the base64 form `parseSecretKey` accepts. */
export function generateSecretKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

function decodeField(value: unknown, field: string, bytes?: number): Buffer {
  const ok = typeof value === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(value) && value.length % 4 === 0;
  const buf = ok ? Buffer.from(value, 'base64') : undefined;
  if (buf === undefined || (bytes !== undefined && buf.length !== bytes)) {
    const want = bytes === undefined ? 'base64' : `base64 of ${bytes} bytes`;
    throw new SecretCipherError(`sealed secret field "${field}" is not ${want}`);
  }
  return buf;
}
