import { hash } from 'node:crypto';
import type { Message } from '../kernel/messages/index.ts';
import { msg } from '../kernel/messages/index.ts';
import type { Clock } from '../kernel/clock.ts';
import { ConflictError, NotFoundError } from '../kernel/errors.ts';
import type { ChangeFeed, Subscription } from '../resources/change-feed.ts';
import type { StoredObject } from '../resources/envelope.ts';
import type { ResourceService } from '../resources/service.ts';
import type { Store } from '../resources/store.ts';
import type { ClusterCandidate } from '../placement/types.ts';
import type { ClusterSpec, ClusterStatus } from './cluster-kind.ts';
import type { ClusterCapacity, ClusterDriver, ClusterPermission, Resources } from './driver.ts';
import { ClusterUnreachableError, deniedText } from './driver.ts';
import type { HealthSettings, HealthTrack } from './health.ts';
import { DEFAULT_HEALTH, initialHealth, nextHealth, schedulable } from './health.ts';

/** Builds the driver for a Cluster object, or says why there is none. */
export type DriverFactory = (cluster: StoredObject<ClusterSpec>) => ClusterDriver | { error: string };

export type ClusterChange = 'health' | 'capacity' | 'added' | 'removed';

interface Entry {
  object: StoredObject<ClusterSpec>;
  driver?: ClusterDriver;
  driverError?: string;
  track: HealthTrack;
  capacity?: ClusterCapacity;
  /** Requests placed that no capacity report shows yet, so back-to-back placements do not overcommit. */
  reserved: Resources;
  /**
   * Since when `reserved` has not been back to zero (epoch ms; 0 when it is zero). Not moved by later reservations,
   * so that with placements going on all the time a reservation no report shows is still dropped after
   * RESERVATION_TTL_MS.
   */
  reservedSince: number;
  lastStatus?: string;
  lastStatusAt: number;
  /** When its last heartbeat started (epoch ms). */
  lastProbeAt: number;
  /** When it last answered a heartbeat ready (epoch ms; 0: never since polis started). */
  lastOkAt: number;
  /** The lastHeartbeat last written to its status (epoch ms). */
  writtenHeartbeat: number;
  version?: string;
  /** Rights the cluster refused at its last heartbeat: not schedulable while any is missing. */
  denied: readonly ClusterPermission[];
  /** The heartbeat under way, which a caller wanting the next result awaits instead of starting another. */
  inflight?: Promise<void>;
  /**
   * The cluster as placement last saw it (candidateOf) and its JSON text; `stale` once anything it is built from
   * changed since (health, rights, capacity, reservations, the Cluster object, the shared reservations).
   */
  seen?: { candidate: ClusterCandidate; text: string };
  stale: boolean;
}

export interface ClusterDirectoryDeps {
  readonly store: Store;
  readonly resources: ResourceService;
  readonly feed: ChangeFeed;
  readonly clock: Clock;
  readonly drivers: DriverFactory;
  readonly heartbeatMs?: number;
  /** Status is written when health changes, and otherwise at most this often (heartbeat and capacity). */
  readonly statusEveryMs?: number;
  readonly health?: HealthSettings;
  readonly log?: (msg: string, err?: unknown) => void;
  /**
   * start() waits this long at most for every cluster's first heartbeat (default 10 s), so that controllers
   * started after it see each cluster probed; a cluster that has not answered by then stays Unknown, which
   * delivery treats as "hold" (docs/clusters.md).
   */
  readonly firstProbeMs?: number;
  /**
   * Whether this process writes the clusters' status (default always). With several replicas every member probes
   * the clusters for its own placement decisions, and only the leader writes what it saw.
   */
  readonly writesStatus?: () => boolean;
}

const CTX = { actor: 'system:cluster-health', requestId: 'cluster-health' };
const ZERO: Resources = { cpuMilli: 0, memoryBytes: 0, pods: 0 };

