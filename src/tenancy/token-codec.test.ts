import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dns1123LabelProblem } from '../kernel/names.ts';
import { generateToken, hashTokenSecret, parseToken, tokenSecretMatches } from './token-codec.ts';

describe('generateToken', () => {
  it('builds polis_<id>_<secret> from a 12-character id and a 32-byte base64url secret', () => {
    const { id, secret, token } = generateToken();
    expect(token).toBe(`polis_${id}_${secret}`);
    expect(id).toMatch(/^[a-z0-9]{12}$/);
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    expect(secret).toHaveLength(43);
  });

  it('makes ids that are valid object names', () => {
    for (let i = 0; i < 200; i++) expect(dns1123LabelProblem(generateToken().id)).toBeUndefined();
  });

  it('never repeats an id or a secret across many tokens', () => {
    const tokens = Array.from({ length: 2000 }, generateToken);
    expect(new Set(tokens.map((t) => t.id)).size).toBe(tokens.length);
    expect(new Set(tokens.map((t) => t.secret)).size).toBe(tokens.length);
  });

  it('uses every character of the id alphabet', () => {
    const seen = new Set(Array.from({ length: 300 }, () => generateToken().id).join(''));
    expect([...seen].sort().join('')).toBe('0123456789abcdefghijklmnopqrstuvwxyz');
  });
});

describe('parseToken', () => {
  it('reads back every generated token, including secrets that contain "_"', () => {
    for (let i = 0; i < 500; i++) {
      const { id, secret, token } = generateToken();
      expect(parseToken(token)).toEqual({ id, secret });
    }
    const secret = Buffer.alloc(32, 0xff).toString('base64url'); // "____…_w": underscores throughout
    expect(parseToken(`polis_abcdefghij12_${secret}`)).toEqual({
      id: 'abcdefghij12',
      secret,
    });
  });

  it('ignores surrounding whitespace such as a trailing newline from a token file', () => {
    const { id, secret, token } = generateToken();
    expect(parseToken(`  ${token}\n`)).toEqual({ id, secret });
  });

  it.each([
    ['an empty string', ''],
    ['a wrong prefix', `pol_abcdefghij12_${'A'.repeat(43)}`],
    ['an upper-case id', `polis_ABCDEFGHIJ12_${'A'.repeat(43)}`],
    ['a short id', `polis_abc_${'A'.repeat(43)}`],
    ['a short secret', `polis_abcdefghij12_${'A'.repeat(42)}`],
    ['a long secret', `polis_abcdefghij12_${'A'.repeat(44)}`],
    ['a padded secret', `polis_abcdefghij12_${'A'.repeat(42)}=`],
    ['standard base64 characters', `polis_abcdefghij12_${'A'.repeat(42)}+`],
    ['a non-canonical last character', `polis_abcdefghij12_${'A'.repeat(42)}B`],
    ['a bearer prefix', `Bearer polis_abcdefghij12_${'A'.repeat(43)}`],
  ])('rejects %s', (_, text) => {
    expect(parseToken(text)).toBeUndefined();
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const parsed = parseToken(text);
        if (parsed) expect(`polis_${parsed.id}_${parsed.secret}`).toBe(text.trim());
      }),
    );
  });
});

describe('hashTokenSecret and tokenSecretMatches', () => {
  it('hashes with sha256 as lower-case hex', () => {
    expect(hashTokenSecret('abc')).toBe(createHash('sha256').update('abc').digest('hex'));
    expect(hashTokenSecret('abc')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('matches a secret against its own hash and no other', () => {
    const a = generateToken();
    const b = generateToken();
    expect(tokenSecretMatches(a.secret, hashTokenSecret(a.secret))).toBe(true);
    expect(tokenSecretMatches(b.secret, hashTokenSecret(a.secret))).toBe(false);
    expect(tokenSecretMatches(a.secret.slice(0, -1), hashTokenSecret(a.secret))).toBe(false);
  });

  it('returns false instead of throwing for a malformed stored hash', () => {
    const { secret } = generateToken();
    const hash = hashTokenSecret(secret);
    expect(tokenSecretMatches(secret, '')).toBe(false);
    expect(tokenSecretMatches(secret, hash.slice(0, 63))).toBe(false);
    expect(tokenSecretMatches(secret, hash.toUpperCase())).toBe(false);
    expect(tokenSecretMatches(secret, `${hash}00`)).toBe(false);
    expect(tokenSecretMatches(secret, undefined as unknown as string)).toBe(false);
  });
});
