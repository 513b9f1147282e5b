/**
 * marketplace: the figures of issue 16 (服务市场).
 *
 * 1. Sharing saves. The demo city's five departments (edu, tax, hrss, health, samr) each with a dedicated PostgreSQL
 *    and Redis, against one shared highly available instance of each in the platform space with five bindings.
 *    Cores and memory requested are measured from placement (each instance Application's placed replicas times its
 *    per-replica requests, from status.placement). Dedicated instances are counted twice: as the templates' defaults
 *    (one replica each, no HA) and at the shared one's availability (3 replicas each); the shared instances have 3
 *    replicas of twice the per-replica size (they carry five departments). The ratio is shared / dedicated-HA.
 * 2. Bind latency. From a binding's creation (API call) to its credentials Secret present in the application's
 *    namespace on every cluster the application runs on, in the simulated cloud, real time.
 * 3. Isolation at scale. 100 departments bound to one real PostgreSQL (started here on loopback, password
 *    authentication on): each binding's credentials open its own database, and every one of the other 99 databases
 *    refuses them (9,900 refusals checked, each a real login attempt).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { parseAllDocuments } from 'yaml';
import type { ApplicationSpec } from '../src/apps/application-kind.ts';
import { deployedDemands } from '../src/apps/render/index.ts';
import { loadConfig } from '../src/kernel/config.ts';
import type { Polis } from '../src/main.ts';
import { startPolis } from '../src/main.ts';
import type { BindingStatus, InstanceStatus } from '../src/market/market-controller.ts';
import { grantId } from '../src/market/provisioners/index.ts';
import { generateSecretKey } from '../src/tenancy/secret-cipher.ts';
import { missing, startPostgresServer } from '../test/setup/temp-middleware.ts';
import { CTX } from './support/estate.ts';
import type { Figure } from './support/results.ts';
import { figure, percentile, printFigures, round, writeResult } from './support/results.ts';

const DEPARTMENTS: Array<[string, string]> = [
  ['edu', 'enrolment-portal'],
  ['tax', 'e-invoice'],
  ['hrss', 'social-security-query'],
  ['health', 'appointment'],
  ['samr', 'business-license'],
];
const ISOLATION_DEPARTMENTS = Number(process.env.MARKET_BENCH_DEPARTMENTS ?? 100);
const notes: string[] = [];
const load0 = loadavg()[0]!;

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 300_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function boot(): Promise<{ polis: Polis; dir: string; restart: () => Promise<Polis> }> {
  const dir = mkdtempSync(join(tmpdir(), 'polis-bench-market-'));
  const config = loadConfig(
    {},
    { dataDir: dir, secretKey: generateSecretKey(), demo: true, port: 0, logLevel: 'silent' },
  );
  const market = { maxAttempts: 5, retryBaseMs: 50 };
  let polis = await startPolis(config, { controllers: true, feedPollMs: 200, market });
  // A restart on the same data folder, simulated cloud and simulated middleware, as an operator's would be.
  const restart = async () => {
    const { sim, middleware } = polis;
    await polis.stop();
    polis = await startPolis(config, { controllers: true, feedPollMs: 200, sim, market: { ...market, middleware } });
    return polis;
  };
  return { polis, dir, restart };
}

/** The seed catalog applied, and the PostgreSQL and Redis versions released (review itself is tested elsewhere). */
async function releaseCatalog(polis: Polis): Promise<void> {
  const dir = new URL('../examples/market/', import.meta.url);
  const docs = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => parseAllDocuments(readFileSync(new URL(f, dir), 'utf8')).map((d) => d.toJSON() as object));
  await polis.resources.apply(CTX, docs);
  for (const name of ['postgresql-16-4-0', 'redis-7-2-0']) {
    const v = await polis.resources.get('CatalogItemVersion', '', name);
    await polis.resources.replaceStatus(CTX, { ...v, status: { phase: 'Released', reviewedBy: 'bench' } });
  }
}

async function instance(polis: Polis, tenant: string, name: string, spec: object): Promise<void> {
  await polis.resources.create(CTX, {
    apiVersion: 'market.polis.io/v1',
    kind: 'MarketInstance',
    metadata: { name, tenant },
    spec,
  });
}