/**
 * The clusters polis knows: their drivers, health (a heartbeat state machine) and free capacity, kept current
 * from the store's Cluster objects and regular probes. Delivery reads candidates from it; listeners hear when a
 * cluster's health or capacity changes.
 */
export class ClusterDirectory {
  private readonly deps: ClusterDirectoryDeps;
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<(cluster: string, change: ClusterChange) => void>();
  private sub?: Subscription;
  private timer?: NodeJS.Timeout;
  /** Room every replica reserved in the store (sharded placement), per cluster; subtracted from `free`. */
  private shared = new Map<string, Resources>();
  /** Every cluster as placement sees it, sorted by name, while no entry is stale (see candidates()). */
  private sorted?: readonly ClusterCandidate[];
  /** Moves on whenever some cluster as placement sees it changes (see candidatesVersion()). */
  private version = 0;
  /** Some entry is stale (its candidate is built again at the next read). */
  private anyStale = false;
  /** The digest of the candidates at one version (candidatesDigest). */
  private digested?: { readonly version: number; readonly digest: string };

  constructor(deps: ClusterDirectoryDeps) {
    this.deps = deps;
  }

  async start(): Promise<void> {
    const from = await this.deps.store.currentRevision();
    const page = await this.deps.store.list({ kind: 'Cluster' });
    for (const o of page.items) this.upsert(o as StoredObject<ClusterSpec>);
    this.sub = this.deps.feed.subscribe({
      from,
      filter: { kind: 'Cluster' },
      onEvent: (e) => {
        if (e.type === 'DELETED') this.remove(e.object.metadata.name);
        else this.upsert(e.object as StoredObject<ClusterSpec>);
      },
      onError: (err) => this.deps.log?.('cluster watch failed; restarting', err),
    });
    await this.firstProbes(this.deps.firstProbeMs ?? 10_000);
    const every = this.deps.heartbeatMs ?? 2000;
    if (every > 0) {
      // Each cluster beats on its own period (spec.health.heartbeatSeconds, else the platform's); the tick is fine
      // enough for the shortest.
      this.timer = setInterval(() => this.beat(), Math.min(every, TICK_MS));
      this.timer.unref();
    }
  }

