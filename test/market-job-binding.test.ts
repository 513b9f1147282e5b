import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ManualClock } from '../src/kernel/clock.ts';
import type { BindingStatus } from '../src/market/market-controller.ts';
import { grantId, jobName } from '../src/market/provisioners/index.ts';
import type { TempServer } from './setup/temp-middleware.ts';
import { missing, startPostgresServer } from './setup/temp-middleware.ts';
import type { FakeKube } from './support/fake-kube/index.ts';
import { startFakeKube } from './support/fake-kube/index.ts';
import type { ContainerRun } from './support/fake-kube/types.ts';
import { SHIPPED_ROLE } from './support/kube-harness.ts';
import { localKubelet } from './support/local-kubelet.ts';
import { skipTitle } from './support/skip.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/**
 * A binding through the whole of polis on the Job path: the data bureau's shared PostgreSQL instance says
 * `provisioner: job` and runs on a Kubernetes cluster (the fake API server, with the shipped member-cluster role, whose
 * kubelet runs Jobs' containers here: psql against a real PostgreSQL on loopback). Two departments bind; each one's
 * credentials reach its own database and are refused at the other's; a Job that fails once is retried; unbinding
 * revokes through a Job; no Job, Secret or role is left behind.
 */
const CTX = { actor: 'test', requestId: 'test' };
const why =
  missing('postgresql') ??
  (() => {
    try {
      execFileSync('sh', ['-c', 'command -v psql'], { stdio: 'ignore' });
      return undefined;
    } catch {
      return 'psql is not installed';
    }
  })();

let t: TestPolis;
let fake: FakeKube;
let server: TempServer;
const clock = new ManualClock('2026-12-01T08:00:00Z');
const runs: ContainerRun[] = [];
const failOnce = new Set<string>();
const log: string[] = [];

async function until(what: string, fn: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400; i++) {
    clock.advance(2_000);
    await t.polis.clusters.probeAll();
    await t.polis.delivery.resyncAll();
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 40));
  }
  const shown = await Promise.all(
    [
      ['edu', 'pg'],
      ['tax', 'pg'],
    ].map(async ([tenant, name]) => JSON.stringify(await status(tenant!, name!))),
  );
  const app = await t.polis.store.get({ kind: 'Application', tenant: 'platform', name: 'shared-pg' });
  throw new Error(
    `timed out waiting for ${what}: ${shown.join(' ')} app ${JSON.stringify((app?.status as { clusters?: unknown })?.clusters)} ${log.slice(-3).join(' | ').slice(0, 3000)}`,
  );
}

async function status(tenant: string, name: string): Promise<BindingStatus | undefined | null> {
  const b = await t.polis.store.get({ kind: 'ServiceBinding', tenant, name });
  return b ? ((b.status ?? {}) as BindingStatus) : null;
}

async function creds(tenant: string): Promise<{ user: string; password: string; database: string }> {
  const s = (await t.polis.resources.get('Secret', tenant, 'binding-pg')) as unknown as {
    data: Record<string, string>;
  };
  const v = (k: string) => Buffer.from(s.data[`DB_${k}`]!, 'base64').toString();
  return { user: v('USERNAME'), password: v('PASSWORD'), database: v('DATABASE') };
}

