import type { JsonWebKey } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { Clock } from '../kernel/clock.ts';
import { AuthenticationError } from '../kernel/errors.ts';
import type { Authenticator, Identity } from './identity.ts';
import { bearerToken } from './identity.ts';
import { looksLikeJwt, verifyJwt } from './jwt.ts';

export interface OidcSettings {
  readonly issuer: string;
  /** The client id polis is registered under at the provider: ID tokens must name it in `aud`. */
  readonly audience: string;
  /** The provider's key set: a local file (air-gapped networks) or its jwks_uri. */
  readonly jwksFile?: string;
  readonly jwksUrl?: string;
  /** The claim that names the polis User (default `preferred_username`). */
  readonly userClaim?: string;
}

/**
 * Accepts ID tokens (JWT) of one OpenID Connect provider, such as a government SSO. The user is the User named by
 * the configured claim; rights still come from role bindings, exactly as for API tokens. The key set is loaded at
 * start and reloaded (at most once a minute) when a token names a key it does not hold, so key rotation needs no
 * restart.
 */
export function oidcAuthenticator(
  settings: OidcSettings,
  deps: { clock: Clock; fetch?: typeof fetch },
): Authenticator & { load(): Promise<void> } {
  let keys: JsonWebKey[] = [];
  let lastLoad = -Infinity;
  const claim = settings.userClaim ?? 'preferred_username';

  async function load(): Promise<void> {
    let text: string;
    if (settings.jwksFile) text = await readFile(settings.jwksFile, 'utf8');
    else if (settings.jwksUrl) {
      const res = await (deps.fetch ?? fetch)(settings.jwksUrl, { signal: AbortSignal.timeout(5000) });
      if (!res.ok) throw new Error(`the OIDC key set at ${settings.jwksUrl} answered ${res.status}`);
      text = await res.text();
    } else throw new Error('OIDC needs POLIS_OIDC_JWKS_FILE or POLIS_OIDC_JWKS_URL');
    const parsed = JSON.parse(text) as { keys?: JsonWebKey[] };
    if (!Array.isArray(parsed.keys)) throw new Error('the OIDC key set has no "keys" array');
    keys = parsed.keys;
    lastLoad = deps.clock.now().getTime();
  }

  return {
    name: 'oidc',
    load,
    async authenticate(headers: IncomingHttpHeaders): Promise<Identity | undefined> {
      const raw = bearerToken(headers);
      if (raw === undefined || !looksLikeJwt(raw)) return undefined;
      const expect = {
        issuer: settings.issuer,
        audience: settings.audience,
        now: Math.floor(deps.clock.now().getTime() / 1000),
      };
      let result = await verifyJwt(raw, keys, expect);
      if (!result.ok && result.code === 'TokenKeyNotFound' && deps.clock.now().getTime() - lastLoad > 60_000) {
        await load().catch(() => undefined);
        result = await verifyJwt(raw, keys, expect);
      }
      if (!result.ok)
        throw new AuthenticationError(`the ID token was refused: ${result.problem}; sign in again`, [
          { path: '(authorization)', code: result.code, message: result.problem },
        ]);
      const user = result.claims[claim];
      if (typeof user !== 'string' || user === '')
        throw new AuthenticationError(`the ID token has no "${claim}" claim naming the user`);
      return { user, via: 'oidc' };
    },
  };
}
