import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SseEvent } from './support/sse.ts';
import { openSse } from './support/sse.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/**
 * Open watches under attack (issue 12, point 6): they end once the caller's token is revoked, its role binding
 * removed or the user disabled; they end by themselves after a jittered maximum duration and the client resumes;
 * a user may hold only so many; a client that stops reading is dropped with its unread bytes bounded.
 */
const APPS = '/apis/core.oam.dev/v1beta1/tenants/edu/applications';
const ACROSS = '/apis/core.oam.dev/v1beta1/applications';
const BUFFER_BYTES = 64 * 1024;
const PER_USER = 3;

let t: TestPolis;
let base: string;

async function admin(method: string, url: string, body?: unknown, contentType?: string) {
  const r = await t.request(method, url, { token: t.adminToken, body, contentType });
  if (r.statusCode >= 300) throw new Error(`${method} ${url}: ${r.statusCode} ${r.body}`);
  return r.json() as Record<string, unknown>;
}

/** A user bound as tenant-member in edu, with a fresh token. */
async function member(name: string): Promise<{ token: string; tokenId: string }> {
  await admin('POST', '/api/v1/apply', [
    { apiVersion: 'polis.io/v1', kind: 'User', metadata: { name }, spec: { displayName: name } },
    {
      apiVersion: 'polis.io/v1',
      kind: 'RoleBinding',
      metadata: { name, tenant: 'edu' },
      spec: { user: name, role: 'tenant-member' },
    },
  ]);
  const issued = await admin('POST', '/api/v1/tokens', { user: name });
  return { token: issued.token as string, tokenId: issued.id as string };
}

/** Waits for `p`, failing after a generous limit instead of hanging. */
async function within<T>(p: Promise<T>, what: string, ms = 30_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, limit]);
  } finally {
    clearTimeout(timer);
  }
}