  /** Waits for every cluster's heartbeat under way (or a new one), at most `boundMs`. */
  private async firstProbes(boundMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, boundMs);
      timer.unref();
    });
    await Promise.race([this.probeAll(), bound]);
    clearTimeout(timer);
  }

  /** Probes every cluster whose heartbeat period has passed since its last probe. */
  private beat(): void {
    const now = this.deps.clock.now().getTime();
    for (const [name, e] of this.entries) {
      const s = e.object.spec?.health?.heartbeatSeconds;
      const period = s !== undefined ? s * 1000 : (this.deps.heartbeatMs ?? 2000);
      if (now - e.lastProbeAt >= period - TICK_MS / 2) void this.probe(name);
    }
  }

  /** The health thresholds of a cluster: its own spec.health over the platform's. */
  private healthSettings(e: Entry): HealthSettings {
    const base = this.deps.health ?? DEFAULT_HEALTH;
    const own = e.object.spec?.health;
    return {
      suspectAfter: own?.suspectAfter ?? base.suspectAfter,
      unreachableAfter: own?.unreachableAfter ?? base.unreachableAfter,
      recoverAfter: own?.recoverAfter ?? base.recoverAfter,
    };
  }

  stop(): void {
    this.sub?.close();
    if (this.timer) clearInterval(this.timer);
    for (const e of this.entries.values()) e.driver?.close?.();
  }

  onChange(listener: (cluster: string, change: ClusterChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  names(): string[] {
    return [...this.entries.keys()].sort();
  }

  driver(name: string): ClusterDriver | undefined {
    return this.entries.get(name)?.driver;
  }

  health(name: string): HealthTrack | undefined {
    return this.entries.get(name)?.track;
  }

  /** The role of cluster `name` (undefined when it is not registered), without building every candidate. */
  role(name: string): ClusterCandidate['role'] | undefined {
    return this.entries.get(name)?.object.spec?.role;
  }

  /**
   * Every cluster as placement sees it: health, labels, and free room (allocatable − requested − pending − reserved).
   * The candidates are frozen and shared between calls while nothing they are built from changes (each reconcile
   * reads all of them: at 300 clusters, building them afresh was a good part of a steady reconcile); the array is
   * the caller's own.
   */
  candidates(): ClusterCandidate[] {
    this.refresh();
    this.sorted ??= [...this.entries]
      .map(([name, e]) => this.seenOf(name, e))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    return [...this.sorted];
  }

  /**
   * A number that moves on whenever any cluster as candidates() answers it changes (its health, rights, labels, room,
   * reservations; a cluster added or removed), and only then: equal numbers, equal candidates. A decision made from
   * candidates() at one version is made alike at the same version (delivery skips planning again on it).
   */
  candidatesVersion(): number {
    this.refresh();
    return this.version;
  }

  /**
   * A digest of every cluster as candidates() answers it now: equal digests, equal candidates, whenever they were
   * read (room reserved and then released, or a capacity report back where it was, gives the digest of before, where
   * the version has moved on). Computed once per version.
   */
  candidatesDigest(): string {
    const version = this.candidatesVersion();
    if (this.digested?.version !== version) {
      const all = this.candidates();
      this.digested = { version: this.version, digest: hash('sha1', JSON.stringify(all)) };
    }
    return this.digested.digest;
  }

  /** One cluster as placement sees it (as in candidates()), without building every other one. */
  candidate(name: string): ClusterCandidate | undefined {
    const e = this.entries.get(name);
    return e ? this.seenOf(name, e) : undefined;
  }

  /** Something a cluster's candidate is built from changed: built again at the next read. */
  private touch(e: Entry): void {
    e.stale = true;
    this.anyStale = true;
  }

  /** Builds again every stale candidate; the version moves on when one of them differs from before. */
  private refresh(): void {
    if (!this.anyStale) return;
    this.anyStale = false;
    for (const [name, e] of this.entries) if (e.stale) this.seenOf(name, e);
  }

  private seenOf(name: string, e: Entry): ClusterCandidate {
    if (e.seen && !e.stale) return e.seen.candidate;
    e.stale = false;
    const candidate = this.candidateOf(name, e);
    const text = JSON.stringify(candidate);
    if (e.seen?.text === text) return e.seen.candidate;
    Object.freeze(candidate.free);
    e.seen = { candidate: Object.freeze(candidate), text };
    this.changedCandidates();
    return candidate;
  }

  private changedCandidates(): void {
    this.version++;
    this.sorted = undefined;
  }

  private candidateOf(name: string, e: Entry): ClusterCandidate {
    const spec = e.object.spec!;
    const alloc = e.capacity?.allocatable ?? ZERO;
    const req = e.capacity?.requested ?? ZERO;
    const pending = e.capacity?.pending ?? ZERO;
    const held = this.shared.get(name);
    const reserved = held ? add(e.reserved, held) : e.reserved;
    const unhealthy = !e.driver
      ? `no driver${e.driverError ? ` (${e.driverError})` : ''}`
      : !schedulable(e.track.state)
        ? e.track.state
        : e.denied.length > 0
          ? `PermissionDenied (${deniedText(e.denied)})`
          : spec.draining
            ? 'draining'
            : e.object.metadata.deletionTimestamp
              ? 'being deleted'
              : undefined;
    return {
      name,
      vendor: spec.vendor,
      region: spec.region,
      zone: spec.zone,
      networkZone: spec.networkZone,
      role: spec.role,
      labels: e.object.metadata.labels ?? {},
      ...(spec.prices ? { prices: spec.prices } : {}),
      healthy: unhealthy === undefined,
      ...(unhealthy !== undefined ? { unhealthy } : {}),
      ...(spec.cordoned && !spec.draining ? { cordoned: true } : {}),
      ...(spec.draining ? { draining: true } : {}),
      ...(e.capacity ? { allocatable: e.capacity.allocatable } : {}),
      free: {
        cpuMilli: Math.max(0, alloc.cpuMilli - req.cpuMilli - pending.cpuMilli - reserved.cpuMilli),
        memoryBytes: Math.max(0, alloc.memoryBytes - req.memoryBytes - pending.memoryBytes - reserved.memoryBytes),
        pods: Math.max(0, alloc.pods - req.pods - pending.pods - reserved.pods),
      },
    };
  }

  /** The room a cluster's last report shows free, before any reservation (allocatable − requested − pending). */
  observedFree(name: string): Resources | undefined {
    const c = this.entries.get(name)?.capacity;
    if (!c) return undefined;
    const pending = c.pending ?? ZERO;
    return {
      cpuMilli: c.allocatable.cpuMilli - c.requested.cpuMilli - pending.cpuMilli,
      memoryBytes: c.allocatable.memoryBytes - c.requested.memoryBytes - pending.memoryBytes,
      pods: c.allocatable.pods - c.requested.pods - pending.pods,
    };
  }

  /** The room reserved in the store by every replica (sharded placement), taken off each cluster's `free`. */
  setSharedReservations(reserved: Map<string, Resources>): void {
    const before = this.shared;
    this.shared = reserved;
    for (const name of new Set([...before.keys(), ...reserved.keys()])) {
      const [a, b] = [before.get(name), reserved.get(name)];
      if (a?.cpuMilli === b?.cpuMilli && a?.memoryBytes === b?.memoryBytes && a?.pods === b?.pods) continue;
      const e = this.entries.get(name);
      if (e) this.touch(e);
    }
  }

  /** Counts requests just placed on a cluster until its next capacity report includes them. */
  reserve(name: string, delta: Resources): void {
    const e = this.entries.get(name);
    if (!e) return;
    e.reserved = {
      cpuMilli: e.reserved.cpuMilli + delta.cpuMilli,
      memoryBytes: e.reserved.memoryBytes + delta.memoryBytes,
      pods: e.reserved.pods + delta.pods,
    };
    if (e.reservedSince === 0) e.reservedSince = this.deps.clock.now().getTime();
    this.touch(e);
  }

  /** One heartbeat for every cluster, now (tests in virtual time call it directly). */
  async probeAll(): Promise<void> {
    await Promise.all([...this.entries.keys()].map((n) => this.probe(n)));
  }

  private upsert(o: StoredObject<ClusterSpec>): void {
    const e = this.entries.get(o.metadata.name);
    if (e && e.object.metadata.generation === o.metadata.generation) {
      e.object = o;
      this.touch(e);
      return;
    }
    e?.driver?.close?.();
    const made = this.deps.drivers(o);
    const driver = 'error' in made ? undefined : made;
    const next: Entry = {
      object: o,
      driver,
      driverError: 'error' in made ? made.error : undefined,
      track: e?.track ?? initialHealth(this.deps.clock.now().toISOString()),
      capacity: e?.capacity,
      reserved: ZERO,
      reservedSince: 0,
      lastStatus: e?.lastStatus,
      lastStatusAt: e?.lastStatusAt ?? 0,
      lastProbeAt: e?.lastProbeAt ?? 0,
      lastOkAt: e?.lastOkAt ?? 0,
      writtenHeartbeat: e?.writtenHeartbeat ?? 0,
      denied: e?.denied ?? [],
      stale: true,
    };
    this.entries.set(o.metadata.name, next);
    this.anyStale = true;
    // Replaced: its candidate is compared with none (a cluster added or re-created counts as a change).
    this.changedCandidates();
    if (!e) {
      this.emit(o.metadata.name, 'added');
      void this.probe(o.metadata.name);
    }
  }

  private remove(name: string): void {
    const e = this.entries.get(name);
    if (!e) return;
    e.driver?.close?.();
    this.entries.delete(name);
    this.changedCandidates();
    this.emit(name, 'removed');
  }

  private emit(name: string, change: ClusterChange): void {
    for (const l of this.listeners) l(name, change);
  }

  /** One heartbeat of a cluster; while one is under way, that one (callers awaiting a probe get its result). */
  private probe(name: string): Promise<void> {
    const e = this.entries.get(name);
    if (!e) return Promise.resolve();
    e.inflight ??= this.heartbeat(name, e).finally(() => (e.inflight = undefined));
    return e.inflight;
  }

  private async heartbeat(name: string, e: Entry): Promise<void> {
    const now = this.deps.clock.now();
    e.lastProbeAt = now.getTime();
    let ok = false;
    let message = e.driverError;
    let detail: Message | undefined = message === undefined ? undefined : msg('External', { text: message });
    let capacity: ClusterCapacity | undefined;
    const deniedBefore = deniedText(e.denied);
    if (e.driver) {
      try {
        const h = await e.driver.health();
        if (h.reachable) e.denied = h.denied ?? [];
        this.touch(e);
        ok = h.ready;
        message = h.message;
        detail = h.detail ?? (h.message === undefined ? undefined : msg('External', { text: h.message }));
        e.version = h.version ?? e.version;
        if (h.reachable) capacity = await e.driver.capacity();
      } catch (err) {
        ok = false;
        message = err instanceof ClusterUnreachableError ? err.message : String(err);
        detail = err instanceof ClusterUnreachableError ? err.detail : msg('External', { text: message });
      }
    }
    if (ok) e.lastOkAt = now.getTime();
    const before = e.track.state;
    e.track = nextHealth(e.track, { ok, message, detail }, now.toISOString(), this.healthSettings(e));
    this.touch(e);
    const capacityChanged = capacity !== undefined && !sameCapacity(capacity, e.capacity);
    if (capacity) {
      const expired = e.reservedSince !== 0 && now.getTime() - e.reservedSince > RESERVATION_TTL_MS;
      e.reserved = expired ? ZERO : unreported(e.reserved, e.capacity, capacity);
      if (e.reserved.cpuMilli === 0 && e.reserved.memoryBytes === 0 && e.reserved.pods === 0) e.reservedSince = 0;
      e.capacity = capacity;
    }
    const changed = e.track.state !== before || deniedText(e.denied) !== deniedBefore;
    if (changed) this.emit(name, 'health');
    else if (capacityChanged) this.emit(name, 'capacity');
    await this.writeStatus(e, now, changed);
  }

  private async writeStatus(e: Entry, now: Date, urgent: boolean): Promise<void> {
    const t = e.track;
    const denied = schedulable(t.state) && e.denied.length > 0;
    const coded = denied
      ? msg('ClusterPermissionsMissing', { denied: deniedText(e.denied) })
      : (t.detail ?? (t.message === undefined ? undefined : msg('External', { text: t.message })));
    const message = coded?.message;
    const status: ClusterStatus = {
      health: denied ? 'PermissionDenied' : t.state,
      conditions: [
        {
          type: 'Ready',
          status: denied
            ? 'False'
            : t.state === 'Ready' || t.state === 'Suspect'
              ? 'True'
              : t.state === 'Unknown'
                ? 'Unknown'
                : 'False',
          reason: denied ? 'PermissionDenied' : t.state,
          ...(message ? { message: message.slice(0, 500) } : {}),
          ...(coded ? { code: coded.code, ...(coded.params ? { params: coded.params } : {}) } : {}),
          lastTransitionTime: t.since,
        },
      ],
      ...(denied ? { deniedPermissions: e.denied.map((p) => ({ ...p })) } : {}),
      ...(e.capacity
        ? {
            capacity: e.capacity.capacity,
            allocatable: e.capacity.allocatable,
            requested: e.capacity.requested,
            ...(e.capacity.pending?.pods ? { pending: e.capacity.pending } : {}),
            ...(e.capacity.used ? { used: e.capacity.used } : {}),
            nodes: { total: e.capacity.nodes.length, ready: e.capacity.nodes.filter((n) => n.ready).length },
          }
        : {}),
      ...(e.version ? { version: e.version } : {}),
    };
    const text = JSON.stringify(status);
    const every = this.deps.statusEveryMs ?? 30_000;
    // lastHeartbeat is the last successful probe, written at most once a minute when nothing else changed: its
    // age as shown is right to within that, without a store write per heartbeat.
    const heartbeatDue = e.lastOkAt - e.writtenHeartbeat >= HEARTBEAT_WRITE_MS;
    const changed = text !== e.lastStatus && now.getTime() - e.lastStatusAt >= every;
    if (!urgent && !changed && !heartbeatDue) return;
    if (this.deps.writesStatus && !this.deps.writesStatus()) return;
    try {
      await this.deps.resources.patch(
        CTX,
        { kind: 'Cluster', tenant: '', name: e.object.metadata.name },
        { status: { ...status, ...(e.lastOkAt ? { lastHeartbeat: new Date(e.lastOkAt).toISOString() } : {}) } },
        { subresource: 'status' },
      );
      e.lastStatus = text;
      e.lastStatusAt = now.getTime();
      e.writtenHeartbeat = e.lastOkAt;
    } catch (err) {
      if (!(err instanceof NotFoundError) && !(err instanceof ConflictError))
        this.deps.log?.(`cluster ${e.object.metadata.name}: status not written`, err);
    }
  }
}

function add(a: Resources, b: Resources): Resources {
  return { cpuMilli: a.cpuMilli + b.cpuMilli, memoryBytes: a.memoryBytes + b.memoryBytes, pods: a.pods + b.pods };
}

/** A cluster's status.lastHeartbeat is brought up to date at most this often when nothing else changes (ms). */
const HEARTBEAT_WRITE_MS = 60_000;

/** How often heartbeat periods are checked (ms). */
const TICK_MS = 500;

/** A reservation no capacity report has shown after this long is dropped (its objects were never created). */
const RESERVATION_TTL_MS = 10_000;

/**
 * What of a reservation a new capacity report does not show yet: the growth of requests (scheduled and pending)
 * since the last report is taken off it, never past zero. A cluster's controllers create pods a moment after the
 * objects are applied, so a report may come before them: clearing the reservation then would let the next
 * placement count the same room twice.
 */
function unreported(reserved: Resources, before: ClusterCapacity | undefined, after: ClusterCapacity): Resources {
  const total = (c: ClusterCapacity | undefined, k: keyof Resources) =>
    c ? c.requested[k] + (c.pending?.[k] ?? 0) : 0;
  const left = (k: keyof Resources) => {
    const r = reserved[k];
    const growth = before ? total(after, k) - total(before, k) : r;
    return r >= 0 ? Math.max(0, Math.min(r, r - growth)) : Math.min(0, Math.max(r, r - growth));
  };
  return { cpuMilli: left('cpuMilli'), memoryBytes: left('memoryBytes'), pods: left('pods') };
}

function sameCapacity(a: ClusterCapacity, b: ClusterCapacity | undefined): boolean {
  if (!b) return false;
  return (
    a.requested.cpuMilli === b.requested.cpuMilli &&
    a.requested.memoryBytes === b.requested.memoryBytes &&
    a.requested.pods === b.requested.pods &&
    a.allocatable.cpuMilli === b.allocatable.cpuMilli &&
    a.allocatable.memoryBytes === b.allocatable.memoryBytes &&
    a.allocatable.pods === b.allocatable.pods &&
    (a.pending?.cpuMilli ?? 0) === (b.pending?.cpuMilli ?? 0) &&
    (a.pending?.memoryBytes ?? 0) === (b.pending?.memoryBytes ?? 0) &&
    (a.pending?.pods ?? 0) === (b.pending?.pods ?? 0)
  );
}
