import type { JsonWebKey } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { Clock } from '../kernel/clock.ts';
import { AuthenticationError } from '../kernel/errors.ts';
import type { Authenticator, Identity } from './identity.ts';
import { bearerToken } from './identity.ts';
import { looksLikeJwt, verifyJwt } from './jwt.ts';
import type { GroupBinding } from './oidc-groups.ts';
import { bindingsForGroups } from './oidc-groups.ts';

export interface OidcSettings {
  readonly issuer: string;
  /** The client id polis is registered under at the provider: ID tokens must name it in `aud`. */
  readonly audience: string;
  /** The provider's key set: a local file (air-gapped networks) or its jwks_uri. */
  readonly jwksFile?: string;
  readonly jwksUrl?: string;
  /** The claim that names the polis User (default `preferred_username`). */
  readonly userClaim?: string;
  /** The claim listing the user's groups (default `groups`), read when `groupBindings` map any. */
  readonly groupsClaim?: string;
  /** Groups whose members hold role bindings (the data bureau's mapping, POLIS_OIDC_GROUP_BINDINGS). */
  readonly groupBindings?: readonly GroupBinding[];
}

/**
 * Accepts ID tokens (JWT) of one OpenID Connect provider, such as a government SSO. The user is the User named by
 * the configured claim; rights still come from role bindings, exactly as for API tokens. The key set is loaded at
 * start and reloaded (at most once a minute) when a token names a key it does not hold, so key rotation needs no
 * restart.
 */
export function oidcAuthenticator(
  settings: OidcSettings,
  deps: {
    clock: Clock;
    fetch?: typeof fetch;
    /** The provider's jwks_uri from discovery, when neither a key file nor a URL is configured. */
    discoverJwksUri?: () => Promise<string>;
  },
): Authenticator & {
  load(): Promise<void>;
  /** Verifies an ID token: the identity it proves, with its claims (the code exchange checks the nonce). */
  verify(raw: string): Promise<{ identity: Identity; claims: Readonly<Record<string, unknown>> }>;
} {
  let keys: JsonWebKey[] = [];
  let lastLoad = -Infinity;
  const claim = settings.userClaim ?? 'preferred_username';

  async function load(): Promise<void> {
    let text: string;
    if (settings.jwksFile) text = await readFile(settings.jwksFile, 'utf8');
    else {
      const url = settings.jwksUrl ?? (await deps.discoverJwksUri?.());
      if (!url) throw new Error('OIDC needs POLIS_OIDC_JWKS_FILE, POLIS_OIDC_JWKS_URL or a discovery document');
      const res = await (deps.fetch ?? fetch)(url, { signal: AbortSignal.timeout(5000) });
      if (!res.ok) throw new Error(`the OIDC key set at ${url} answered ${res.status}`);
      text = await res.text();
    }
    const parsed = JSON.parse(text) as { keys?: JsonWebKey[] };
    if (!Array.isArray(parsed.keys)) throw new Error('the OIDC key set has no "keys" array');
    keys = parsed.keys;
    lastLoad = deps.clock.now().getTime();
  }

  async function verify(raw: string): Promise<{ identity: Identity; claims: Readonly<Record<string, unknown>> }> {
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
      throw new AuthenticationError(`the ID token has no "${claim}" claim naming the user`, [
        { path: '(authorization)', code: 'TokenUserClaimMissing', params: { claim }, message: `no "${claim}" claim` },
      ]);
    const groupBindings = settings.groupBindings?.length
      ? bindingsForGroups(settings.groupBindings, result.claims[settings.groupsClaim ?? 'groups'])
      : [];
    const exp = result.claims.exp;
    const identity: Identity = {
      user,
      via: 'oidc',
      ...(typeof exp === 'number' ? { expiresAt: exp * 1000 } : {}),
      ...(groupBindings.length > 0 ? { groupBindings } : {}),
    };
    return { identity, claims: result.claims };
  }

  return {
    name: 'oidc',
    load,
    verify,
    async authenticate(headers: IncomingHttpHeaders): Promise<Identity | undefined> {
      const raw = bearerToken(headers);
      if (raw === undefined || !looksLikeJwt(raw)) return undefined;
      return (await verify(raw)).identity;
    },
  };
}
