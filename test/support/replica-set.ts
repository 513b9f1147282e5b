/**
 * Three (or more) `polis serve` processes over one PostgreSQL, for the chaos tests (test/chaos-replicas.test.ts) and
 * bench/scale-out-chaos. Every replica runs with the controllers on and the sandbox off: each replica's embedded
 * simulated cloud would be a cloud of its own (src/main.ts builds one per process), so the replicas share member
 * clusters that are fake Kubernetes API servers run once, in the calling process. They share one secret key (sealed
 * kubeconfigs must open on each) and the admin token the first one bootstrapped.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { generateSecretKey } from '../../src/tenancy/secret-cipher.ts';
import type { ChildPolis } from './child-polis.ts';
import { spawnPolis } from './child-polis.ts';
import type { FakeKube } from './fake-kube/index.ts';

export interface Replica {
  /** Its slot (0, 1, 2 …): a restarted replica keeps its slot and data folder, and gets a new process. */
  readonly slot: number;
  readonly dataDir: string;
  child: ChildPolis;
  /** Whether it was killed and not restarted. */
  dead: boolean;
  /** Whether it is SIGSTOPped. */
  stopped: boolean;
}

export interface ReplicaSetOptions {
  readonly databaseUrl: string;
  readonly replicas: number;
  /** POLIS_LEASE_MS for every replica. */
  readonly leaseMs: number;
  /** A database URL per slot instead of `databaseUrl` (a replica reached through a proxy). */
  readonly databaseUrlOf?: (slot: number) => string | undefined;
  readonly env?: Readonly<Record<string, string>>;
}

export interface LeaseRow {
  readonly holder: string;
  readonly epoch: number;
  /** Whether the lease is unexpired by the database clock. */
  readonly live: boolean;
  /** The pid in the holder name (`<host>-<pid>-<random>`, src/main.ts). */
  readonly pid: number;
}

import { until } from './until.ts';

export { until };

export class ReplicaSet {
  readonly replicas: Replica[] = [];
  readonly adminToken: () => string;
  readonly #opts: ReplicaSetOptions;
  readonly #secretKey = generateSecretKey();
  readonly #db: pg.Pool;
  readonly #root = mkdtempSync(join(tmpdir(), 'polis-replicas-'));
  #token = '';

  constructor(opts: ReplicaSetOptions) {
    this.#opts = opts;
    this.#db = new pg.Pool({ connectionString: opts.databaseUrl, max: 2 });
    this.#db.on('error', () => {});
    this.adminToken = () => this.#token;
  }

