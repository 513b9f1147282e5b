import { describe, expect, it } from 'vitest';
import { responseError } from './api-error.ts';

describe('responseError', () => {
  it('reads a Status body into the error, and keeps a body that is not JSON as the message', async () => {
    const status = new Response(
      JSON.stringify({ kind: 'Status', code: 403, reason: 'Forbidden', message: 'you may not read tax' }),
      { status: 403, headers: { 'content-type': 'application/json' } },
    );
    expect(await responseError(status)).toMatchObject({
      code: 403,
      reason: 'Forbidden',
      message: 'you may not read tax',
    });
    const plain = await responseError(new Response('upstream down', { status: 502 }));
    expect(plain.code).toBe(502);
    expect(plain.message).toContain('upstream down');
  });
});