/** Cores and bytes an application requests as placed: replicas per cluster times per-replica requests. */
async function placedRequests(
  polis: Polis,
  tenant: string,
  app: string,
): Promise<{ cpu: number; memory: number } | undefined> {
  const a = await polis.store.get({ kind: 'Application', tenant, name: app });
  // status.placement: replicas placed per component per cluster.
  const placement = (a?.status as { placement?: Record<string, Record<string, number>> } | undefined)?.placement;
  if (!a || !placement) return undefined;
  let cpu = 0;
  let memory = 0;
  for (const d of deployedDemands(a.spec as ApplicationSpec)) {
    const placed = Object.values(placement[d.name] ?? {}).reduce((s, n) => s + n, 0);
    if (placed < d.replicas) return undefined; // not all placed yet
    cpu += (placed * d.perReplica.cpuMilli) / 1000;
    memory += placed * d.perReplica.memoryBytes;
  }
  return { cpu, memory };
}

async function sum(polis: Polis, apps: Array<[string, string]>) {
  let cpu = 0;
  let memory = 0;
  for (const [tenant, app] of apps) {
    const r = await until(`placement of ${tenant}/${app}`, () => placedRequests(polis, tenant, app));
    cpu += r.cpu;
    memory += r.memory;
  }
  return { cpu, memoryGi: memory / 2 ** 30 };
}

