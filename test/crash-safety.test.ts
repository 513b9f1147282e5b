import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChildPolis } from './support/child-polis.ts';
import { spawnPolis } from './support/child-polis.ts';

/**
 * Crash safety of a whole polis on SQLite: writes stream in over HTTP, several at a time, until the server is
 * SIGKILLed at a random moment; after a restart on the same data folder every acknowledged write is there, nothing
 * is half-written, and the audit chain holds (and then catches a tampered row).
 */

const TENANTS = ['crash-north', 'crash-south', 'crash-east'] as const;
const WORKERS = 8;
const SEQ_ANNOTATION = 'crash.polis.io/seq';
const APP_PATH = (t: string) => `/apis/core.oam.dev/v1beta1/tenants/${t}/applications`;
const SECRET_PATH = (t: string) => `/apis/polis.io/v1/tenants/${t}/secrets`;

type Kind = 'Application' | 'Secret';

interface Write {
  readonly seq: number;
  readonly requestId: string;
}
interface AckedWrite extends Write {
  readonly rv: number;
}

/** One object as the writers saw it: every acknowledged write, and the one (if any) still in flight at the crash. */
interface Tracked {
  readonly kind: Kind;
  readonly tenant: string;
  readonly name: string;
  readonly acked: AckedWrite[];
  pending?: Write;
}

interface ObjectBody {
  metadata: { name: string; tenant?: string; resourceVersion: string; annotations?: Record<string, string> };
  spec?: { components: Array<{ properties?: { image?: string } }> };
  data?: Record<string, string>;
}

/** Small seeded PRNG (mulberry32): a failing run can be replayed with CRASH_SEED, up to the kill's timing. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function appBody(tenant: string, name: string, seq: number, rv?: number) {
  return {
    apiVersion: 'core.oam.dev/v1beta1',
    kind: 'Application',
    metadata: {
      name,
      tenant,
      ...(rv !== undefined ? { resourceVersion: String(rv) } : {}),
      labels: { suite: 'crash' },
      annotations: { [SEQ_ANNOTATION]: String(seq) },
    },
    spec: {
      components: [
        {
          name: 'web',
          type: 'webservice',
          properties: { image: `registry.example/portal:1.${seq}`, port: 8080, cpu: '250m', memory: '256Mi' },
          traits: [{ type: 'scaler', properties: { replicas: 1 + (seq % 3) } }],
        },
        { name: 'cache', type: 'worker', properties: { image: 'registry.example/redis:7.2', memory: '128Mi' } },
      ],
    },
  };
}

const secretValue = (seq: number) => `value-${seq}-${'x'.repeat(seq % 40)}`;

function secretBody(tenant: string, name: string, seq: number) {
  return {
    apiVersion: 'polis.io/v1',
    kind: 'Secret',
    metadata: { name, tenant, annotations: { [SEQ_ANNOTATION]: String(seq) } },
    stringData: { value: secretValue(seq), user: `svc-${name}` },
  };
}

/** The write sequence number an object carries, checked against every place it shows (annotation, spec, secret). */
function seqOf(kind: Kind, obj: ObjectBody): number {
  const seq = Number(obj.metadata.annotations?.[SEQ_ANNOTATION]);
  expect(Number.isInteger(seq), `${kind} ${obj.metadata.name} carries a write sequence number`).toBe(true);
  if (kind === 'Application') {
    expect(
      obj.spec?.components[0]?.properties?.image,
      `${obj.metadata.name}: spec and annotation from the same write`,
    ).toBe(`registry.example/portal:1.${seq}`);
  } else {
    const value = obj.data?.value;
    expect(value, `secret ${obj.metadata.name} has its value`).toBeTypeOf('string');
    expect(
      Buffer.from(value!, 'base64').toString('utf8'),
      `secret ${obj.metadata.name} decrypts to the value of its write`,
    ).toBe(secretValue(seq));
  }
  return seq;
}