async function until(pred: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function lastError(events: readonly SseEvent[]): Record<string, unknown> | undefined {
  const e = events.at(-1);
  return e?.event === 'ERROR' ? e.data.object : undefined;
}

beforeAll(async () => {
  // Rechecks only on change events here (the periodic check is an hour away), so the tests show those suffice.
  t = await startTestPolis({
    listen: true,
    config: { watch: { timeoutSeconds: 3600, perUser: PER_USER, bufferBytes: BUFFER_BYTES, recheckMs: 600_000 } },
  });
  base = t.polis.url!;
});

afterAll(async () => {
  await t?.stop();
});

describe('open watches end when access ends', () => {
  it('ends the stream with 401 once its token is revoked', async () => {
    const { token, tokenId } = await member('watch-revoked');
    const s = openSse(`${base}${APPS}?watch=true`, token);
    expect((await s.status).code).toBe(200);
    await s.until((e) => e.some((x) => x.event === 'ADDED'));
    await admin('DELETE', `/api/v1/tokens/${tokenId}`);
    await within(s.ended, 'the stream ends after the revocation');
    expect(lastError(s.events)).toMatchObject({ code: 401, reason: 'Unauthorized' });
  });

  it('ends per-department and cross-department streams with 403 once the role binding is removed', async () => {
    const { token } = await member('watch-unbound');
    const own = openSse(`${base}${APPS}?watch=true`, token);
    const across = openSse(`${base}${ACROSS}?watch=true`, token);
    expect((await own.status).code).toBe(200);
    expect((await across.status).code).toBe(200);
    await own.until((e) => e.some((x) => x.event === 'ADDED'));
    await admin('DELETE', '/apis/polis.io/v1/tenants/edu/rolebindings/watch-unbound');
    await within(Promise.all([own.ended, across.ended]), 'both streams end after the binding is removed');
    expect(lastError(own.events)).toMatchObject({ code: 403, reason: 'Forbidden' });
    expect(lastError(across.events)).toMatchObject({ code: 403, reason: 'Forbidden' });
  });

  it('ends the stream with 401 once the user is disabled', async () => {
    const { token } = await member('watch-disabled');
    const s = openSse(`${base}${APPS}?watch=true`, token);
    expect((await s.status).code).toBe(200);
    await admin(
      'PATCH',
      '/apis/polis.io/v1/users/watch-disabled',
      { spec: { disabled: true } },
      'application/merge-patch+json',
    );
    await within(s.ended, 'the stream ends after the user is disabled');
    expect(lastError(s.events)).toMatchObject({ code: 401, reason: 'Unauthorized' });
  });

  it('keeps streaming when an unrelated binding changes', async () => {
    const { token } = await member('watch-kept');
    const s = openSse(`${base}${APPS}?watch=true`, token);
    expect((await s.status).code).toBe(200);
    await member('watch-bystander');
    await admin('DELETE', '/apis/polis.io/v1/tenants/edu/rolebindings/watch-bystander');
    await admin('POST', APPS, {
      apiVersion: 'core.oam.dev/v1beta1',
      kind: 'Application',
      metadata: { name: 'after-bystander' },
      spec: { components: [{ name: 'web', type: 'webservice', properties: { image: 'nginx:1.27' } }] },
    });
    await s.until((e) => e.some((x) => (x.data.object.metadata as { name?: string })?.name === 'after-bystander'));
    expect(s.events.some((x) => x.event === 'ERROR')).toBe(false);
    s.close();
  });
});

describe('watch limits', () => {
  it('refuses a user past the concurrent-watch limit with 429 TooManyRequests, and admits again once one ends', async () => {
    const { token } = await member('watch-greedy');
    const open = [];
    for (let i = 0; i < PER_USER; i++) {
      const s = openSse(`${base}${APPS}?watch=true`, token);
      expect((await s.status).code).toBe(200);
      open.push(s);
    }
    const extra = openSse(`${base}${APPS}?watch=true`, token);
    const refused = await extra.status;
    expect(refused.code).toBe(429);
    expect(JSON.parse(refused.body)).toMatchObject({ code: 429, reason: 'TooManyRequests' });
    // Other users are not affected.
    const other = openSse(`${base}${APPS}?watch=true`, t.tokens['edu-staff']!);
    expect((await other.status).code).toBe(200);
    other.close();
    const before = t.polis.watches.stats().open;
    open.pop()!.close();
    await until(() => t.polis.watches.stats().open < before, 'the closed watch is forgotten');
    const again = openSse(`${base}${APPS}?watch=true`, token);
    expect((await again.status).code).toBe(200);
    again.close();
    for (const s of open) s.close();
  });

  it('drops a watcher that stops reading once its buffer fills, holding no more than the limit', async () => {
    const { token } = await member('watch-stalled');
    const current = await t.polis.store.currentRevision();
    const dropped = t.polis.watches.stats().droppedSlow;
    const socket = connect(Number(new URL(base).port), '127.0.0.1');
    socket.on('error', () => {});
    try {
      await slowReader(socket, token, current, dropped);
    } finally {
      socket.destroy();
    }
  });
});

/** Opens a watch on `socket` and never reads it, writing large events until the server drops it. */
async function slowReader(
  socket: ReturnType<typeof connect>,
  token: string,
  current: number,
  dropped: number,
): Promise<void> {
  socket.write(
    `GET ${APPS}?watch=true&resourceVersion=${current} HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
      `Authorization: Bearer ${token}\r\nAccept: text/event-stream\r\n\r\n`,
  );
  // Never read: the client's and the kernel's buffers fill, then the server's.
  socket.pause();
  await until(() => t.polis.watches.openBy('watch-stalled') === 1, 'the watch opens');
  await admin('POST', APPS, {
    apiVersion: 'core.oam.dev/v1beta1',
    kind: 'Application',
    metadata: { name: 'big-annotations' },
    spec: { components: [{ name: 'web', type: 'webservice', properties: { image: 'nginx:1.27' } }] },
  });
  const chunk = 'x'.repeat(100 * 1024);
  let writes = 0;
  while (t.polis.watches.stats().droppedSlow === dropped && writes < 1000) {
    await admin(
      'PATCH',
      `${APPS}/big-annotations`,
      { metadata: { annotations: { blob: `${writes}-${chunk}` } } },
      'application/merge-patch+json',
    );
    writes++;
    await t.polis.feed.idle();
  }
  const stats = t.polis.watches.stats();
  expect(stats.droppedSlow).toBe(dropped + 1);
  // The most it ever held unsent: the limit plus the one event that crossed it.
  expect(stats.maxBufferedBytes).toBeLessThanOrEqual(BUFFER_BYTES + 110 * 1024);
  await until(() => t.polis.watches.openBy('watch-stalled') === 0, 'the dropped watch is forgotten');
}

describe('the maximum duration of a watch', () => {
  let short: TestPolis;
  beforeAll(async () => {
    short = await startTestPolis({
      listen: true,
      config: { watch: { timeoutSeconds: 1, perUser: 100, bufferBytes: BUFFER_BYTES, recheckMs: 5000 } },
    });
  });
  afterAll(async () => {
    await short?.stop();
  });

  it('ends a stream cleanly after a jittered maximum, and a client resumes from its last revision without a gap', async () => {
    const url = `${short.polis.url!}${APPS}`;
    const token = short.tokens['edu-staff']!;
    const first = openSse(`${url}?watch=true`, token);
    expect((await first.status).code).toBe(200);
    await within(first.ended, 'the server ends the stream by itself');
    expect(first.events.some((e) => e.event === 'ERROR')).toBe(false);
    const last = first.events.at(-1)!;
    expect(last.event).toBe('BOOKMARK');
    const created = await short.request('POST', APPS, {
      token,
      body: {
        apiVersion: 'core.oam.dev/v1beta1',
        kind: 'Application',
        metadata: { name: 'between-streams' },
        spec: { components: [{ name: 'web', type: 'webservice', properties: { image: 'nginx:1.27' } }] },
      },
    });
    expect(created.statusCode).toBe(201);
    // What a client does (the CLI and the console): reconnect with the last id it saw.
    const resumed = openSse(`${url}?watch=true`, token, { 'last-event-id': last.id! });
    await resumed.until((e) =>
      e.some((x) => x.event === 'ADDED' && (x.data.object.metadata as { name: string }).name === 'between-streams'),
    );
    resumed.close();
  });
});
