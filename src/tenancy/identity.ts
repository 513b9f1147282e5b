import type { IncomingHttpHeaders } from 'node:http';
import type { Binding } from './roles.ts';

/** Who a request comes from, as an authenticator established it. Rights come later, from role bindings. */
export interface Identity {
  readonly user: string;
  /** How the identity was established: an API token today; an OIDC ID token when a provider is configured. */
  readonly via: 'token' | 'oidc';
  readonly tokenId?: string;
  /** When the credential stops being valid (ms since the epoch); open watches end then. */
  readonly expiresAt?: number;
  /**
   * Role bindings the identity provider's groups grant (POLIS_OIDC_GROUP_BINDINGS, src/tenancy/oidc-groups.ts), added
   * to the user's own bindings for this credential only.
   */
  readonly groupBindings?: readonly Binding[];
}

/**
 * One way of logging in. It returns undefined when the request carries no credential of its kind (the next
 * authenticator is tried) and throws AuthenticationError when it carries one that is invalid. Adding OIDC means
 * adding an authenticator that maps a verified ID token's claim to a User name; authorization is unchanged.
 */
export interface Authenticator {
  readonly name: string;
  authenticate(headers: IncomingHttpHeaders): Promise<Identity | undefined>;
}

/** The bearer credential of a request, from `Authorization: Bearer …` (or `?access_token=` for EventSource). */
export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const h = headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer\s+(\S+)$/i.exec(h.trim());
  return m?.[1];
}
