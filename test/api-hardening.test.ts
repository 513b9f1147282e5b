import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/**
 * The API under attack (issue 12, points 7, 9, 10, 13): slow bodies, what is public, Token hashes, bad selectors
 * and watches from the future.
 */
let t: TestPolis;
let port: number;
const APPS = '/apis/core.oam.dev/v1beta1/tenants/edu/applications';
const BODY_TIMEOUT_MS = 500;

beforeAll(async () => {
  t = await startTestPolis({ listen: true, config: { requestTimeoutMs: BODY_TIMEOUT_MS } });
  port = Number(new URL(t.polis.url!).port);
});

afterAll(async () => {
  await t?.stop();
});

/** Sends `head` (and nothing more) on a raw socket; resolves with what the server answered once it closes. */
function rawExchange(head: string, opts: { dribble?: string } = {}): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const limit = setTimeout(() => {
      socket.destroy();
      resolve({ text, closed: false });
    }, 30_000);
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      text += d;
      // An answer without waiting for the body: enough once the status line and the JSON body are in.
      if (!opts.dribble && /\r\n\r\n[\s\S]*\}$/.test(text)) {
        clearTimeout(limit);
        socket.destroy();
        resolve({ text, closed: false });
      }
    });
    socket.on('close', () => {
      clearTimeout(limit);
      resolve({ text, closed: true });
    });
    socket.on('error', reject);
    socket.write(head);
    if (opts.dribble) socket.write(opts.dribble);
  });
}

