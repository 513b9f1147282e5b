import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/kernel/clock.ts';
import { sqliteConnectionForTests } from '../src/resources/sqlite/sqlite-store.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/**
 * A data directory that stops taking writes (issue 12, point 16): writes fail with a 503 naming the reason, the log
 * keeps the I/O cause, and /readyz turns not-ready until the store can write again.
 *
 * How the store is made read-only: these tests run as root, for whom `chmod a-w` on the data directory changes
 * nothing, and bind-mounting it read-only needs privileges a test cannot count on. So the test sets SQLite's
 * `PRAGMA query_only` on the running server's own connection (a test hook, sqliteConnectionForTests). SQLite then
 * refuses every write with the very error a read-only file gives a non-root user: result code 8, SQLITE_READONLY,
 * "attempt to write a readonly database" (node:sqlite reports both the same way, errcode 8), so the server's path
 * from that error to the 503, the log and readiness is the one a real read-only directory takes.
 */
const clock = new ManualClock('2026-11-24T09:00:00Z');
const lines: string[] = [];
let t: TestPolis;

beforeAll(async () => {
  t = await startTestPolis({ clock, logStream: { write: (line: string) => void lines.push(line) } });
});
afterAll(async () => {
  sqliteConnectionForTests(t.polis.store)?.exec('PRAGMA query_only = OFF');
  await t?.stop();
});

const app = (name: string) => ({
  apiVersion: 'core.oam.dev/v1beta1',
  kind: 'Application',
  metadata: { name, tenant: 'edu' },
  spec: { components: [{ name: 'web', type: 'webservice', properties: { image: 'nginx:1.27' } }] },
});
const create = (name: string) =>
  t.request('POST', '/apis/core.oam.dev/v1beta1/tenants/edu/applications', {
    token: t.tokens['edu-admin'],
    body: app(name),
  });

describe('a store that cannot write', () => {
  it('answers writes with a 503 and its reason, logs the I/O cause, and is not ready until it can write again', async () => {
    expect((await t.request('GET', '/readyz')).statusCode).toBe(200);
    const connection = sqliteConnectionForTests(t.polis.store);
    expect(connection).toBeDefined();
    connection!.exec('PRAGMA query_only = ON');

    const refused = await create('while-read-only');
    expect(refused.statusCode).toBe(503);
    expect(refused.json()).toMatchObject({
      reason: 'ServiceUnavailable',
      causes: [{ path: '(store)', code: 'StoreReadOnly', params: { ioCode: 'SQLITE_READONLY' } }],
    });
    const log = lines.join('');
    expect(log).toContain('SQLITE_READONLY');
    expect(log).toContain('attempt to write a readonly database');

    clock.advance(6_000); // past the probe's rate limit
    const notReady = await t.request('GET', '/readyz');
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json()).toMatchObject({
      status: 'unavailable',
      reason: 'StoreReadOnly',
      ioCode: 'SQLITE_READONLY',
    });

    connection!.exec('PRAGMA query_only = OFF');
    clock.advance(6_000);
    expect((await t.request('GET', '/readyz')).statusCode).toBe(200);
    expect((await create('after-recovery')).statusCode).toBe(201);
    const missing = await t.request('GET', '/apis/core.oam.dev/v1beta1/tenants/edu/applications/while-read-only', {
      token: t.tokens['edu-admin'],
    });
    expect(missing.statusCode).toBe(404);
  });
});