  /** Starts the first replica (it bootstraps the database and wins the lease), then the others together. */
  async start(): Promise<void> {
    const first = join(this.#root, 'replica-0');
    const child = await this.#spawn(0, first);
    this.#token = child.adminToken;
    this.replicas.push({ slot: 0, dataDir: first, child, dead: false, stopped: false });
    const others = await Promise.all(
      Array.from({ length: this.#opts.replicas - 1 }, async (_, i) => {
        const slot = i + 1;
        const dataDir = join(this.#root, `replica-${slot}`);
        mkdirSync(dataDir, { recursive: true, mode: 0o700 });
        copyFileSync(join(first, 'admin.token'), join(dataDir, 'admin.token'));
        return { slot, dataDir, child: await this.#spawn(slot, dataDir), dead: false, stopped: false };
      }),
    );
    this.replicas.push(...others);
  }

  #spawn(slot: number, dataDir: string): Promise<ChildPolis> {
    return spawnPolis({
      dataDir,
      databaseUrl: this.#opts.databaseUrlOf?.(slot) ?? this.#opts.databaseUrl,
      startTimeoutMs: 120_000,
      env: {
        POLIS_SANDBOX: 'off',
        POLIS_CONTROLLERS: 'on',
        POLIS_LEASE_MS: String(this.#opts.leaseMs),
        // These cases are about the leader's term and its fencing: the leader alone delivers. Sharded delivery (the
        // default on PostgreSQL) has its own test with replicas (test/sharding.replicas.test.ts); there a resumed
        // replica rightly rejoins in a new epoch and delivers its share again, which these cases would count as
        // writes of the old leader.
        POLIS_SHARDING: 'off',
        POLIS_SECRET_KEY: this.#secretKey,
        POLIS_HEARTBEAT_MS: '1000',
        POLIS_LOG_LEVEL: 'warn',
        ...this.#opts.env,
      },
    });
  }

  /** Replicas that answer (not killed, not stopped). */
  live(): Replica[] {
    return this.replicas.filter((r) => !r.dead && !r.stopped);
  }

  byPid(pid: number): Replica | undefined {
    return this.replicas.find((r) => r.child.pid === pid);
  }

  /** The `controllers` lease row as the database holds it now. */
  async lease(): Promise<LeaseRow | undefined> {
    const r = await this.#db.query<{ holder: string; epoch: string; live: boolean }>(
      `SELECT holder, epoch, expires_at > (extract(epoch from clock_timestamp()) * 1000)::bigint AS live
         FROM leases WHERE name = 'controllers'`,
    );
    const row = r.rows[0];
    if (!row) return undefined;
    return { holder: row.holder, epoch: Number(row.epoch), live: row.live, pid: Number(row.holder.split('-').at(-2)) };
  }

  /** The live shard members (`members` table, unexpired by the database clock), sorted, as src/main.ts names them. */
  async members(): Promise<string[]> {
    const r = await this.#db.query<{ id: string }>(
      `SELECT id FROM members WHERE expires_at > (extract(epoch from clock_timestamp()) * 1000)::bigint ORDER BY id`,
    );
    return r.rows.map((row) => row.id).sort();
  }

  /** The replica whose process is named in a member id or lease holder (`<host>-<pid>-<random>`). */
  byHolder(holder: string): Replica | undefined {
    return this.byPid(Number(holder.split('-').at(-2)));
  }

  /** Waits until a live lease is held by a replica that answers, other than `not`; returns it. */
  async leader(opts: { not?: number; limitMs?: number } = {}): Promise<{ replica: Replica; lease: LeaseRow }> {
    let found: { replica: Replica; lease: LeaseRow } | undefined;
    await until(
      'a live replica to hold the controllers lease',
      async () => {
        const lease = await this.lease();
        const replica = lease?.live ? this.byPid(lease.pid) : undefined;
        if (!lease || !replica || replica.dead || replica.stopped || lease.pid === opts.not) return false;
        found = { replica, lease };
        return true;
      },
      opts.limitMs,
    );
    return found!;
  }

  /** kill -9. */
  async kill(replica: Replica): Promise<void> {
    await replica.child.kill('SIGKILL');
    replica.dead = true;
  }

  /** Starts a killed replica again on its data folder. */
  async restart(replica: Replica): Promise<void> {
    replica.child = await this.#spawn(replica.slot, replica.dataDir);
    replica.dead = false;
    replica.stopped = false;
  }

  pause(replica: Replica): void {
    process.kill(replica.child.pid, 'SIGSTOP');
    replica.stopped = true;
  }

  resume(replica: Replica): void {
    process.kill(replica.child.pid, 'SIGCONT');
    replica.stopped = false;
  }

  /** A request to one replica as the platform admin (JSON in and out); `timeoutMs` bounds a hung replica. */
  async request(
    replica: Replica,
    method: string,
    path: string,
    body?: unknown,
    timeoutMs = 10_000,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- whatever JSON the route answers, read by tests
  ): Promise<{ status: number; json: any }> {
    const r = await fetch(`${replica.child.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.#token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await r.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    return { status: r.status, json };
  }

  /** polis_fenced_writes_total and polis_leader of one replica, from its /metrics. */
  async fenceMetrics(replica: Replica): Promise<{ committed: number; refused: number; leader: boolean }> {
    const r = await fetch(`${replica.child.url}/metrics`, {
      headers: { authorization: `Bearer ${this.#token}` },
      signal: AbortSignal.timeout(10_000),
    });
    const text = await r.text();
    const value = (re: RegExp) => Number(re.exec(text)?.[1] ?? Number.NaN);
    return {
      committed: value(/^polis_fenced_writes_total\{outcome="committed"\} (\S+)$/m),
      refused: value(/^polis_fenced_writes_total\{outcome="refused"\} (\S+)$/m),
      leader: value(/^polis_leader (\S+)$/m) === 1,
    };
  }

  /**
   * A replica's fence counters once they hold still (two reads a second apart agree): a leader with nothing to
   * reconcile commits nothing, so what it commits later is measured from here.
   */
  async quietFenceMetrics(
    replica: Replica,
    limitMs = 90_000,
  ): Promise<{ committed: number; refused: number; leader: boolean }> {
    let last: { committed: number; refused: number; leader: boolean } | undefined;
    const settled = until(
      `replica ${replica.slot}'s controller writes to settle`,
      async () => {
        await new Promise((r) => setTimeout(r, 1_000));
        const now = await this.fenceMetrics(replica);
        const same = last !== undefined && now.committed === last.committed && now.refused === last.refused;
        last = now;
        return same;
      },
      limitMs,
    );
    await settled.catch((e: unknown) => {
      throw new Error(`${(e as Error).message}; last read ${JSON.stringify(last)}`);
    });
    return last!;
  }

  /** Registers a fake Kubernetes API server as a primary cluster, through any live replica. */
  async registerCluster(name: string, fake: FakeKube): Promise<void> {
    const r = await this.request(this.live()[0]!, 'POST', '/api/v1/clusters', {
      name,
      kubeconfig: fake.kubeconfig(),
      vendor: 'k3s',
      region: 'city-east',
      zone: `${name}-zone`,
      networkZone: 'e-gov-extranet',
      role: 'primary',
    });
    if (r.status !== 200) throw new Error(`registering ${name}: ${r.status} ${JSON.stringify(r.json)}`);
  }

  /** Stops every replica (SIGCONT first for a stopped one, SIGKILL after a grace), the pool and the folders. */
  async stop(): Promise<void> {
    for (const r of this.replicas) {
      try {
        if (r.stopped) process.kill(r.child.pid, 'SIGCONT');
      } catch {
        // already gone
      }
    }
    await Promise.all(this.replicas.map((r) => r.child.stop(10_000).catch(() => undefined)));
    await this.#db.end().catch(() => undefined);
    rmSync(this.#root, { recursive: true, force: true });
  }
}