describe('request bodies (point 7)', () => {
  it('answers 408 with a reason and closes the connection when a body arrives too slowly', async () => {
    const head =
      `POST ${APPS} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${t.tokens['edu-staff']}\r\n` +
      'Content-Type: application/json\r\nContent-Length: 5000\r\n\r\n';
    const r = await rawExchange(head, { dribble: '{"apiVersion": "core.oam' });
    expect(r.closed).toBe(true);
    expect(r.text).toMatch(/^HTTP\/1\.1 408 /);
    const body = JSON.parse(r.text.slice(r.text.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
    expect(body).toMatchObject({ code: 408, reason: 'Timeout', causes: [{ path: '(body)' }] });
  });

  it('answers 401 to a request without credentials without waiting for its body', async () => {
    const head =
      `POST ${APPS} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
      'Content-Length: 100000\r\n\r\n';
    const r = await rawExchange(head);
    expect(r.text).toMatch(/^HTTP\/1\.1 401 /);
    expect(r.text).toContain('"reason":"Unauthorized"');
  });

  it('still accepts a body sent in pieces within the limit', async () => {
    const doc = JSON.stringify({
      apiVersion: 'core.oam.dev/v1beta1',
      kind: 'Application',
      metadata: { name: 'pieces' },
      spec: { components: [{ name: 'web', type: 'webservice', properties: { image: 'nginx:1.27' } }] },
    });
    const head =
      `POST ${APPS}?dryRun=All HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${t.tokens['edu-staff']}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(doc)}\r\nConnection: close\r\n\r\n`;
    const r = await rawExchange(head, { dribble: doc });
    expect(r.text).toMatch(/^HTTP\/1\.1 201 /);
  });
});

describe('what is public (point 9)', () => {
  it('keeps /healthz and /readyz public without internals', async () => {
    expect((await t.request('GET', '/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await t.request('GET', '/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready' });
  });

  it('serves /metrics only to a token with a platform-wide read role', async () => {
    const none = await t.request('GET', '/metrics');
    expect(none.statusCode).toBe(401);
    expect(none.body).not.toContain('polis_');
    for (const user of ['edu-admin', 'edu-staff', 'tax-admin', 'vendor-dev', 'publisher']) {
      const r = await t.request('GET', '/metrics', { token: t.tokens[user] });
      expect(r.statusCode, user).toBe(403);
      expect(r.json()).toMatchObject({ reason: 'Forbidden' });
    }
    for (const user of ['admin', 'auditor']) {
      const r = await t.request('GET', '/metrics', { token: t.tokens[user] });
      expect(r.statusCode, user).toBe(200);
      expect(r.body).toContain('polis_http_requests_total');
    }
  });
});

describe('Token hashes (point 10)', () => {
  it('never returns secretHash: not on create, get, list, watch, delete or in the audit log', async () => {
    const admin = t.adminToken;
    const issued = await t.request('POST', '/api/v1/tokens', { token: admin, body: { user: 'edu-staff' } });
    expect(issued.statusCode).toBe(201);
    const id = (issued.json() as { id: string }).id;
    const stored = (await t.polis.store.get({ kind: 'Token', tenant: '', name: id }))!;
    const hash = String(stored.secretHash);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    const bodies: string[] = [issued.body];
    for (const url of [
      `/apis/polis.io/v1/tokens/${id}`,
      '/apis/polis.io/v1/tokens',
      '/api/v1/tokens?user=edu-staff',
      '/api/v1/tokens',
    ]) {
      const r = await t.request('GET', url, { token: admin });
      expect(r.statusCode, url).toBe(200);
      bodies.push(r.body);
    }
    const watch = await t.request('GET', '/apis/polis.io/v1/tokens?watch=true&timeoutSeconds=1', { token: admin });
    expect(watch.body).toContain(id);
    bodies.push(watch.body);
    const del = await t.request('DELETE', `/apis/polis.io/v1/tokens/${id}`, { token: admin });
    expect(del.statusCode).toBe(200);
    bodies.push(del.body);
    const audit = await t.request('GET', `/api/v1/audit?kind=Token&name=${id}`, { token: admin });
    expect(audit.statusCode).toBe(200);
    bodies.push(audit.body);
    for (const body of bodies) {
      expect(body).not.toContain(hash);
      expect(body).not.toMatch(/"secretHash":"[0-9a-f]/);
    }
  });
});

describe('selectors and resource versions (point 13)', () => {
  it('answers 400 naming the selector and the problem to an invalid label selector, on lists and watches', async () => {
    for (const selector of [
      'app=h\u00e9llo',
      `app=${'x'.repeat(64)}`,
      'tier in (web,a b)',
      'a/b/c=x',
      'Bad_Prefix.io/app=x',
      '=x',
    ]) {
      for (const suffix of ['', '&watch=true']) {
        const r = await t.request('GET', `${APPS}?labelSelector=${encodeURIComponent(selector)}${suffix}`, {
          token: t.tokens['edu-staff'],
        });
        expect(r.statusCode, `${selector}${suffix}`).toBe(400);
        const body = r.json() as { reason: string; causes: Array<{ path: string; message: string }> };
        expect(body.reason).toBe('BadRequest');
        expect(body.causes[0]!.path).toBe('query.labelSelector');
      }
    }
    const ok = await t.request('GET', `${APPS}?labelSelector=${encodeURIComponent('polis.io/tier in (web,api),!x')}`, {
      token: t.tokens['edu-staff'],
    });
    expect(ok.statusCode).toBe(200);
  });

  it('refuses a watch from a resourceVersion newer than the store with ResourceVersionTooLarge', async () => {
    const current = await t.polis.store.currentRevision();
    const future = current + 1000;
    const r = await t.request('GET', `${APPS}?watch=true&resourceVersion=${future}`, { token: t.tokens['edu-staff'] });
    expect(r.statusCode).toBe(400);
    const body = r.json() as { reason: string; message: string; causes: Array<{ path: string }> };
    expect(body.reason).toBe('ResourceVersionTooLarge');
    expect(body.message).toContain(`Too large resource version: ${future}, current: `);
    expect(body.causes[0]!.path).toBe('query.resourceVersion');
    const lastEventId = await t.request('GET', `${APPS}?watch=true`, {
      token: t.tokens['edu-staff'],
      headers: { 'last-event-id': String(future) },
    });
    expect(lastEventId.statusCode).toBe(400);
    // The current revision itself is fine: the stream starts (and ends after timeoutSeconds).
    const now = await t.request('GET', `${APPS}?watch=true&timeoutSeconds=1&resourceVersion=${current}`, {
      token: t.tokens['edu-staff'],
    });
    expect(now.statusCode).toBe(200);
  });
});