async function reaches(c: { user: string; password: string }, database: string): Promise<boolean> {
  const client = new pg.Client({ host: server.host, port: server.port, user: c.user, password: c.password, database });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

describe.skipIf(why !== undefined)(skipTitle('bindings through polis on the Job path (PostgreSQL)', why), () => {
  beforeAll(async () => {
    server = await startPostgresServer();
    fake = await startFakeKube({
      readyAfterMs: 0,
      rbac: [SHIPPED_ROLE],
      kubelet: localKubelet({
        runs,
        before: (run) =>
          failOnce.delete(run.pod.replace(/-[a-z0-9]{5}$/, ''))
            ? { exitCode: 2, output: 'injected: the container crashed' }
            : undefined,
      }),
    });
    t = await startTestPolis({
      controllers: true,
      virtualTime: true,
      clock,
      logStream: { write: (line) => void (/binding|market|Binding/.test(line) && log.push(line)) },
    });
    const r = await t.request('POST', '/api/v1/clusters', {
      token: t.adminToken,
      body: {
        name: 'k8s-job',
        kubeconfig: fake.kubeconfig(),
        vendor: 'k3s',
        // A region of its own: the instance is placed there, not on the sandbox's simulated clusters.
        region: 'job-region',
        zone: 'job-region-a',
        networkZone: 'e-gov-extranet',
        role: 'primary',
      },
    });
    if (r.statusCode !== 200) throw new Error(`registration: ${r.statusCode} ${r.body}`);
    const dir = join(import.meta.dirname, '..', 'examples', 'market');
    const docs = readdirSync(dir)
      .filter((f) => f.endsWith('.yaml'))
      .sort()
      .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJSON() as object));
    await t.polis.resources.apply(CTX, docs);
    const v = await t.polis.resources.get('CatalogItemVersion', '', 'postgresql-16-4-0');
    await t.polis.resources.replaceStatus(CTX, { ...v, status: { phase: 'Released', reviewedBy: 'test' } });
    await until('the cluster to be Ready', async () => t.polis.clusters.health('k8s-job')?.state === 'Ready');
    await t.polis.resources.apply(CTX, [
      {
        apiVersion: 'polis.io/v1',
        kind: 'Secret',
        metadata: { name: 'shared-pg-root', tenant: 'platform' },
        stringData: { username: server.username, password: server.password },
      },
      {
        apiVersion: 'market.polis.io/v1',
        kind: 'MarketInstance',
        metadata: { name: 'shared-pg', tenant: 'platform' },
        spec: {
          item: 'postgresql',
          version: '16.4.0',
          shared: true,
          endpoint: { host: server.host, port: server.port },
          adminSecret: 'shared-pg-root',
          provisioner: 'job',
          placement: { regions: ['job-region'] },
        },
      },
    ]);
  }, 300_000);
  afterAll(async () => {
    await t?.stop();
    await fake?.stop();
    await server?.stop();
  });

  it('binds two departments through Jobs on the instance cluster, one Job failing once', async () => {
    const uid = async (tenant: string) =>
      (await t.polis.store.get({ kind: 'ServiceBinding', tenant, name: 'pg' }))!.metadata.uid;
    await t.polis.resources.apply(CTX, [
      {
        apiVersion: 'market.polis.io/v1',
        kind: 'ServiceBinding',
        metadata: { name: 'pg', tenant: 'edu' },
        spec: { instance: 'shared-pg', shared: true, application: 'portal', envPrefix: 'DB' },
      },
    ]);
    // The first Job of edu's binding crashes: the binding retries and ends Ready.
    failOnce.add(jobName('provision', grantId('edu', 'pg', await uid('edu'))));
    await t.polis.resources.apply(CTX, [
      {
        apiVersion: 'market.polis.io/v1',
        kind: 'ServiceBinding',
        metadata: { name: 'pg', tenant: 'tax' },
        spec: { instance: 'shared-pg', shared: true, application: 'portal', envPrefix: 'DB' },
      },
    ]);
    await until(
      'both bindings Ready',
      async () => (await status('edu', 'pg'))?.phase === 'Ready' && (await status('tax', 'pg'))?.phase === 'Ready',
    );
    expect(failOnce.size).toBe(0);
    expect((await status('edu', 'pg'))?.attempts).toBe(2);
    expect((await status('tax', 'pg'))?.attempts).toBe(1);
    // The Jobs ran in the instance's namespace on its cluster, as the kubelet saw them.
    const instanceApp = (await t.polis.store.get({ kind: 'MarketInstance', tenant: 'platform', name: 'shared-pg' }))!;
    const ns = (runs[0] as ContainerRun).namespace;
    expect(ns).toContain('platform');
    expect(instanceApp.status).toMatchObject({ phase: 'Ready' });
    const edu = await creds('edu');
    const tax = await creds('tax');
    expect(await reaches(edu, edu.database)).toBe(true);
    expect(await reaches(tax, tax.database)).toBe(true);
    expect(await reaches(edu, tax.database)).toBe(false);
    expect(await reaches(tax, edu.database)).toBe(false);
    expect(await reaches({ ...edu, password: tax.password }, edu.database)).toBe(false);
    for (const r of runs) expect(JSON.stringify(r.command)).not.toContain(edu.password);
  }, 300_000);

  it('unbinds through a Job: the credentials log in nowhere, no Job, Secret or role is left', async () => {
    const edu = await creds('edu');
    const tax = await creds('tax');
    for (const tenant of ['edu', 'tax'])
      await t.polis.resources.delete(CTX, { kind: 'ServiceBinding', tenant, name: 'pg' });
    await until(
      'both bindings gone',
      async () => (await status('edu', 'pg')) === null && (await status('tax', 'pg')) === null,
    );
    expect(await reaches(edu, edu.database)).toBe(false);
    expect(await reaches(tax, tax.database)).toBe(false);
    const ns = (runs[0] as ContainerRun).namespace;
    for (const c of [edu, tax])
      for (const op of ['provision', 'revoke'] as const) {
        expect(fake.get('batch/v1', 'Job', ns, jobName(op, c.user))).toBeUndefined();
        expect(fake.get('v1', 'Secret', ns, jobName(op, c.user))).toBeUndefined();
      }
    const admin = new pg.Client({
      host: server.host,
      port: server.port,
      user: server.username,
      password: server.password,
      database: 'postgres',
    });
    await admin.connect();
    const left = await admin.query(
      "SELECT rolname FROM pg_roles WHERE rolname LIKE 'b\\_%' UNION ALL SELECT datname FROM pg_database WHERE datname LIKE 'b\\_%'",
    );
    await admin.end();
    expect(left.rows).toEqual([]);
    expect(runs.filter((r) => r.pod.startsWith('polis-revoke-')).length).toBe(2);
  }, 300_000);
});
