import type { IncomingHttpHeaders } from 'node:http';
import type { Clock } from '../kernel/clock.ts';
import { AuthenticationError } from '../kernel/errors.ts';
import type { Store } from '../resources/store.ts';
import type { Authenticator, Identity } from './identity.ts';
import { bearerToken } from './identity.ts';
import { parseToken, tokenSecretMatches } from './token-codec.ts';

const HOW_TO = 'create one with `polis token create` (or ask your department admin) and log in with `polis login`';

/**
 * Authenticates `polis_…` API tokens against their stored hash. Reads the Token object on every request, so a
 * revocation (deleting the Token) or an expiry takes effect at once on every replica.
 */
export function tokenAuthenticator(deps: { store: Store; clock: Clock }): Authenticator {
  return {
    name: 'token',
    async authenticate(headers: IncomingHttpHeaders): Promise<Identity | undefined> {
      const raw = bearerToken(headers);
      if (raw === undefined) return undefined;
      if (!raw.startsWith('polis_')) return undefined; // another authenticator's credential (an OIDC ID token)
      const parsed = parseToken(raw);
      if (!parsed) throw new AuthenticationError(`the bearer token is not a valid polis API token; ${HOW_TO}`);
      const record = await deps.store.get({ kind: 'Token', tenant: '', name: parsed.id });
      const hash = record?.secretHash;
      if (!record || typeof hash !== 'string' || !tokenSecretMatches(parsed.secret, hash)) {
        throw new AuthenticationError(`the token is unknown or has been revoked; ${HOW_TO}`);
      }
      const spec = record.spec as { user: string; expiresAt?: string };
      if (spec.expiresAt && Date.parse(spec.expiresAt) <= deps.clock.now().getTime()) {
        throw new AuthenticationError(`the token expired at ${spec.expiresAt}; ${HOW_TO}`);
      }
      const expiresAt = spec.expiresAt ? Date.parse(spec.expiresAt) : undefined;
      return { user: spec.user, via: 'token', tokenId: parsed.id, ...(expiresAt ? { expiresAt } : {}) };
    },
  };
}