async function sharingAndLatency(): Promise<Figure[]> {
  const { polis, dir } = await boot();
  try {
    await releaseCatalog(polis);
    await polis.resources.apply(CTX, [
      {
        apiVersion: 'polis.io/v1',
        kind: 'Tenant',
        metadata: { name: 'platform' },
        spec: { displayName: { zh: '数据局共享服务', en: 'Shared services' }, quota: { cpu: '64', memory: '256Gi' } },
      },
    ]);
    const dedicated: Array<[string, string]> = [];
    const dedicatedHa: Array<[string, string]> = [];
    for (const [tenant] of DEPARTMENTS) {
      await instance(polis, tenant, 'pg', { item: 'postgresql', version: '16.4.0' });
      await instance(polis, tenant, 'cache', { item: 'redis', version: '7.2.0' });
      await instance(polis, tenant, 'pg-ha', { item: 'postgresql', version: '16.4.0', parameters: { replicas: 3 } });
      await instance(polis, tenant, 'cache-ha', { item: 'redis', version: '7.2.0', parameters: { replicas: 3 } });
      dedicated.push([tenant, 'pg'], [tenant, 'cache']);
      dedicatedHa.push([tenant, 'pg-ha'], [tenant, 'cache-ha']);
    }
    await instance(polis, 'platform', 'shared-pg', {
      item: 'postgresql',
      version: '16.4.0',
      shared: true,
      parameters: { replicas: 3, cpu: '2', memory: '4Gi' },
    });
    await instance(polis, 'platform', 'shared-cache', {
      item: 'redis',
      version: '7.2.0',
      shared: true,
      parameters: { replicas: 3, cpu: '1', memory: '2Gi' },
    });
    const shared: Array<[string, string]> = [
      ['platform', 'shared-pg'],
      ['platform', 'shared-cache'],
    ];
    const d = await sum(polis, dedicated);
    const h = await sum(polis, dedicatedHa);
    const s = await sum(polis, shared);

    // Bind latency: each department's application bound to both shared instances, one binding at a time.
    const latencies: number[] = [];
    for (const [tenant, app] of DEPARTMENTS) {
      for (const inst of ['shared-pg', 'shared-cache']) {
        const name = `${app}-${inst}`.slice(0, 50);
        const t0 = performance.now();
        await polis.resources.create(CTX, {
          apiVersion: 'market.polis.io/v1',
          kind: 'ServiceBinding',
          metadata: { name, tenant },
          spec: { instance: inst, shared: true, application: app },
        });
        await until(`Secret of ${tenant}/${name} on every cluster`, async () => {
          const a = await polis.store.get({ kind: 'Application', tenant, name: app });
          const st = a?.status as { clusters?: string[]; namespace?: string } | undefined;
          if (!st?.clusters?.length || !st.namespace) return undefined;
          const all = st.clusters.every(
            (c) => polis.sim!.cluster(c)?.get(`v1/Secret/${st.namespace}/binding-${name}`) !== undefined,
          );
          return all ? true : undefined;
        });
        latencies.push(performance.now() - t0);
      }
    }
    const gib = (x: number) => round(x, 1);
    return [
      figure({
        metric: 'sharing saves: cores requested, shared / dedicated (same availability)',
        value: round(s.cpu / h.cpu, 2),
        unit: 'ratio',
        baseline: `shared HA (3 replicas each) ${round(s.cpu, 1)} cores vs 5 departments x dedicated HA ${round(h.cpu, 1)} cores; dedicated single replicas (template defaults, no HA) ${round(d.cpu, 1)} cores`,
      }),
      figure({
        metric: 'sharing saves: memory requested, shared / dedicated (same availability)',
        value: round(s.memoryGi / h.memoryGi, 2),
        unit: 'ratio',
        baseline: `shared HA ${gib(s.memoryGi)} GiB vs dedicated HA ${gib(h.memoryGi)} GiB; dedicated single replicas ${gib(d.memoryGi)} GiB`,
      }),
      figure({ metric: 'sharing saves: cores requested, shared', value: round(s.cpu, 1), unit: 'cores' }),
      figure({ metric: 'sharing saves: cores requested, dedicated HA', value: round(h.cpu, 1), unit: 'cores' }),
      figure({
        metric: 'sharing saves: cores requested, dedicated single replica',
        value: round(d.cpu, 1),
        unit: 'cores',
      }),
      figure({
        metric: 'bind latency: binding created -> Secret on every cluster of the app (max)',
        value: round(Math.max(...latencies) / 1000, 2),
        unit: 's',
        goal: '<= 5',
        baseline: `${latencies.length} bindings (5 departments x PostgreSQL and Redis), simulated cloud, real time; p50 ${round(percentile(latencies, 50) / 1000, 2)} s`,
      }),
    ];
  } finally {
    await polis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function isolationAtScale(): Promise<Figure[]> {
  const why = missing('postgresql');
  if (why) {
    notes.push(`isolation at scale skipped: ${why}`);
    return [];
  }
  const server = await startPostgresServer();
  const { polis, dir } = await boot();
  try {
    await releaseCatalog(polis);
    const n = ISOLATION_DEPARTMENTS;
    const depts = Array.from({ length: n }, (_, i) => `dept-${String(i + 1).padStart(3, '0')}`);
    await polis.resources.apply(CTX, [
      {
        apiVersion: 'polis.io/v1',
        kind: 'Tenant',
        metadata: { name: 'platform' },
        spec: { displayName: { zh: '数据局共享服务', en: 'Shared services' }, quota: { cpu: '64', memory: '256Gi' } },
      },
      ...depts.map((name) => ({
        apiVersion: 'polis.io/v1',
        kind: 'Tenant',
        metadata: { name },
        spec: { displayName: { zh: name, en: name } },
      })),
      {
        apiVersion: 'polis.io/v1',
        kind: 'Secret',
        metadata: { name: 'pg-admin', tenant: 'platform' },
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
          adminSecret: 'pg-admin',
        },
      },
    ]);
    await until('shared instance', async () => {
      const i = await polis.store.get({ kind: 'MarketInstance', tenant: 'platform', name: 'shared-pg' });
      return (i?.status as InstanceStatus | undefined)?.phase === 'Ready' ? true : undefined;
    });
    const t0 = performance.now();
    await polis.resources.apply(
      CTX,
      depts.map((tenant) => ({
        apiVersion: 'market.polis.io/v1',
        kind: 'ServiceBinding',
        metadata: { name: 'db', tenant },
        spec: { instance: 'shared-pg', shared: true, application: 'portal', envPrefix: 'DB' },
      })),
    );
    const creds = await until(
      'all bindings Ready',
      async () => {
        const out: Array<{ user: string; password: string; database: string }> = [];
        for (const tenant of depts) {
          const b = await polis.store.get({ kind: 'ServiceBinding', tenant, name: 'db' });
          const st = b?.status as BindingStatus | undefined;
          if (st?.phase !== 'Ready') return undefined;
          const s = await polis.resources.get('Secret', tenant, 'binding-db');
          const data = (s as unknown as { data: Record<string, string> }).data;
          const v = (k: string) => Buffer.from(data[k]!, 'base64').toString('utf8');
          out.push({ user: v('DB_USERNAME'), password: v('DB_PASSWORD'), database: v('DB_DATABASE') });
        }
        return out;
      },
      600_000,
    );
    const provisionS = (performance.now() - t0) / 1000;
    let reached = 0;
    let refused = 0;
    const leaks: string[] = [];
    const tryLogin = async (user: string, password: string, database: string): Promise<boolean> => {
      const c = new pg.Client({ host: server.host, port: server.port, user, password, database });
      c.on('error', () => undefined);
      try {
        await c.connect();
        await c.query('SELECT 1');
        return true;
      } catch {
        return false;
      } finally {
        await c.end().catch(() => undefined);
      }
    };
    const t1 = performance.now();
    const jobs: Array<() => Promise<void>> = [];
    for (const [i, me] of creds.entries())
      for (const [j, other] of creds.entries())
        jobs.push(async () => {
          const ok = await tryLogin(me.user, me.password, other.database);
          if (i === j) {
            if (ok) reached++;
            else leaks.push(`${depts[i]} cannot reach its own database`);
          } else if (ok) leaks.push(`${depts[i]} reaches ${depts[j]}'s database`);
          else refused++;
        });
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < jobs.length) await jobs[next++]!();
      }),
    );
    const checkS = (performance.now() - t1) / 1000;
    if (leaks.length) notes.push(`isolation failures: ${leaks.slice(0, 10).join('; ')}`);
    return [
      figure({
        metric: `isolation at scale: departments reaching their own database (of ${n})`,
        value: reached,
        unit: 'departments',
        goal: `>= ${n}`,
      }),
      figure({
        metric: 'isolation at scale: logins into another department’s database refused',
        value: refused,
        unit: 'refusals',
        goal: `>= ${n * (n - 1)}`,
        baseline: `${n * (n - 1)} attempts (each department's credentials against the other ${n - 1} databases), real PostgreSQL, scram-sha-256; ${round(checkS, 1)} s`,
      }),
      figure({
        metric: `isolation at scale: ${n} bindings created -> all credentials Ready`,
        value: round(provisionS, 1),
        unit: 's',
        baseline: 'one apply of 100 ServiceBindings; each a role, a database and its grants on the real server',
      }),
    ];
  } finally {
    await polis.stop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Fault tolerance: FAULT_OPERATIONS bind and unbind operations on the shared PostgreSQL of the simulated cloud, the
 * provisioner failing FAULT_RATE of its calls (seeded) and polis restarted every FAULT_RESTART_EVERY operations,
 * without waiting for the bindings in flight. Then, once everything settles and the rolled-back bindings are
 * deleted: users in the middleware that no Ready binding owns, binding Secrets without a Ready binding, and the
 * credentials of unbound bindings still present.
 */
async function faultTolerance(): Promise<Figure[]> {
  const OPS = Number(process.env.MARKET_BENCH_FAULT_OPERATIONS ?? 1000);
  const RATE = 0.3;
  const RESTART_EVERY = 100;
  const booted = await boot();
  let polis = booted.polis;
  try {
    await releaseCatalog(polis);
    await polis.resources.apply(CTX, [
      {
        apiVersion: 'polis.io/v1',
        kind: 'Tenant',
        metadata: { name: 'platform' },
        spec: { displayName: { zh: '数据局共享服务', en: 'Shared services' } },
      },
    ]);
    await instance(polis, 'platform', 'shared-pg', { item: 'postgresql', version: '16.4.0', shared: true });
    await until('shared instance', async () => {
      const i = await polis.store.get({ kind: 'MarketInstance', tenant: 'platform', name: 'shared-pg' });
      return (i?.status as InstanceStatus | undefined)?.phase === 'Ready' ? true : undefined;
    });
    polis.middleware!.failRate(RATE, 16);
    const live: Array<[string, string]> = [];
    const unbound: string[] = []; // usernames of deleted bindings
    let binds = 0;
    let unbinds = 0;
    let restarts = 0;
    let seq = 0;
    let rnd = 7;
    const random = () => (rnd = (rnd * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let op = 1; op <= OPS; op++) {
      if (live.length > 0 && (live.length >= 40 || random() < 0.5)) {
        const [tenant, name] = live.splice(Math.floor(random() * live.length), 1)[0]!;
        const b = await polis.store.get({ kind: 'ServiceBinding', tenant, name });
        const user = (b?.status as BindingStatus | undefined)?.username;
        if (user) unbound.push(user);
        else if (b) unbound.push(grantId(tenant, name, b.metadata.uid));
        await polis.resources.delete(CTX, { kind: 'ServiceBinding', tenant, name });
        unbinds++;
      } else {
        const [tenant, app] = DEPARTMENTS[Math.floor(random() * DEPARTMENTS.length)]!;
        const name = `b-${++seq}`;
        await polis.resources.create(CTX, {
          apiVersion: 'market.polis.io/v1',
          kind: 'ServiceBinding',
          metadata: { name, tenant },
          spec: { instance: 'shared-pg', shared: true, application: app },
        });
        live.push([tenant, name]);
        binds++;
      }
      if (op % RESTART_EVERY === 0) {
        polis = await booted.restart();
        restarts++;
      }
    }
    // Settle: every binding Ready, or rolled back (then deleted, as a department would); every deletion finished.
    polis.middleware!.failRate(0);
    let rolledBack = 0;
    await until(
      'bindings settled',
      async () => {
        let pending = false;
        for (const [tenant] of DEPARTMENTS) {
          for (const b of (await polis.store.list({ kind: 'ServiceBinding', tenant })).items) {
            const st = b.status as BindingStatus | undefined;
            if (b.metadata.deletionTimestamp) pending = true;
            else if (st?.phase === 'Failed') {
              const was = await polis.store.get({ kind: 'Secret', tenant, name: `binding-${b.metadata.name}` });
              if (was) return undefined; // the rollback has not removed its Secret yet
              unbound.push(grantId(tenant, b.metadata.name, b.metadata.uid));
              await polis.resources.delete(CTX, { kind: 'ServiceBinding', tenant, name: b.metadata.name });
              rolledBack++;
              pending = true;
            } else if (st?.phase !== 'Ready') pending = true;
          }
        }
        return pending ? undefined : true;
      },
      900_000,
    );
    const users = new Set(polis.middleware!.users());
    const owned = new Set<string>();
    let orphanSecrets = 0;
    for (const [tenant] of DEPARTMENTS) {
      const ready = new Set<string>();
      for (const b of (await polis.store.list({ kind: 'ServiceBinding', tenant })).items) {
        owned.add((b.status as BindingStatus).username!);
        ready.add(`binding-${b.metadata.name}`);
      }
      for (const s of (await polis.store.list({ kind: 'Secret', tenant })).items)
        if (s.metadata.name.startsWith('binding-') && !ready.has(s.metadata.name)) orphanSecrets++;
    }
    const orphanUsers = [...users].filter((u) => !owned.has(u)).length;
    const stillValid = unbound.filter((u) => users.has(u)).length;
    notes.push(
      `fault tolerance: ${binds} binds and ${unbinds} unbinds, provisioner failing ${RATE * 100}% of calls (seeded), ${restarts} restarts mid-flight, ${rolledBack} bindings rolled back after 5 attempts (then deleted), ${owned.size} left Ready`,
    );
    return [
      figure({
        metric: 'fault tolerance: orphaned users (roles and databases) in the middleware',
        value: orphanUsers,
        unit: 'users',
        goal: '<= 0',
        baseline: `${OPS} bind and unbind operations, ${RATE * 100}% provisioner errors, ${restarts} restarts`,
      }),
      figure({
        metric: 'fault tolerance: orphaned binding Secrets',
        value: orphanSecrets,
        unit: 'secrets',
        goal: '<= 0',
      }),
      figure({
        metric: 'fault tolerance: credentials left valid after unbind',
        value: stillValid,
        unit: 'credentials',
        goal: '<= 0',
        baseline: `${unbound.length} unbound or rolled-back bindings checked`,
      }),
    ];
  } finally {
    await polis.stop();
    rmSync(booted.dir, { recursive: true, force: true });
  }
}

const parts = (process.env.MARKET_BENCH_PARTS ?? 'sharing,isolation,fault').split(',');
const figures = [
  ...(parts.includes('sharing') ? await sharingAndLatency() : []),
  ...(parts.includes('isolation') ? await isolationAtScale() : []),
  ...(parts.includes('fault') ? await faultTolerance() : []),
];
notes.push(
  `load average at start ${round(load0, 1)}, at end ${round(loadavg()[0]!, 1)} (2 cores shared by about 7 engineers: timings are upper bounds)`,
);
printFigures('marketplace', figures);
const path = await writeResult({
  benchmark: 'marketplace',
  command: 'npm run bench:marketplace',
  figures,
  parameters: {
    departments: DEPARTMENTS.map(([t]) => t),
    dedicated: 'postgresql 1 x (1 CPU, 2 GiB), redis 1 x (500m, 1 GiB) per department; HA: 3 replicas of each',
    shared: 'postgresql 3 x (2 CPU, 4 GiB), redis 3 x (1 CPU, 2 GiB) in the platform space',
    isolationDepartments: ISOLATION_DEPARTMENTS,
  },
  notes,
});
console.log(`\nwrote ${path}`);
