// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { askWhoamiEarly, takeEarlyWhoami } from './stored-session.ts';

const who = { user: 'admin', bindings: [] };

afterEach(() => {
  localStorage.clear();
  sessionStorage.clear();
  window.history.replaceState(null, '', '/');
  takeEarlyWhoami('');
  vi.unstubAllGlobals();
});

function stubWhoami() {
  const fetch = vi.fn(async () => new Response(JSON.stringify(who), { status: 200 }));
  vi.stubGlobal('fetch', fetch);
  return fetch;
}

describe('the early whoami', () => {
  it('asks for the kept token at once and hands the answer to the session once, for that token only', async () => {
    const fetch = stubWhoami();
    localStorage.setItem('polis.token', 'polis_kept');
    askWhoamiEarly();
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(String((fetch.mock.calls[0] as unknown[])[0])).toBe('/api/v1/whoami');
    expect(takeEarlyWhoami('polis_other')).toBeUndefined();
    askWhoamiEarly();
    await expect(takeEarlyWhoami('polis_kept')).resolves.toEqual(who);
    expect(takeEarlyWhoami('polis_kept')).toBeUndefined();
  });

  it('asks nothing without a kept token, or on the SSO callback', () => {
    const fetch = stubWhoami();
    askWhoamiEarly();
    window.history.replaceState(null, '', '/auth/callback?code=x&state=y');
    sessionStorage.setItem('polis.token', 'polis_kept');
    askWhoamiEarly();
    expect(fetch).not.toHaveBeenCalled();
    expect(takeEarlyWhoami('polis_kept')).toBeUndefined();
  });
});
