import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Sealed,
  SecretCipherError,
  createSecretCipher,
  generateSecretKey,
  parseSecretKey,
  secretKeyId,
} from './secret-cipher.ts';

const KEY_A = Buffer.alloc(32, 1);
const KEY_B = Buffer.alloc(32, 2);

function flipFirstByte(b64: string): string {
  const buf = Buffer.from(b64, 'base64');
  buf[0] = buf[0]! ^ 0x01;
  return buf.toString('base64');
}

describe('createSecretCipher', () => {
  it('round-trips any string, including empty and non-ASCII text', () => {
    const cipher = createSecretCipher(KEY_A);
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
        expect(cipher.decrypt(cipher.encrypt(text))).toBe(text);
      }),
    );
    expect(cipher.decrypt(cipher.encrypt(''))).toBe('');
    expect(cipher.decrypt(cipher.encrypt('pässwörd 密码 🔑'))).toBe('pässwörd 密码 🔑');
  });

  it('writes a versioned envelope naming the key, with a 12-byte IV and a 16-byte tag', () => {
    const cipher = createSecretCipher(KEY_A);
    const sealed = cipher.encrypt('hunter2');
    expect(Object.keys(sealed).sort()).toEqual(['alg', 'ct', 'iv', 'kid', 'tag', 'v']);
    expect(sealed.v).toBe(1);
    expect(sealed.alg).toBe('AES-256-GCM');
    expect(sealed.kid).toBe(createHash('sha256').update(KEY_A).digest('hex').slice(0, 8));
    expect(cipher.keyId).toBe(sealed.kid);
    expect(Buffer.from(sealed.iv, 'base64')).toHaveLength(12);
    expect(Buffer.from(sealed.tag, 'base64')).toHaveLength(16);
    expect(Buffer.from(sealed.ct, 'base64').toString('utf8')).not.toContain('hunter2');
  });

  it('uses a fresh IV each time, so equal plaintexts seal differently', () => {
    const cipher = createSecretCipher(KEY_A);
    const a = cipher.encrypt('same');
    const b = cipher.encrypt('same');
    expect(a.iv).not.toBe(b.iv);
    expect(a.ct).not.toBe(b.ct);
  });

  it('refuses keys that are not 32 bytes', () => {
    expect(() => createSecretCipher(Buffer.alloc(16))).toThrow('must be 32 bytes for AES-256-GCM, got 16 bytes');
    expect(() => createSecretCipher(Buffer.alloc(0))).toThrow(SecretCipherError);
    expect(() => createSecretCipher('x'.repeat(32) as unknown as Buffer)).toThrow('got string');
  });

  it('keeps its own copy of the key, so zeroing the caller buffer does not break it', () => {
    const key = Buffer.from(KEY_A);
    const cipher = createSecretCipher(key);
    const sealed = cipher.encrypt('value');
    key.fill(0);
    expect(cipher.decrypt(sealed)).toBe('value');
  });

  it('names both keys when a value was sealed with a different key', () => {
    const sealed = createSecretCipher(KEY_A).encrypt('value');
    const other = createSecretCipher(KEY_B);
    expect(() => other.decrypt(sealed)).toThrow(
      `secret was sealed with key ${secretKeyId(KEY_A)}, this server has ${secretKeyId(KEY_B)}`,
    );
  });

  it('detects tampering with the ciphertext, the tag or the IV', () => {
    const cipher = createSecretCipher(KEY_A);
    const sealed = cipher.encrypt('a secret value');
    for (const field of ['ct', 'tag', 'iv'] as const) {
      const tampered = { ...sealed, [field]: flipFirstByte(sealed[field]) };
      expect(() => cipher.decrypt(tampered)).toThrow('failed its integrity check');
    }
  });

  it('detects a ciphertext moved to an envelope claiming another key id', () => {
    // Same key, but the envelope says another kid: refused before decryption, never silently accepted.
    const cipher = createSecretCipher(KEY_A);
    const sealed = { ...cipher.encrypt('v'), kid: '00000000' };
    expect(() => cipher.decrypt(sealed)).toThrow('sealed with key 00000000');
  });

  it('explains malformed envelopes field by field', () => {
    const cipher = createSecretCipher(KEY_A);
    const sealed = cipher.encrypt('v');
    expect(() => cipher.decrypt({ ...sealed, v: 2 } as unknown as Sealed)).toThrow('this server reads version 1');
    expect(() => cipher.decrypt({ ...sealed, alg: 'AES-128-CBC' } as unknown as Sealed)).toThrow('AES-128-CBC');
    expect(() => cipher.decrypt({ ...sealed, iv: 'AAAA' })).toThrow('field "iv" is not base64 of 12 bytes');
    expect(() => cipher.decrypt({ ...sealed, tag: 'not base64!' })).toThrow('field "tag" is not base64 of 16 bytes');
    expect(() => cipher.decrypt({ ...sealed, ct: 42 } as unknown as Sealed)).toThrow('field "ct" is not base64');
    expect(() => cipher.decrypt(null as unknown as Sealed)).toThrow('not an object');
  });
});

describe('parseSecretKey', () => {
  it('accepts base64 and hex forms of 32 bytes and trims whitespace', () => {
    const key = Buffer.from(Array.from({ length: 32 }, (_, i) => i * 7));
    expect(parseSecretKey(key.toString('base64')).equals(key)).toBe(true);
    expect(parseSecretKey(key.toString('hex')).equals(key)).toBe(true);
    expect(parseSecretKey(key.toString('hex').toUpperCase()).equals(key)).toBe(true);
    expect(parseSecretKey(`  ${key.toString('base64')}\n`).equals(key)).toBe(true);
  });

  it('accepts what generateSecretKey produces, and keys differ each time', () => {
    const a = generateSecretKey();
    expect(a).toHaveLength(44);
    expect(parseSecretKey(a)).toHaveLength(32);
    expect(generateSecretKey()).not.toBe(a);
  });

  it.each([
    ['an empty string', ''],
    ['16 bytes of base64', Buffer.alloc(16, 3).toString('base64')],
    ['33 bytes of hex', Buffer.alloc(33, 3).toString('hex')],
    ['63 hex digits', 'a'.repeat(63)],
    ['base64url of 32 bytes', Buffer.alloc(32, 0xfb).toString('base64url')],
    ['non-canonical base64', `${'A'.repeat(42)}B=`],
    ['a passphrase', 'correct horse battery staple'],
  ])('refuses %s and explains both accepted forms', (_, text) => {
    expect(() => parseSecretKey(text)).toThrow(SecretCipherError);
    expect(() => parseSecretKey(text)).toThrow(/44 characters of base64 .* or 64 hex digits/);
  });

  it('does not echo the rejected text, which may be a mistyped real key', () => {
    const nearlyKey = `${generateSecretKey().slice(0, 43)}!`;
    try {
      parseSecretKey(nearlyKey);
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).not.toContain(nearlyKey.slice(0, 20));
      expect((e as Error).message).toContain('got 44 characters');
    }
  });
});
