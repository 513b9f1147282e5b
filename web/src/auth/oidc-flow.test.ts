// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { authorizeUrl, codeChallenge, completeCallback, OidcCallbackError } from './oidc-flow.ts';

const OIDC = {
  issuer: 'https://sso.example.gov.cn/realms/city',
  clientId: 'polis-console',
  authorizationEndpoint: 'https://sso.example.gov.cn/realms/city/auth',
  scopes: 'openid profile groups',
};

afterEach(() => {
  vi.unstubAllGlobals();
  sessionStorage.clear();
});

describe('the console’s authorization-code flow with PKCE', () => {
  it('computes the S256 challenge as RFC 7636 defines it: BASE64URL(SHA256(verifier)), unpadded', async () => {
    const verifier = 'a-verifier-of-forty-three-characters_0123456';
    // The expected value computed apart, with Node's crypto.
    expect(await codeChallenge(verifier)).toBe('WAgaZhtApEdfRvaq_OZmynlGAsgb2qrKgEe6krN3ldU');
  });

  it('redirects with state, nonce and the challenge of a verifier kept for this tab', async () => {
    const url = new URL(await authorizeUrl(OIDC, 'https://polis.gov.cn', '/clusters'));
    const q = url.searchParams;
    expect(url.origin + url.pathname).toBe(OIDC.authorizationEndpoint);
    expect(q.get('response_type')).toBe('code');
    expect(q.get('client_id')).toBe('polis-console');
    expect(q.get('redirect_uri')).toBe('https://polis.gov.cn/auth/callback');
    expect(q.get('scope')).toBe('openid profile groups');
    expect(q.get('code_challenge_method')).toBe('S256');
    const pending = JSON.parse(sessionStorage.getItem('polis.oidc.pending')!);
    expect(pending.verifier).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
    expect(q.get('code_challenge')).toBe(await codeChallenge(pending.verifier));
    expect(q.get('state')).toBe(pending.state);
    expect(q.get('nonce')).toBe(pending.nonce);
    expect(pending.state).not.toBe(pending.nonce);
  });

  it('refuses a callback whose state is not the one sent, without asking polis', async () => {
    const fetch = vi.fn();
    vi.stubGlobal('fetch', fetch);
    await authorizeUrl(OIDC, 'https://polis.gov.cn', '/');
    const err = await completeCallback(new URLSearchParams('code=abc&state=forged'), 'https://polis.gov.cn').catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OidcCallbackError);
    expect((err as OidcCallbackError).problem).toBe('oidcStateMismatch');
    expect(fetch).not.toHaveBeenCalled();
    // The pending sign-in is spent: replaying the right state afterwards finds nothing.
    const again = await completeCallback(new URLSearchParams('code=abc&state=x'), 'https://polis.gov.cn').catch(
      (e: unknown) => e,
    );
    expect((again as OidcCallbackError).problem).toBe('oidcNoPending');
  });

  it('exchanges the code through polis with the verifier, the redirect URI and the nonce', async () => {
    const fetch = vi.fn(
      async (_url: string, _init?: RequestInit) =>
        new Response(JSON.stringify({ kind: 'OidcSession', idToken: 'eyJ.a.b', user: 'edu-admin' })),
    );
    vi.stubGlobal('fetch', fetch);
    const state = new URL(await authorizeUrl(OIDC, 'https://polis.gov.cn', '/audit')).searchParams.get('state')!;
    const pending = JSON.parse(sessionStorage.getItem('polis.oidc.pending')!);
    const s = await completeCallback(new URLSearchParams({ code: 'abc', state }), 'https://polis.gov.cn');
    expect(s).toMatchObject({ idToken: 'eyJ.a.b', returnTo: '/audit' });
    expect(fetch.mock.calls[0]![0]).toBe('/api/v1/auth/oidc/token');
    const init = fetch.mock.calls[0]![1]!;
    expect((init.headers as Record<string, string>).authorization).toBeUndefined();
    expect(JSON.parse(String(init.body))).toEqual({
      code: 'abc',
      codeVerifier: pending.verifier,
      redirectUri: 'https://polis.gov.cn/auth/callback',
      nonce: pending.nonce,
    });
  });
});