describe('crash safety (SQLite, a polis process killed with SIGKILL)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'polis-crash-'));
  const children: ChildPolis[] = [];
  const start = async () => {
    // The store's durability is under test: no controller writes status between a client's read and its write.
    const child = await spawnPolis({ dataDir, env: { POLIS_CONTROLLERS: 'off' } });
    children.push(child);
    return child;
  };

  afterAll(async () => {
    for (const c of children) await c.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  const seed = Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000);
  const random = prng(seed);
  const tracked = new Map<string, Tracked>();
  let auditSeqToTamper = 0;

  it(`keeps every acknowledged write through a SIGKILL (seed ${seed})`, { timeout: 240_000 }, async () => {
    const first = await start();
    const call =
      (url: string, token: string) => async (method: string, path: string, body?: unknown, requestId?: string) => {
        const headers: Record<string, string> = { authorization: `Bearer ${token}` };
        if (body !== undefined) headers['content-type'] = 'application/json';
        if (requestId) headers['x-request-id'] = requestId;
        const res = await fetch(`${url}${path}`, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await res.text();
        return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
      };
    const api = call(first.url, first.adminToken);

    for (const t of TENANTS) {
      const r = await api('POST', '/apis/polis.io/v1/tenants', {
        apiVersion: 'polis.io/v1',
        kind: 'Tenant',
        metadata: { name: t },
        spec: { displayName: { zh: `部门 ${t}`, en: `Department ${t}` } },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }

    // Stream writes until the kill: each worker owns its objects, so one object has at most one write in flight.
    const killAt = 250 + Math.floor(random() * 300);
    let acks = 0;
    let seq = 0;
    let crashed = false;
    let killed: Promise<void> | undefined;
    const unexpected: string[] = [];
    const worker = async (w: number) => {
      const own: Tracked[] = [];
      for (let n = 0; !crashed; n++) {
        const replace = own.length >= 4 && random() < 0.7;
        const kind: Kind = random() < 0.6 ? 'Application' : 'Secret';
        const candidates = own.filter((o) => o.kind === kind);
        let target: Tracked;
        if (replace && candidates.length > 0) {
          target = candidates[Math.floor(random() * candidates.length)]!;
        } else {
          const tenant = TENANTS[Math.floor(random() * TENANTS.length)]!;
          target = { kind, tenant, name: `${kind === 'Application' ? 'app' : 'sec'}-w${w}-${n}`, acked: [] };
          own.push(target);
          tracked.set(`${kind}/${tenant}/${target.name}`, target);
        }
        const write: Write = { seq: ++seq, requestId: `crash-w${w}-${n}` };
        const last = target.acked.at(-1);
        const isCreate = last === undefined;
        const path =
          (kind === 'Application' ? APP_PATH : SECRET_PATH)(target.tenant) + (isCreate ? '' : `/${target.name}`);
        const body =
          kind === 'Application'
            ? appBody(target.tenant, target.name, write.seq, last?.rv)
            : secretBody(target.tenant, target.name, write.seq);
        target.pending = write;
        let res;
        try {
          res = await api(isCreate ? 'POST' : 'PUT', path, body, write.requestId);
        } catch {
          // The connection died with the server: this write is in flight at the crash (maybe committed, maybe not).
          crashed = true;
          return;
        }
        if (res.status !== 200 && res.status !== 201) {
          if (!crashed)
            unexpected.push(
              `${write.requestId} ${isCreate ? 'POST' : 'PUT'} ${path}: ${res.status} ${JSON.stringify(res.body)}`,
            );
          crashed = true;
          return;
        }
        const rv = Number((res.body as ObjectBody).metadata.resourceVersion);
        target.acked.push({ ...write, rv });
        target.pending = undefined;
        if (++acks === killAt) {
          // Kill a moment later, with the other workers' writes in flight.
          killed = new Promise((r) => setTimeout(r, random() * 15)).then(() => first.kill('SIGKILL'));
        }
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
    await killed;
    expect(unexpected, 'every write before the crash succeeded').toEqual([]);
    expect(first.process.signalCode).toBe('SIGKILL');
    expect(acks).toBeGreaterThanOrEqual(killAt);
    const inFlight = [...tracked.values()].filter((o) => o.pending).length;
    expect(inFlight, 'writes were in flight at the crash').toBeGreaterThan(0);

    // Restart on the same data folder.
    const second = await start();
    const api2 = call(second.url, second.adminToken);

    for (const o of tracked.values()) {
      const basePath = (o.kind === 'Application' ? APP_PATH : SECRET_PATH)(o.tenant);
      const r = await api2('GET', `${basePath}/${o.name}`);
      const what = `${o.kind} ${o.tenant}/${o.name} (acked ${JSON.stringify(o.acked.at(-1))}, in flight ${JSON.stringify(o.pending)})`;
      const last = o.acked.at(-1);
      if (last === undefined) {
        // Only its create was in flight: it may exist, but then holding exactly that create.
        expect([200, 404], what).toContain(r.status);
        if (r.status === 200) expect(seqOf(o.kind, r.body as ObjectBody), what).toBe(o.pending!.seq);
        continue;
      }
      expect(r.status, what).toBe(200);
      const obj = r.body as ObjectBody;
      const rv = Number(obj.metadata.resourceVersion);
      const found = seqOf(o.kind, obj);
      expect(rv, what).toBeGreaterThanOrEqual(last.rv);
      if (found === last.seq) expect(rv, `${what}: the last acknowledged write, at its resourceVersion`).toBe(last.rv);
      else {
        expect(
          o.pending,
          `${what}: content other than the last acknowledged write needs a later write in flight`,
        ).toBeDefined();
        expect(found, what).toBe(o.pending!.seq);
        expect(rv, what).toBeGreaterThan(last.rv);
      }
    }

    // Nothing torn or unknown: every listed object is one we wrote, parses, and (Secrets) decrypts.
    for (const tenant of TENANTS) {
      for (const kind of ['Application', 'Secret'] as const) {
        const basePath = (kind === 'Application' ? APP_PATH : SECRET_PATH)(tenant);
        const list = await api2('GET', basePath);
        expect(list.status).toBe(200);
        const items = (list.body as { items: ObjectBody[] }).items;
        const expectedNames = [...tracked.values()]
          .filter((o) => o.kind === kind && o.tenant === tenant && o.acked.length > 0)
          .map((o) => o.name);
        const listedNames = items.map((i) => i.metadata.name);
        expect(listedNames).toEqual(expect.arrayContaining(expectedNames));
        for (const item of items) {
          expect(
            tracked.has(`${kind}/${tenant}/${item.metadata.name}`),
            `${kind} ${item.metadata.name} was written by this test`,
          ).toBe(true);
          expect(item.metadata.resourceVersion).toMatch(/^\d+$/);
          if (kind === 'Secret') {
            expect(item.data, 'lists never carry secret values').toBeUndefined();
            const one = await api2('GET', `${basePath}/${item.metadata.name}`);
            expect(one.status).toBe(200);
            seqOf(kind, one.body as ObjectBody);
          } else {
            seqOf(kind, item);
          }
        }
      }
    }

    const verify = await api2('GET', '/api/v1/audit/verify');
    expect(verify.status).toBe(200);
    expect(verify.body).toMatchObject({ ok: true });
    expect((verify.body as { entries: number }).entries).toBeGreaterThanOrEqual(acks + TENANTS.length);

    // The audit record is written in the object's transaction: one success entry per acknowledged write, and one for
    // an in-flight write exactly when that write is what the object now holds.
    const auditSeqs: number[] = [];
    for (const o of tracked.values()) {
      const r = await api2('GET', `/api/v1/audit?kind=${o.kind}&tenant=${o.tenant}&name=${o.name}&limit=5000`);
      expect(r.status).toBe(200);
      const entries = (r.body as { items: Array<{ seq: number; requestId: string; outcome: string; verb: string }> })
        .items;
      const successes = new Map(entries.filter((e) => e.outcome === 'success').map((e) => [e.requestId, e]));
      for (const w of o.acked) {
        const entry = successes.get(w.requestId);
        expect(
          entry,
          `audit entry of acknowledged write ${w.requestId} on ${o.kind} ${o.tenant}/${o.name}`,
        ).toBeDefined();
        auditSeqs.push(entry!.seq);
      }
      if (o.pending) {
        const basePath = (o.kind === 'Application' ? APP_PATH : SECRET_PATH)(o.tenant);
        const now = await api2('GET', `${basePath}/${o.name}`);
        const applied = now.status === 200 && seqOf(o.kind, now.body as ObjectBody) === o.pending.seq;
        expect(
          successes.has(o.pending.requestId),
          `audit entry of in-flight write ${o.pending.requestId} iff it was applied`,
        ).toBe(applied);
      }
    }
    expect(auditSeqs.length).toBe(acks);
    auditSeqs.sort((a, b) => a - b);
    auditSeqToTamper = auditSeqs[Math.floor(auditSeqs.length / 2)]!;
    expect(await second.stop()).toBe(0);
  });

  it('reports a tampered audit row at its sequence number', { timeout: 120_000 }, async () => {
    expect(auditSeqToTamper, 'the crash test ran first').toBeGreaterThan(0);
    const db = new DatabaseSync(join(dataDir, 'polis.db'));
    try {
      const changed = db
        .prepare('UPDATE audit SET message = ? WHERE seq = ?')
        .run('nothing happened here', auditSeqToTamper);
      expect(changed.changes).toBe(1);
    } finally {
      db.close();
    }
    const third = await start();
    const r = await fetch(`${third.url}/api/v1/audit/verify`, {
      headers: { authorization: `Bearer ${third.adminToken}` },
    });
    expect(r.status).toBe(200);
    const verdict = (await r.json()) as { ok: boolean; entries: number; brokenAt?: { seq: number; problem: string } };
    expect(verdict.ok).toBe(false);
    expect(verdict.brokenAt?.seq).toBe(auditSeqToTamper);
    expect(verdict.entries).toBe(auditSeqToTamper - 1);
    expect(await third.stop()).toBe(0);
  });
});
