import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { testIdentityProvider } from './jwt-signer.ts';

/** Who the fake provider signs in at its next authorization request (its "login form" auto-consents). */
export interface FakeUser {
  readonly username: string;
  readonly groups?: readonly string[];
}

interface PendingCode {
  readonly user: FakeUser;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly challenge: string;
  readonly nonce?: string;
}

/**
 * A tiny OpenID Provider on loopback for tests: discovery, JWKS, an authorize endpoint that signs in `user` at
 * once and redirects back with a code (state passed through), and a token endpoint that checks the client, the
 * redirect URI and the PKCE verifier (S256 only) and answers with an ID token carrying the nonce and groups. Codes
 * are single-use. `tokenRequests` records what the token endpoint refused and why.
 */
export async function startFakeOidcProvider(opts: { clientId: string; clientSecret?: string }) {
  const idp = testIdentityProvider('fake-op-1', 'rsa');
  const codes = new Map<string, PendingCode>();
  const state = {
    user: { username: 'edu-admin' } as FakeUser,
    tokenRequests: [] as { ok: boolean; error?: string }[],
    authorizeRequests: [] as Record<string, string>[],
  };
  let issuer = '';

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  const refuse = (res: ServerResponse, error: string, description: string) => {
    state.tokenRequests.push({ ok: false, error: `${error}: ${description}` });
    json(res, 400, { error, error_description: description });
  };
  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let s = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (s += c));
      req.on('end', () => resolve(s));
    });

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    if (url.pathname === '/.well-known/openid-configuration')
      return json(res, 200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        code_challenge_methods_supported: ['S256'],
        id_token_signing_alg_values_supported: ['RS256'],
      });
    if (url.pathname === '/jwks') return json(res, 200, idp.jwks);
    if (url.pathname === '/authorize') {
      const q = Object.fromEntries(url.searchParams);
      state.authorizeRequests.push(q);
      const bad =
        q.response_type !== 'code'
          ? 'response_type must be code'
          : q.client_id !== opts.clientId
            ? 'unknown client'
            : q.code_challenge_method !== 'S256' || !q.code_challenge
              ? 'PKCE with S256 is required'
              : !q.redirect_uri
                ? 'redirect_uri is required'
                : !q.state
                  ? 'state is required'
                  : undefined;
      if (bad) {
        res.writeHead(400, { 'content-type': 'text/plain' });
        return res.end(bad);
      }
      const code = randomBytes(16).toString('base64url');
      codes.set(code, {
        user: state.user,
        clientId: q.client_id!,
        redirectUri: q.redirect_uri!,
        challenge: q.code_challenge!,
        ...(q.nonce ? { nonce: q.nonce } : {}),
      });
      const back = new URL(q.redirect_uri!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', q.state!);
      res.writeHead(302, { location: back.toString() });
      return res.end();
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      void readBody(req).then((text) => {
        const f = new URLSearchParams(text);
        let clientId = f.get('client_id');
        if (opts.clientSecret) {
          const basic = /^Basic (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
          const [id, secret] = Buffer.from(basic ?? '', 'base64')
            .toString()
            .split(':')
            .map(decodeURIComponent);
          if (id !== opts.clientId || secret !== opts.clientSecret)
            return refuse(res, 'invalid_client', 'client authentication failed');
          clientId = id;
        }
        if (f.get('grant_type') !== 'authorization_code')
          return refuse(res, 'unsupported_grant_type', 'authorization_code only');
        const code = f.get('code') ?? '';
        const pending = codes.get(code);
        codes.delete(code);
        if (!pending) return refuse(res, 'invalid_grant', 'unknown or used code');
        if (clientId !== pending.clientId) return refuse(res, 'invalid_grant', 'code issued to another client');
        if (f.get('redirect_uri') !== pending.redirectUri) return refuse(res, 'invalid_grant', 'redirect_uri differs');
        const verifier = f.get('code_verifier') ?? '';
        const challenge = createHash('sha256').update(verifier).digest('base64url');
        if (challenge !== pending.challenge) return refuse(res, 'invalid_grant', 'PKCE verification failed');
        const now = Math.floor(Date.now() / 1000);
        const idToken = idp.sign({
          iss: issuer,
          aud: pending.clientId,
          sub: `sub-${pending.user.username}`,
          preferred_username: pending.user.username,
          ...(pending.user.groups ? { groups: pending.user.groups } : {}),
          ...(pending.nonce ? { nonce: pending.nonce } : {}),
          iat: now,
          exp: now + 3600,
        });
        state.tokenRequests.push({ ok: true });
        json(res, 200, { access_token: randomBytes(16).toString('hex'), token_type: 'Bearer', id_token: idToken });
      });
      return;
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    get issuer() {
      return issuer;
    },
    state,
    /** An ID token signed by this provider (for tests that skip the browser). */
    sign: idp.sign,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A PKCE pair (RFC 7636, S256). */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}
