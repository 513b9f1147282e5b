import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BurstUse } from '../placement/burst-limits.ts';
import type { DeliveryStats } from '../delivery/delivery-controller.ts';
import type { ChangeFeed } from '../resources/change-feed.ts';
import type { Store } from '../resources/store.ts';
import type { DepartmentUsage } from '../tenancy/usage.ts';
import type { WatchGuard } from './watch-guard.ts';

/** The server's Prometheus metrics: requests, latencies, store and watch figures. */
export function createMetrics(deps: {
  store: Store;
  feed: ChangeFeed;
  watches?: WatchGuard;
  delivery?: DeliveryStats;
  /** Application reconciles queued or running in the delivery controller. */
  deliveryQueued?: () => number;
  /** Application reconciles waiting on a timer (paced fair sharing, timed rechecks, retries). */
  deliveryScheduled?: () => number;
  /** Replicas on burst clusters and their cost per hour, by department. */
  burst?: () => ReadonlyMap<string, BurstUse>;
  /** Failed requests written to the audit chain one by one, and those the per-caller rate limit only counted. */
  failedRequests?: () => { readonly recorded: number; readonly suppressed: number };
  /** Controller writes committed in this replica's term, and refused because the term was over (`Fenced`). */
  fencedWrites?: () => { readonly committed: number; readonly refused: number };
  /** Whether this replica believes it leads (holds the `controllers` lease). */
  leader?: () => boolean;
  /** Every department's usage report (its `sharing` block: share of the private cloud, borrowed, held back). */
  sharing?: () => Promise<readonly DepartmentUsage[]>;
}) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'polis_' });
  const requests = new Counter({
    name: 'polis_http_requests_total',
    help: 'HTTP requests by method, route and status code.',
    labelNames: ['method', 'route', 'code'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'polis_http_request_duration_seconds',
    help: 'HTTP request latency by method and route.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const gauge = (name: string, help: string, read: () => Promise<number> | number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        this.set(await read());
      },
    });
  let stats: Promise<Awaited<ReturnType<Store['stats']>>> | undefined;
  const storeStats = () => (stats ??= deps.store.stats().finally(() => setTimeout(() => (stats = undefined), 0)));
  gauge(
    'polis_store_revision',
    'The store revision of the last committed write.',
    async () => (await storeStats()).revision,
  );
  gauge('polis_store_objects', 'Objects in the store.', async () => (await storeStats()).objects);
  gauge('polis_store_events', 'Change events retained for watch resumption.', async () => (await storeStats()).events);
  gauge('polis_audit_entries', 'Entries in the audit chain.', async () => (await storeStats()).auditEntries);
  gauge('polis_watchers', 'Open watch streams.', () => deps.feed.watchers);
  for (const [name, help, read] of [
    [
      'polis_store_commits_total',
      'Durable commits of write transactions (group commit).',
      () => deps.store.commitCounts().commits,
    ],
    [
      'polis_store_committed_transactions_total',
      'Write transactions acknowledged by those commits; divided by commits, the writes each commit carried.',
      () => deps.store.commitCounts().transactions,
    ],
    [
      'polis_change_feed_delivery_cpu_seconds_total',
      "CPU time the server's main thread spent passing committed changes to their subscribers (controllers, indexes, watch streams encoding and writing them).",
      () => deps.feed.deliveryCpuSeconds,
    ],
  ] as const)
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  // The object read cache (PostgreSQL; docs/deploy.md, Reads): present only where the store keeps one.
  if (deps.store.readCacheCounts?.() !== undefined) {
    const counts = () => deps.store.readCacheCounts!()!;
    new Counter({
      name: 'polis_store_read_cache_reads_total',
      help: 'Object reads outside a write by how they were answered: from the read cache (hit) or the database (miss).',
      labelNames: ['result'] as const,
      registers: [registry],
      collect() {
        const c = counts();
        this.reset();
        this.inc({ result: 'hit' }, c.hits);
        this.inc({ result: 'miss' }, c.misses);
      },
    });
    for (const [name, help, read] of [
      [
        'polis_store_read_cache_catch_ups_total',
        'Cached reads that first waited for change events another replica committed to be read into the cache.',
        () => counts().catchUps,
      ],
      [
        'polis_store_read_cache_resets_total',
        'Times the read cache forgot every entry (far behind, or the changes it missed were compacted away).',
        () => counts().resets,
      ],
      [
        'polis_store_read_cache_revision_reads_total',
        "Reads of the database's current revision; each one answers every cached read that arrived while the previous ran.",
        () => counts().revisionReads,
      ],
    ] as const)
      new Counter({
        name,
        help,
        registers: [registry],
        collect() {
          this.reset();
          this.inc(read());
        },
      });
    gauge('polis_store_read_cache_entries', 'Objects the read cache holds.', () => counts().entries);
  }
  new Counter({
    name: 'polis_watch_events_delivered_total',
    help: 'Change events delivered to watchers.',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(deps.feed.delivered);
    },
  });
  const { watches } = deps;
  if (watches) {
    for (const [name, help, read] of [
      [
        'polis_watch_dropped_slow_total',
        'Watchers dropped because they left more than POLIS_WATCH_BUFFER_BYTES unread.',
        () => watches.stats().droppedSlow,
      ],
      [
        'polis_watch_revoked_total',
        'Watches ended because their token, user or role binding no longer allowed them.',
        () => watches.stats().revoked,
      ],
      [
        'polis_watch_refused_total',
        'Watches refused with 429 because their user held POLIS_WATCH_MAX_PER_USER already.',
        () => watches.stats().refused,
      ],
    ] as const)
      new Counter({
        name,
        help,
        registers: [registry],
        collect() {
          this.reset();
          this.inc(read());
        },
      });
  }
  const { failedRequests } = deps;
  if (failedRequests) {
    new Counter({
      name: 'polis_audit_failed_requests_total',
      help: 'Failed requests (refused, invalid …) by whether the audit chain holds each one (recorded) or only their count in a summary entry (suppressed by the per-caller rate limit).',
      labelNames: ['recorded'] as const,
      registers: [registry],
      collect() {
        const c = failedRequests();
        this.reset();
        this.inc({ recorded: 'true' }, c.recorded);
        this.inc({ recorded: 'false' }, c.suppressed);
      },
    });
  }
  const { fencedWrites, leader } = deps;
  if (fencedWrites) {
    new Counter({
      name: 'polis_fenced_writes_total',
      help: 'Controller writes by outcome: committed within the lease term they carry, or refused (Fenced) because that term was over.',
      labelNames: ['outcome'] as const,
      registers: [registry],
      collect() {
        const c = fencedWrites();
        this.reset();
        this.inc({ outcome: 'committed' }, c.committed);
        this.inc({ outcome: 'refused' }, c.refused);
      },
    });
  }
  if (leader)
    gauge('polis_leader', 'Whether this replica leads (holds the controllers lease): 1 or 0.', () =>
      leader() ? 1 : 0,
    );
  const { delivery } = deps;
  if (delivery) {
    const counter = (name: string, help: string, read: () => number) =>
      new Counter({
        name,
        help,
        registers: [registry],
        collect() {
          this.reset();
          this.inc(read());
        },
      });
    counter(
      'polis_delivery_reconciles_total',
      'Application reconciles by the delivery controller.',
      () => delivery.reconciles,
    );
    new Counter({
      name: 'polis_delivery_reconciles_by_trigger_total',
      help: 'Application reconciles by what queued them (an application change, a resync, room freed, a timed recheck...).',
      labelNames: ['trigger'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const [trigger, n] of Object.entries(delivery.byTrigger)) this.inc({ trigger }, n);
      },
    });
    counter(
      'polis_delivery_status_writes_total',
      'Application status writes (only when status changed).',
      () => delivery.statusWrites,
    );
    counter(
      'polis_delivery_cluster_applies_total',
      'Applies of an application to one cluster.',
      () => delivery.applies,
    );
    counter(
      'polis_delivery_objects_changed_total',
      'Objects created or changed in clusters.',
      () => delivery.objectsChanged,
    );
    counter(
      'polis_delivery_errors_total',
      'Reconciles that failed and were retried with backoff.',
      () => delivery.errors,
    );
    counter(
      'polis_delivery_sharing_deferred_total',
      'Reconciles put off until the next paced fair-sharing decision of a contended estate.',
      () => delivery.sharingDeferred,
    );
  }
  const { deliveryQueued } = deps;
  if (deliveryQueued)
    gauge(
      'polis_delivery_queue_depth',
      'Application reconciles queued or running (0 once delivery has caught up with every change).',
      deliveryQueued,
    );
  const { deliveryScheduled } = deps;
  if (deliveryScheduled)
    gauge(
      'polis_delivery_rechecks_scheduled',
      'Application reconciles waiting on a timer (a paced fair-sharing decision, a timed recheck, a retry): work that comes without any change; delivery has settled when this and the queue depth are 0.',
      deliveryScheduled,
    );
  const { burst } = deps;
  if (burst) {
    const byDepartment = (name: string, help: string, read: (u: BurstUse) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['tenant'],
        registers: [registry],
        collect() {
          this.reset();
          for (const [tenant, u] of burst()) this.set({ tenant }, read(u));
        },
      });
    byDepartment('polis_burst_replicas', 'Replicas on burst (public) clusters, by department.', (u) => u.replicas);
    byDepartment(
      'polis_burst_cost_yuan_per_hour',
      'What the replicas on burst clusters cost per hour at the clusters’ prices, by department.',
      (u) => u.yuanPerHour,
    );
  }
  const { sharing } = deps;
  if (sharing) {
    // One report per scrape, shared by the three gauges.
    let report: Promise<readonly DepartmentUsage[]> | undefined;
    const read = () => (report ??= sharing().finally(() => setTimeout(() => (report = undefined), 0)));
    const perDepartment = (
      name: string,
      help: string,
      labelNames: readonly string[],
      fill: (g: Gauge, u: DepartmentUsage) => void,
    ) =>
      new Gauge({
        name,
        help,
        labelNames,
        registers: [registry],
        async collect() {
          const items = await read();
          this.reset();
          for (const u of items) fill(this, u);
        },
      });
    perDepartment(
      'polis_department_private_share_ratio',
      'Requests placed on private clusters over the department’s guarantee (quota), the larger of cpu and memory; 1 is the whole guarantee, above 1 it borrows. Absent without a guarantee.',
      ['tenant'],
      (g, u) => u.sharing.percent !== undefined && g.set({ tenant: u.tenant }, u.sharing.percent / 100),
    );
    perDepartment(
      'polis_department_borrowed_cpu_cores',
      'CPU cores a department holds on private clusters beyond its guarantee (borrowed idle capacity).',
      ['tenant'],
      (g, u) => g.set({ tenant: u.tenant }, u.sharing.borrowed.cpu),
    );
    perDepartment(
      'polis_department_held_back_replicas',
      'Replicas a department’s applications want that run nowhere because of its share, by reason (QuotaLimited, CapacityLimited).',
      ['tenant', 'reason'],
      (g, u) => {
        for (const [reason, n] of Object.entries(u.sharing.heldBack.byReason)) g.set({ tenant: u.tenant, reason }, n);
      },
    );
  }
  return {
    registry,
    observe(method: string, route: string, code: number, seconds: number): void {
      requests.inc({ method, route, code: String(code) });
      duration.observe({ method, route }, seconds);
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
