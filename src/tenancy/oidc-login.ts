import type { Clock } from '../kernel/clock.ts';
import { AuthenticationError, UnavailableError } from '../kernel/errors.ts';

/** The fields of an OpenID Provider's discovery document polis uses (OpenID Connect Discovery 1.0, section 3). */
export interface OidcDiscovery {
  readonly issuer: string;
  readonly authorization_endpoint: string;
  readonly token_endpoint: string;
  readonly jwks_uri: string;
  readonly end_session_endpoint?: string;
  readonly code_challenge_methods_supported?: readonly string[];
}

export interface OidcClientSettings {
  readonly issuer: string;
  /** The client id polis (its console) is registered under. */
  readonly clientId: string;
  /** Set for a confidential client: sent with the code exchange (client_secret_basic). */
  readonly clientSecret?: string;
}

const CACHE_MS = 10 * 60_000;
const TIMEOUT_MS = 10_000;

/**
 * The provider side of the console's sign-in: discovery (cached ten minutes, the issuer checked as the spec asks)
 * and the authorization-code exchange with the PKCE verifier. polis makes both calls so that the browser talks only
 * to polis (the console's Content-Security-Policy allows no other origin, and government SSO token endpoints often
 * answer no CORS), and so that a client secret, when the provider issues one, never reaches the browser.
 */
export class OidcClient {
  private cached: { at: number; doc: OidcDiscovery } | undefined;
  private readonly settings: OidcClientSettings;
  private readonly deps: { clock: Clock; fetch: typeof fetch };

  constructor(settings: OidcClientSettings, deps: { clock: Clock; fetch?: typeof fetch }) {
    this.settings = settings;
    this.deps = { clock: deps.clock, fetch: deps.fetch ?? fetch };
  }

  get clientId(): string {
    return this.settings.clientId;
  }

  get issuer(): string {
    return this.settings.issuer;
  }

  /** The issuer's endpoints, from `<issuer>/.well-known/openid-configuration`. */
  async discovery(): Promise<OidcDiscovery> {
    const now = this.deps.clock.now().getTime();
    if (this.cached && now - this.cached.at < CACHE_MS) return this.cached.doc;
    const url = `${this.settings.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    let doc: Partial<OidcDiscovery>;
    try {
      const res = await this.deps.fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
      if (!res.ok) throw new Error(`it answered ${res.status}`);
      doc = (await res.json()) as Partial<OidcDiscovery>;
    } catch (e) {
      throw new UnavailableError(`the OIDC discovery document at ${url} could not be read: ${(e as Error).message}`, [
        { path: 'POLIS_OIDC_ISSUER', code: 'OidcDiscoveryFailed', params: { url }, message: (e as Error).message },
      ]);
    }
    const missing = (['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const).filter(
      (k) => typeof doc[k] !== 'string',
    );
    if (doc.issuer !== this.settings.issuer || missing.length > 0)
      throw new UnavailableError(
        `the OIDC discovery document at ${url} does not fit: ${doc.issuer !== this.settings.issuer ? `its issuer is "${String(doc.issuer)}", not POLIS_OIDC_ISSUER` : `it lacks ${missing.join(', ')}`}`,
        [{ path: 'POLIS_OIDC_ISSUER', code: 'OidcDiscoveryInvalid', params: { url }, message: 'issuer or endpoints' }],
      );
    this.cached = { at: now, doc: doc as OidcDiscovery };
    return this.cached.doc;
  }

  /**
   * Exchanges an authorization code (with its PKCE verifier and the redirect URI it was issued for) at the token
   * endpoint; returns the ID token, unverified (the caller verifies it as any bearer ID token). A refusal by the
   * provider (a used or forged code, a verifier that does not match the challenge) is a 401 with its OAuth error.
   */
  async exchange(input: { code: string; codeVerifier: string; redirectUri: string }): Promise<string> {
    const d = await this.discovery();
    const form = new URLSearchParams({
      grant_type: 'authorization_code',
      code: input.code,
      redirect_uri: input.redirectUri,
      code_verifier: input.codeVerifier,
      client_id: this.settings.clientId,
    });
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    if (this.settings.clientSecret) {
      const enc = (s: string) => encodeURIComponent(s);
      headers.authorization = `Basic ${Buffer.from(`${enc(this.settings.clientId)}:${enc(this.settings.clientSecret)}`).toString('base64')}`;
    }
    let res: Response;
    try {
      res = await this.deps.fetch(d.token_endpoint, {
        method: 'POST',
        headers,
        body: form.toString(),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (e) {
      throw new UnavailableError(`the OIDC token endpoint could not be reached: ${(e as Error).message}`, [
        { path: 'token_endpoint', code: 'OidcTokenEndpointUnreachable', message: (e as Error).message },
      ]);
    }
    const body = (await res.json().catch(() => ({}))) as {
      id_token?: unknown;
      error?: unknown;
      error_description?: unknown;
    };
    if (!res.ok || typeof body.id_token !== 'string') {
      const error = typeof body.error === 'string' ? body.error : `http_${res.status}`;
      const description = typeof body.error_description === 'string' ? `: ${body.error_description}` : '';
      throw new AuthenticationError(
        `the identity provider refused the sign-in (${error}${description}); sign in again`,
        [{ path: 'code', code: 'OidcCodeRefused', params: { error }, message: `${error}${description}` }],
      );
    }
    return body.id_token;
  }
}
