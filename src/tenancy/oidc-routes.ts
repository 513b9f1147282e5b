import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AuthenticationError, InputError, isPolisError } from '../kernel/errors.ts';
import { zodCauses } from '../resources/validation.ts';
import type { Principal } from './authorization.ts';
import type { Identity } from './identity.ts';
import type { OidcClient } from './oidc-login.ts';

/** What the console's sign-in through the government SSO needs on the server (absent: only API tokens). */
export interface OidcLogin {
  readonly client: OidcClient;
  readonly scopes: string;
  verify(idToken: string): Promise<{ identity: Identity; claims: Readonly<Record<string, unknown>> }>;
}

export interface OidcRouteDeps {
  readonly oidc?: OidcLogin;
  /** Whether polis admits the identity (a User, or groups the data bureau mapped), as every request checks. */
  readonly principal: (user: string, granted: Identity['groupBindings']) => Principal | undefined;
}

// RFC 7636 section 4.1: 43 to 128 characters of the unreserved set.
const exchangeBody = z
  .object({
    code: z.string().min(1).max(4096),
    codeVerifier: z.string().regex(/^[A-Za-z0-9._~-]{43,128}$/, '43 to 128 characters of A-Z a-z 0-9 - . _ ~'),
    redirectUri: z.url({ protocol: /^https?$/ }),
    nonce: z.string().min(16).max(256),
  })
  .strict();

/**
 * Sign-in options (public: the login page reads them before anyone is signed in) and the code exchange of the
 * authorization-code flow with PKCE. The console is the OAuth client (it makes the state, nonce and verifier, and
 * redirects); polis only relays the code to the token endpoint, verifies the ID token it gets back exactly as it
 * verifies every bearer ID token, checks the nonce, and answers with the ID token, which the console then sends as
 * its bearer credential. See docs/security.md, "Signing in from the console".
 */
export function registerOidcRoutes(app: FastifyInstance, deps: OidcRouteDeps): void {
  const pub = { config: { public: true } };

  app.get(
    '/api/v1/auth/providers',
    {
      ...pub,
      schema: { tags: ['access'], summary: 'How to sign in: API tokens, and the OIDC provider if configured' },
    },
    async (req) => {
      if (!deps.oidc) return { kind: 'SignInOptions', token: true };
      const { client, scopes } = deps.oidc;
      try {
        const d = await client.discovery();
        return {
          kind: 'SignInOptions',
          token: true,
          oidc: {
            issuer: client.issuer,
            clientId: client.clientId,
            authorizationEndpoint: d.authorization_endpoint,
            ...(d.end_session_endpoint ? { endSessionEndpoint: d.end_session_endpoint } : {}),
            scopes,
          },
        };
      } catch (e) {
        req.log.warn({ err: e }, 'OIDC discovery failed: the console offers API tokens only');
        const cause = isPolisError(e) ? e.causes[0] : undefined;
        return {
          kind: 'SignInOptions',
          token: true,
          oidc: {
            issuer: client.issuer,
            clientId: client.clientId,
            unavailable: { code: cause?.code ?? 'OidcDiscoveryFailed', message: (e as Error).message },
          },
        };
      }
    },
  );

  app.post(
    '/api/v1/auth/oidc/token',
    {
      ...pub,
      schema: {
        tags: ['access'],
        summary: 'Exchange an authorization code (with its PKCE verifier) for the ID token the console signs in with',
        body: z.toJSONSchema(exchangeBody) as Record<string, unknown>,
      },
    },
    async (req) => {
      if (!deps.oidc)
        throw new InputError('sign-in through OpenID Connect is not configured on this server', [
          {
            path: 'POLIS_OIDC_ISSUER',
            code: 'OidcNotConfigured',
            message: 'set POLIS_OIDC_ISSUER and POLIS_OIDC_CLIENT_ID',
          },
        ]);
      const parsed = exchangeBody.safeParse(req.body ?? {});
      if (!parsed.success) throw new InputError('invalid code exchange', zodCauses(parsed.error), { invalid: true });
      const { code, codeVerifier, redirectUri, nonce } = parsed.data;
      const idToken = await deps.oidc.client.exchange({ code, codeVerifier, redirectUri });
      const { identity, claims } = await deps.oidc.verify(idToken);
      if (claims.nonce !== nonce)
        throw new AuthenticationError(
          'the ID token is not the answer to this sign-in (its nonce differs); sign in again',
          [{ path: 'nonce', code: 'OidcNonceMismatch', message: 'the nonce claim differs from the one sent' }],
        );
      const principal = deps.principal(identity.user, identity.groupBindings);
      if (!principal)
        throw new AuthenticationError(
          `user "${identity.user}" is not known to polis, is disabled, or is in no group the data bureau has mapped to a role`,
          [
            {
              path: '(identity)',
              code: 'OidcUserNotAdmitted',
              params: { user: identity.user },
              message: 'no User object and no mapped group',
            },
          ],
        );
      return {
        kind: 'OidcSession',
        idToken,
        user: identity.user,
        ...(identity.expiresAt ? { expiresAt: new Date(identity.expiresAt).toISOString() } : {}),
        bindings: principal.bindings,
      };
    },
  );
}
