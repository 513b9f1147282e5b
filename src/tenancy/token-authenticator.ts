import type { IncomingHttpHeaders } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { Clock } from '../kernel/clock.ts';
import { AuthenticationError } from '../kernel/errors.ts';
import type { Store } from '../resources/store.ts';
import type { Authenticator, Identity } from './identity.ts';
import { bearerToken } from './identity.ts';
import { parseToken, tokenSecretMatches } from './token-codec.ts';
import { msg } from '../kernel/messages/index.ts';

/** `polis_` + 12-character id + `_` + 43-character secret: the only length a token of ours has. */
const TOKEN_LENGTH = 62;
const ID_START = 6;
const ID_END = 18;
/** Tokens whose verification is remembered; past this the memory starts over (every token verified again). */
const VERIFIED_LIMIT = 10_000;

/** A token verified against its stored Token: that object's text then, and what it said. */
interface Verified {
  /** The stored Token's JSON text the secret was verified against (its hash, user and expiry included). */
  readonly text: string;
  readonly secret: Buffer;
  readonly user: string;
  readonly expiresAt?: string;
}

/**
 * Authenticates `polis_…` API tokens against their stored hash. Reads the Token object on every request, so a
 * revocation (deleting the Token) or an expiry takes effect at once on every replica.
 *
 * What a verification found is remembered per token id with the stored text it was made against: a request whose
 * token and stored Token are byte for byte those of the last verification skips the parse, the sha256 and the JSON
 * parse of the Token (about a tenth of a GET's CPU); any change to the Token (revoked, replaced, another secret)
 * verifies again, and the expiry is checked against the clock every time. Only verified tokens are remembered, so
 * unknown ones cannot fill the memory.
 */
export function tokenAuthenticator(deps: { store: Store; clock: Clock }): Authenticator {
  const verified = new Map<string, Verified>();
  const identityOf = (id: string, user: string, expiresAt: string | undefined): Identity => {
    if (expiresAt && Date.parse(expiresAt) <= deps.clock.now().getTime()) {
      throw new AuthenticationError(msg('ApiTokenExpired', { expiresAt, how: msg('ApiTokenHowTo') }));
    }
    const expiresMs = expiresAt ? Date.parse(expiresAt) : undefined;
    return { user, via: 'token', tokenId: id, ...(expiresMs ? { expiresAt: expiresMs } : {}) };
  };
  return {
    name: 'token',
    async authenticate(headers: IncomingHttpHeaders): Promise<Identity | undefined> {
      const raw = bearerToken(headers);
      if (raw === undefined) return undefined;
      if (!raw.startsWith('polis_')) return undefined; // another authenticator's credential (an OIDC ID token)
      // A token verified before, sent exactly as then: its secret compared in constant time with the one verified.
      const known = raw.length === TOKEN_LENGTH ? verified.get(raw.slice(ID_START, ID_END)) : undefined;
      if (known !== undefined && raw[ID_END] === '_') {
        const secret = Buffer.from(raw.slice(ID_END + 1), 'latin1');
        if (secret.length === known.secret.length && timingSafeEqual(secret, known.secret)) {
          const id = raw.slice(ID_START, ID_END);
          const text = await deps.store.getText({ kind: 'Token', tenant: '', name: id });
          if (text === known.text) return identityOf(id, known.user, known.expiresAt);
        }
      }
      const parsed = parseToken(raw);
      if (!parsed) throw new AuthenticationError(msg('ApiTokenMalformed', { how: msg('ApiTokenHowTo') }));
      const text = await deps.store.getText({ kind: 'Token', tenant: '', name: parsed.id });
      const record = text === undefined ? undefined : (JSON.parse(text) as { secretHash?: unknown; spec?: unknown });
      const hash = record?.secretHash;
      if (!record || typeof hash !== 'string' || !tokenSecretMatches(parsed.secret, hash)) {
        if (!record) verified.delete(parsed.id); // revoked: nothing of it is kept
        throw new AuthenticationError(msg('ApiTokenUnknown', { how: msg('ApiTokenHowTo') }));
      }
      const spec = record.spec as { user: string; expiresAt?: string };
      const identity = identityOf(parsed.id, spec.user, spec.expiresAt);
      if (verified.size >= VERIFIED_LIMIT) verified.clear();
      verified.set(parsed.id, {
        text: text!,
        secret: Buffer.from(parsed.secret, 'latin1'),
        user: spec.user,
        ...(spec.expiresAt ? { expiresAt: spec.expiresAt } : {}),
      });
      return identity;
    },
  };
}
