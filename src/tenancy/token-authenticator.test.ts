import { describe, expect, it } from 'vitest';
import { ManualClock } from '../kernel/clock.ts';
import { AuthenticationError } from '../kernel/errors.ts';
import type { Store } from '../resources/store.ts';
import { tokenAuthenticator } from './token-authenticator.ts';
import { generateToken, hashTokenSecret } from './token-codec.ts';

/** A store holding Token objects as text, counting reads: only getText is used. */
function tokenStore() {
  const texts = new Map<string, string>();
  let reads = 0;
  const store = {
    getText: async (key: { kind: string; name: string }) => {
      reads++;
      return key.kind === 'Token' ? texts.get(key.name) : undefined;
    },
  } as unknown as Store;
  const put = (id: string, secret: string, spec: Record<string, unknown>) =>
    texts.set(id, JSON.stringify({ kind: 'Token', metadata: { name: id }, spec, secretHash: hashTokenSecret(secret) }));
  return { store, texts, put, reads: () => reads };
}

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

describe('token authenticator: remembered verifications', () => {
  it('reads the Token on every request and answers the same identity from a remembered verification', async () => {
    const s = tokenStore();
    const t = generateToken();
    s.put(t.id, t.secret, { user: 'alice' });
    const a = tokenAuthenticator({ store: s.store, clock: new ManualClock() });
    const first = await a.authenticate(auth(t.token));
    const again = await a.authenticate(auth(t.token));
    expect(first).toEqual({ user: 'alice', via: 'token', tokenId: t.id });
    expect(again).toEqual(first);
    expect(s.reads()).toBe(2);
  });

  it('refuses at once a revoked token, and a token whose stored secret changed', async () => {
    const s = tokenStore();
    const t = generateToken();
    s.put(t.id, t.secret, { user: 'alice' });
    const a = tokenAuthenticator({ store: s.store, clock: new ManualClock() });
    await a.authenticate(auth(t.token));
    s.texts.delete(t.id);
    await expect(a.authenticate(auth(t.token))).rejects.toThrow(/unknown or has been revoked/);
    s.put(t.id, t.secret, { user: 'alice' });
    await a.authenticate(auth(t.token));
    s.put(t.id, generateToken().secret, { user: 'alice' });
    await expect(a.authenticate(auth(t.token))).rejects.toThrow(AuthenticationError);
  });

  it('refuses another secret under a remembered id, and still accepts the verified one', async () => {
    const s = tokenStore();
    const t = generateToken();
    s.put(t.id, t.secret, { user: 'alice' });
    const a = tokenAuthenticator({ store: s.store, clock: new ManualClock() });
    await a.authenticate(auth(t.token));
    const forged = `polis_${t.id}_${generateToken().secret}`;
    await expect(a.authenticate(auth(forged))).rejects.toThrow(/unknown or has been revoked/);
    expect((await a.authenticate(auth(t.token)))?.user).toBe('alice');
  });

  it('checks the expiry against the clock on every request', async () => {
    const s = tokenStore();
    const t = generateToken();
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    s.put(t.id, t.secret, { user: 'alice', expiresAt: '2026-01-01T01:00:00Z' });
    const a = tokenAuthenticator({ store: s.store, clock });
    expect((await a.authenticate(auth(t.token)))?.expiresAt).toBe(Date.parse('2026-01-01T01:00:00Z'));
    clock.advance(3_600_000);
    await expect(a.authenticate(auth(t.token))).rejects.toThrow(/expired at 2026-01-01T01:00:00Z/);
  });

  it('reports a malformed token as before, and leaves other credentials to other authenticators', async () => {
    const s = tokenStore();
    const a = tokenAuthenticator({ store: s.store, clock: new ManualClock() });
    await expect(a.authenticate(auth('polis_short'))).rejects.toThrow(/not a valid polis API token/);
    expect(await a.authenticate(auth('eyJhbGciOi.x.y'))).toBeUndefined();
    expect(await a.authenticate({})).toBeUndefined();
  });
});
