import { request } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/**
 * Watch streams write the events the feed delivers together (one commit's) in one socket write: with a hundred
 * watchers, a system call per event and watcher was a fifth of the server's time in a burst (bench/watch-fanout).
 * Counted on the server's socket of one watcher, over a real loopback connection.
 */
let t: TestPolis;
const APPS = '/apis/core.oam.dev/v1beta1/tenants/edu/applications';
const writes = new Map<number, number>();
const original = { write: Socket.prototype._write, writev: Socket.prototype._writev };

beforeAll(async () => {
  t = await startTestPolis({ listen: true, config: { host: '127.0.0.1', port: 0 } });
  // Server sockets whose peer port is registered in `writes` count their writes to the kernel.
  const count = (s: Socket) => {
    const n = writes.get(s.remotePort ?? -1);
    if (n !== undefined) writes.set(s.remotePort!, n + 1);
  };
  Socket.prototype._write = function (this: Socket, ...args: Parameters<Socket['_write']>) {
    count(this);
    return original.write.apply(this, args);
  };
  Socket.prototype._writev = function (this: Socket, ...args: Parameters<NonNullable<Socket['_writev']>>) {
    count(this);
    return original.writev!.apply(this, args);
  };
}, 120_000);

afterAll(async () => {
  Socket.prototype._write = original.write;
  Socket.prototype._writev = original.writev;
  await t?.stop();
});

function app(name: string) {
  return {
    apiVersion: 'core.oam.dev/v1beta1',
    kind: 'Application',
    metadata: { name, tenant: 'edu' },
    spec: { components: [{ name: 'web', type: 'webservice', properties: { image: 'nginx' } }] },
  };
}

describe('watch streams', () => {
  it('send the events of one commit to a watcher in one socket write', async () => {
    const list = await t.request('GET', APPS, { token: t.adminToken });
    const rv = (list.json() as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
    let text = '';
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request(
        new URL(`${APPS}?watch=true&resourceVersion=${rv}&allowWatchBookmarks=false`, t.polis.url!),
        { headers: { authorization: `Bearer ${t.adminToken}`, accept: 'text/event-stream' } },
        resolve,
      );
      req.on('error', reject);
      req.end();
    });
    expect(res.statusCode).toBe(200);
    res.setEncoding('utf8');
    res.on('data', (d: string) => (text += d));
    writes.set(res.socket.localPort!, 0);
    // Eight Applications in one request: one transaction, one commit, eight events delivered together.
    const names = Array.from({ length: 8 }, (_, i) => `coalesced-${i}`);
    const applied = await t.request('POST', '/api/v1/apply', { token: t.adminToken, body: names.map(app) });
    expect(applied.statusCode, applied.body).toBe(200);
    await expect
      .poll(() => names.every((n) => text.includes(`"name":"${n}"`)), { timeout: 30_000, interval: 20 })
      .toBe(true);
    expect(writes.get(res.socket.localPort!)).toBeLessThanOrEqual(2);
    res.destroy();
  });
});
