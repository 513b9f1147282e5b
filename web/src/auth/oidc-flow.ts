import { api } from '../api/client.ts';

/** The server's sign-in options (`GET /api/v1/auth/providers`, public). */
export interface SignInOptions {
  readonly kind: 'SignInOptions';
  readonly token: boolean;
  readonly oidc?: {
    readonly issuer: string;
    readonly clientId: string;
    readonly authorizationEndpoint?: string;
    readonly endSessionEndpoint?: string;
    readonly scopes?: string;
    /** Discovery failed: the button stays disabled and says why. */
    readonly unavailable?: { readonly code: string; readonly message: string };
  };
}

export interface OidcSession {
  readonly kind: 'OidcSession';
  readonly idToken: string;
  readonly user: string;
  readonly expiresAt?: string;
}

/** Where the provider sends the browser back: a console path polis serves index.html for. */
export const CALLBACK_PATH = '/auth/callback';
const PENDING = 'polis.oidc.pending';

interface Pending {
  readonly state: string;
  readonly nonce: string;
  readonly verifier: string;
  readonly returnTo: string;
}

const b64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

function random(bytes = 32): string {
  return b64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** The S256 code challenge of a PKCE verifier (RFC 7636 section 4.2). */
export async function codeChallenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return b64url(new Uint8Array(digest));
}

export function fetchSignInOptions(): Promise<SignInOptions> {
  return api<SignInOptions>('/api/v1/auth/providers', { token: '' });
}

/**
 * Starts the authorization-code flow with PKCE: a fresh state, nonce and verifier are kept for this tab (the
 * callback comes back to it), and the browser goes to the provider's authorization endpoint. Returns the URL (the
 * caller assigns it), so a test can look at it.
 */
export async function authorizeUrl(options: NonNullable<SignInOptions['oidc']>, origin: string, returnTo: string) {
  if (!options.authorizationEndpoint) throw new Error('the identity provider is not available');
  const pending: Pending = { state: random(), nonce: random(), verifier: random(48), returnTo };
  sessionStorage.setItem(PENDING, JSON.stringify(pending));
  const url = new URL(options.authorizationEndpoint);
  const q = url.searchParams;
  q.set('response_type', 'code');
  q.set('client_id', options.clientId);
  q.set('redirect_uri', origin + CALLBACK_PATH);
  q.set('scope', options.scopes ?? 'openid profile');
  q.set('state', pending.state);
  q.set('nonce', pending.nonce);
  q.set('code_challenge', await codeChallenge(pending.verifier));
  q.set('code_challenge_method', 'S256');
  return url.toString();
}

/** Why a callback could not complete before polis was asked (a stable key for the login page's message). */
export type CallbackProblem = 'oidcNoPending' | 'oidcStateMismatch' | 'oidcProviderError';

export class OidcCallbackError extends Error {
  readonly problem: CallbackProblem;
  readonly detail?: string;
  constructor(problem: CallbackProblem, detail?: string) {
    super(problem);
    this.problem = problem;
    this.detail = detail;
  }
}

/**
 * Completes a callback (`/auth/callback?code&state`): the state must be the one this tab sent (a forged or stale
 * callback is refused without any request), then polis exchanges the code with the verifier, checks the nonce and
 * returns the ID token. The pending state is spent either way.
 */
export async function completeCallback(
  search: URLSearchParams,
  origin: string,
): Promise<OidcSession & { returnTo: string }> {
  const raw = sessionStorage.getItem(PENDING);
  sessionStorage.removeItem(PENDING);
  const error = search.get('error');
  if (error)
    throw new OidcCallbackError('oidcProviderError', `${error} ${search.get('error_description') ?? ''}`.trim());
  if (!raw) throw new OidcCallbackError('oidcNoPending');
  const pending = JSON.parse(raw) as Pending;
  if (!search.get('state') || search.get('state') !== pending.state) throw new OidcCallbackError('oidcStateMismatch');
  const session = await api<OidcSession>('/api/v1/auth/oidc/token', {
    token: '',
    body: {
      code: search.get('code') ?? '',
      codeVerifier: pending.verifier,
      redirectUri: origin + CALLBACK_PATH,
      nonce: pending.nonce,
    },
  });
  return { ...session, returnTo: pending.returnTo };
}
