import { describe, expect, it } from 'vitest';
import { sanitizeUrl, scrubCredentials } from './logger.ts';

describe('URL and text sanitising for logs', () => {
  it.each([
    ['/x?access_token=abc&limit=5', '/x?access_token=[redacted]&limit=5'],
    ['/x?TOKEN=abc', '/x?TOKEN=[redacted]'],
    ['/x?a=1&client_secret=s&password=p#frag', '/x?a=1&client_secret=[redacted]&password=[redacted]#frag'],
    ['/x?watch=true&resourceVersion=12', '/x?watch=true&resourceVersion=12'],
    ['/x?q=polis_abcdefghijkl_secret', '/x?q=[redacted]'],
    ['/x', '/x'],
  ])('sanitises %s', (url, expected) => {
    expect(sanitizeUrl(url)).toBe(expected);
  });

  it('scrubs bearer values, polis tokens and JWTs from text', () => {
    expect(scrubCredentials('Authorization: Bearer abc.def-1 ok')).toBe('Authorization: Bearer [redacted] ok');
    expect(scrubCredentials('token polis_0123456789_abcdef is unknown')).toBe('token [redacted] is unknown');
    expect(scrubCredentials('jwt eyJhbGciOi.eyJzdWIi.sig here')).toBe('jwt [redacted] here');
  });
});
