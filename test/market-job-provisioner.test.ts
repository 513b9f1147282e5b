import { execFileSync } from 'node:child_process';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubernetesDriver } from '../src/clusters/drivers/kubernetes/index.ts';
import type { Owner } from '../src/clusters/driver.ts';
import { jobName } from '../src/market/provisioners/job-manifests.ts';
import { jobProvisioner } from '../src/market/provisioners/job-provisioner.ts';
import type { AdminEndpoint, Engine, Grant, Provisioner } from '../src/market/provisioners/index.ts';
import { ProvisionerError, grantId } from '../src/market/provisioners/index.ts';
import type { TempServer } from './setup/temp-middleware.ts';
import { missing, startMariadbServer, startPostgresServer, startRedisServer } from './setup/temp-middleware.ts';
import type { FakeKube } from './support/fake-kube/index.ts';
import type { ContainerRun } from './support/fake-kube/types.ts';
import { settleJob, startJobCluster } from './support/job-cluster.ts';
import { skipTitle } from './support/skip.ts';

/**
 * The Job provisioner against the fake API server, whose kubelet runs each Job's container command here (psql,
 * mariadb, redis-cli) with the Job's env and mounted Secret, on real PostgreSQL, MariaDB and Redis started on
 * loopback; polis's member-cluster role is enforced. Each binding reaches its own database or prefix and is refused
 * at the other's; revoke leaves the credentials logging in nowhere; a Job that fails once is retried and ends
 * complete; no Job, Secret, role or user is left behind.
 */
const ENGINES = [
  { kind: 'postgresql', engine: 'postgresql', client: 'psql', start: startPostgresServer },
  { kind: 'mariadb', engine: 'mysql', client: 'mariadb', start: startMariadbServer },
  { kind: 'redis', engine: 'redis', client: 'redis-cli', start: startRedisServer },
] as const;

function clientMissing(bin: string): string | undefined {
  try {
    execFileSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' });
    return undefined;
  } catch {
    return `${bin} is not installed`;
  }
}

async function reaches(kind: string, s: TempServer, user: string, password: string, target: string): Promise<boolean> {
  try {
    if (kind === 'postgresql') {
      const c = new pg.Client({ host: s.host, port: s.port, user, password, database: target });
      c.on('error', () => undefined);
      await c.connect();
      await c.query('SELECT 1');
      await c.end();
    } else if (kind === 'mariadb') {
      const c = await mysql.createConnection({ host: s.host, port: s.port, user, password, database: target });
      await c.query('CREATE TABLE IF NOT EXISTS t (id int)');
      await c.end();
    } else {
      const c = createClient({
        socket: { host: s.host, port: s.port, reconnectStrategy: false },
        username: user,
        password,
      });
      c.on('error', () => undefined);
      await c.connect();
      try {
        await c.set(`${target}probe`, '1');
      } finally {
        await c.quit().catch(() => c.destroy());
      }
    }
    return true;
  } catch {
    return false;
  }
}

/** The binding users the server holds (roles, users or ACL users named b_…). */
async function grantUsers(kind: string, s: TempServer): Promise<string[]> {
  if (kind === 'postgresql') {
    const c = new pg.Client({
      host: s.host,
      port: s.port,
      user: s.username,
      password: s.password,
      database: 'postgres',
    });
    await c.connect();
    const r = await c.query<{ n: string }>(
      "SELECT rolname AS n FROM pg_roles WHERE rolname LIKE 'b\\_%' UNION ALL SELECT datname FROM pg_database WHERE datname LIKE 'b\\_%'",
    );
    await c.end();
    return r.rows.map((x) => x.n).sort();
  }
  if (kind === 'mariadb') {
    const c = await mysql.createConnection({ host: s.host, port: s.port, user: s.username, password: s.password });
    const [users] = await c.query("SELECT User AS n FROM mysql.user WHERE User LIKE 'b\\_%'");
    const [dbs] = await c.query(
      "SELECT SCHEMA_NAME AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'b\\_%'",
    );
    await c.end();
    return [...(users as { n: string }[]), ...(dbs as { n: string }[])].map((x) => x.n).sort();
  }
  const c = createClient({
    socket: { host: s.host, port: s.port, reconnectStrategy: false },
    username: s.username,
    password: s.password,
  });
  await c.connect();
  const users = (await c.sendCommand(['ACL', 'USERS'])) as string[];
  const keys = (await c.sendCommand(['KEYS', 'b_*'])) as string[];
  await c.quit();
  return [...users.filter((u) => u.startsWith('b_')), ...keys].sort();
}

let fake: FakeKube;
let driver: KubernetesDriver;
const runs: ContainerRun[] = [];
/** Job names whose next run exits 1 (as a container that crashed), once each. */
const failOnce = new Set<string>();
const owner: Owner = { tenant: 'platform', app: 'shared-db', namespace: 'platform--shared-db' };

beforeAll(async () => {
  ({ fake, driver } = await startJobCluster(owner, runs, failOnce));
}, 60_000);
afterAll(async () => {
  driver?.close();
  await fake?.stop();
});

/** Calls a provisioner step until it stops answering "pending", as the binding reconciler's requeues do. */
const settle = <T>(call: () => Promise<T>, errors?: ProvisionerError[]): Promise<T> => settleJob(call, 600, errors);

for (const e of ENGINES) {
  const why = missing(e.kind) ?? clientMissing(e.client);
  describe.skipIf(why !== undefined)(skipTitle(`${e.kind}: the Job provisioner on a real server`, why), () => {
    let server: TempServer;
    let admin: AdminEndpoint;
    let p: Provisioner;
    const grants: Grant[] = ['edu', 'tax'].map((t) => ({
      id: grantId(t, `${e.kind}-db`, 'uid-1'),
      password: `pw-${t}-${e.kind}-Zx_9`,
    }));
    const own = (g: Grant) => (e.kind === 'redis' ? `${g.id}:` : g.id);
    beforeAll(async () => {
      server = await e.start();
      admin = { host: server.host, port: server.port, username: server.username, password: server.password };
      p = jobProvisioner(e.engine as Engine, { cluster: 'k8s-east', driver, owner, now: () => Date.now(), pollMs: 50 });
    }, 120_000);
    afterAll(() => server?.stop());

    it('provisions through a Job: each binding reaches its own database or prefix and is refused elsewhere', async () => {
      const before = runs.length;
      for (const g of grants) {
        const granted = await settle(() => p.provision(admin, g));
        expect(granted.username).toBe(g.id);
      }
      const mine = runs.slice(before);
      expect(mine.map((r) => r.pod.replace(/-[a-z0-9]{5}$/, ''))).toEqual(
        grants.map((g) => jobName('provision', g.id)),
      );
      // The password is in the Secret the Job mounts and names, never in its command or its spec.
      for (const r of mine) expect(JSON.stringify(r.command)).not.toContain(grants[0]!.password);
      const [edu, tax] = grants as [Grant, Grant];
      expect(await reaches(e.kind, server, edu.id, edu.password, own(edu))).toBe(true);
      expect(await reaches(e.kind, server, tax.id, tax.password, own(tax))).toBe(true);
      expect(await reaches(e.kind, server, edu.id, edu.password, own(tax))).toBe(false);
      expect(await reaches(e.kind, server, tax.id, tax.password, own(edu))).toBe(false);
      expect(await reaches(e.kind, server, edu.id, tax.password, own(edu))).toBe(false);
      // Nothing of the Jobs is left on the cluster.
      for (const g of grants) {
        expect(fake.get('batch/v1', 'Job', owner.namespace, jobName('provision', g.id))).toBeUndefined();
        expect(fake.get('v1', 'Secret', owner.namespace, jobName('provision', g.id))).toBeUndefined();
      }
    }, 240_000);

    it('retries a Job that failed: the failure is reported, the next Job completes', async () => {
      const [edu] = grants as [Grant];
      failOnce.add(jobName('provision', edu.id));
      const errors: ProvisionerError[] = [];
      await settle(() => p.provision(admin, edu), errors);
      expect(errors.map((x) => x.detail.params?.detail)).toMatchObject([{ code: 'MarketProvisionerJobFailed' }]);
      expect(await reaches(e.kind, server, edu.id, edu.password, own(edu))).toBe(true);
      expect(fake.get('batch/v1', 'Job', owner.namespace, jobName('provision', edu.id))).toBeUndefined();
    }, 240_000);

    it('revokes through a Job: the credentials log in nowhere, and nothing is left behind', async () => {
      for (const g of grants) await settle(() => p.revoke(admin, { id: g.id, password: '' }));
      for (const g of grants) {
        expect(await reaches(e.kind, server, g.id, g.password, own(g))).toBe(false);
        for (const op of ['provision', 'revoke'] as const) {
          expect(fake.get('batch/v1', 'Job', owner.namespace, jobName(op, g.id))).toBeUndefined();
          expect(fake.get('v1', 'Secret', owner.namespace, jobName(op, g.id))).toBeUndefined();
        }
      }
      expect(await grantUsers(e.kind, server)).toEqual([]);
      // Revoking again (a retry after a crash) is a no-op that succeeds.
      await settle(() => p.revoke(admin, { id: grants[0]!.id, password: '' }));
    }, 240_000);
  });
}
