import type { StoredObject } from '../../resources/envelope.ts';
import type { Store } from '../../resources/store.ts';
import { namespaceOf } from '../../delivery/namespace.ts';
import type { MetricsSource } from '../metrics-source.ts';
import type { SampleSink, SignalWindows } from './signal-windows.ts';
import type { AlertSignal, AlertTarget, SeriesLabels } from './signals.ts';
import { seriesKey } from './signals.ts';
import { sloTargets } from './slo-policy.ts';
import { slicer } from '../../kernel/loop-slices.ts';

/** What the collector reads besides the store: the metrics seam, and the delivery controller's burst use. */
export interface CollectorDeps {
  readonly store: Pick<Store, 'list'>;
  /**
   * Every application as the collector reads it (alertApp), from an index kept from the change feed (main.ts), so
   * a round over 10,000 applications parses none of them. Absent: listed from the store each round.
   */
  readonly applications?: () => Promise<Iterable<AlertApp>>;
  readonly metrics?: MetricsSource;
  /** Cost per hour on burst clusters, by department (DeliveryController.burstByDepartment). */
  readonly burst?: () => ReadonlyMap<string, { readonly yuanPerHour: number }>;
  /** Each department's quota and what it has placed (the usage report: cores, bytes), for quota use. */
  readonly usage?: () => Promise<
    ReadonlyArray<{
      readonly tenant: string;
      readonly quota: { readonly cpu?: number; readonly memory?: number };
      readonly placed: { readonly cpu: number; readonly memory: number };
    }>
  >;
}

interface StatusLike {
  readonly placement?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly components?: ReadonlyArray<{
    readonly name: string;
    readonly desiredReplicas?: number;
    readonly workload?: string;
    readonly runs?: { readonly lastResult?: string };
    readonly clusters?: ReadonlyArray<{ readonly phase?: string; readonly reason?: string }>;
    /** Set by alertApp: a cluster reports the component's pods in CrashLoopBackOff (not Running). */
    readonly crashing?: boolean;
  }>;
  readonly crashLoops?: ReadonlyArray<{ readonly component: string; readonly movedAt?: string }>;
  readonly saturation?: Readonly<Record<string, unknown>>;
}

/** What alert collection reads of one application: a few fields, not the stored object. */
export interface AlertApp {
  readonly tenant: string;
  readonly name: string;
  readonly namespace: string;
  readonly slos: ReturnType<typeof sloTargets>;
  readonly status: StatusLike;
}

/** The part of an application the collector reads (pure; what an index keeps of each application). */
export function alertApp(app: StoredObject): AlertApp {
  const tenant = app.metadata.tenant ?? '';
  const s = (app.status ?? {}) as StatusLike;
  // Only the fields read, copied: the rest of the status (conditions, messages) is not kept alive by an index.
  const status: StatusLike = {
    ...(s.placement ? { placement: s.placement } : {}),
    ...(s.components
      ? {
          components: s.components.map((c) => ({
            name: c.name,
            ...(c.desiredReplicas === undefined ? {} : { desiredReplicas: c.desiredReplicas }),
            ...(c.workload === undefined ? {} : { workload: c.workload }),
            ...(c.runs?.lastResult === undefined ? {} : { runs: { lastResult: c.runs.lastResult } }),
            ...(crashingIn(c.clusters) ? { crashing: true } : {}),
          })),
        }
      : {}),
    ...(s.crashLoops ? { crashLoops: s.crashLoops.map((c) => ({ component: c.component, movedAt: c.movedAt })) } : {}),
    ...(s.saturation
      ? { saturation: Object.fromEntries(Object.keys(s.saturation).map((k) => [k, Boolean(s.saturation![k])])) }
      : {}),
  };
  return {
    tenant,
    name: app.metadata.name,
    namespace: namespaceOf(tenant, app.metadata.name, app.status),
    slos: sloTargets(app.spec as Parameters<typeof sloTargets>[0]),
    status,
  };
}

/**
 * Whether a cluster reports the component crash-looping: its workload not Running, for CrashLoopBackOff (the status
 * the delivery controller keeps from each cluster's report, as kube-state-metrics' waiting reason). Read from the
 * status as observed, not from the failover's crash-loop records: those are written only when the application is
 * next reconciled (a loop could wait minutes for one), and a component moved off the cluster is no longer there.
 */
function crashingIn(
  clusters: ReadonlyArray<{ readonly phase?: string; readonly reason?: string }> | undefined,
): boolean {
  return (clusters ?? []).some((x) => x.reason === 'CrashLoopBackOff' && x.phase !== 'Running');
}

const HOUR = 3_600_000;
/** Applications sampled together (concurrently) between two checks of the slice's time. */
const APPS_PER_GROUP = 64;

async function listAll(store: Pick<Store, 'list'>, kind: string): Promise<StoredObject[]> {
  const out: StoredObject[] = [];
  let cont: string | undefined;
  do {
    const page = await store.list({ kind, limit: 1000, continue: cont });
    out.push(...page.items);
    cont = page.continue;
  } while (cont);
  return out;
}

/**
 * Samples every signal alert rules read (signals.ts) into `sink` at `now`, and returns the targets found:
 * each placed component of each application (with its clusters and objectives), each cluster, each ready node of a
 * reachable cluster, each department.
 * Effectful shell around the pure evaluation: a signal it cannot read is simply not sampled.
 */
export async function collectSignals(
  deps: CollectorDeps,
  sink: SampleSink & Partial<SignalWindows>,
  now: number,
): Promise<AlertTarget[]> {
  const targets: AlertTarget[] = [];
  const put = (signal: AlertSignal, labels: SeriesLabels, v: number | undefined) => {
    if (v !== undefined && Number.isFinite(v)) sink.record(seriesKey(signal, labels), now, v);
  };
  const [apps, clusters, tenants] = await Promise.all([
    deps.applications ? deps.applications() : listAll(deps.store, 'Application').then((all) => all.map(alertApp)),
    listAll(deps.store, 'Cluster'),
    listAll(deps.store, 'Tenant'),
  ]);
  const sampleApp = async ({ tenant, name, namespace, slos, status }: AlertApp): Promise<void> => {
    const crash = new Set((status.crashLoops ?? []).filter((c) => !c.movedAt).map((c) => c.component));
    for (const c of status.components ?? []) if (c.crashing || crashingIn(c.clusters)) crash.add(c.name);
    for (const c of status.components ?? []) {
      const labels = { tenant, app: name, component: c.name };
      const placed = status.placement?.[c.name] ?? {};
      const clustersOf = Object.keys(placed).filter((k) => (placed[k] ?? 0) > 0);
      const slo = slos.get(c.name);
      targets.push({ scope: 'component', labels, clusters: clustersOf, ...(slo ? { slo } : {}) });
      if (c.workload === 'Job' || c.workload === 'CronJob') {
        put('jobFailed', labels, c.runs?.lastResult === undefined ? undefined : c.runs.lastResult === 'Failed' ? 1 : 0);
        continue;
      }
      put('crashLooping', labels, crash.has(c.name) ? 1 : 0);
      put('saturated', labels, status.saturation?.[c.name] ? 1 : 0);
      if (!deps.metrics || (c.desiredReplicas ?? 0) === 0) continue;
      const s = await deps.metrics.signals({ tenant, app: name, namespace, component: c.name });
      if (!s) continue;
      put('readyPods', labels, s.readyPods);
      put('cpuUtilization', labels, s.cpuUtilization);
      put('latencyP99Ms', labels, s.latencyP99Ms);
      put('memoryOfLimit', labels, s.memoryOfLimit);
      put('cpuThrottled', labels, s.cpuThrottled);
      const rps = s.requestsPerSecond;
      if (rps !== undefined && rps > 0) {
        put('requestsPerSecond', labels, rps);
        if (s.errorRatio !== undefined) {
          put('errorRatio', labels, s.errorRatio);
          put('errorsPerSecond', labels, rps * s.errorRatio);
        }
        if (slo && s.latencyP99Ms !== undefined)
          put('slowSample', labels, s.latencyP99Ms > slo.latency.thresholdMs ? 1 : 0);
      } else if (s.readyPods === 0 && (c.desiredReplicas ?? 0) > 0) {
        // Nothing serves and the source saw no requests (Prometheus: none reach it). No traffic seen is not "all
        // good": the load it should take fails, estimated as what it took over the last hour (kept so while it
        // fails), at least one request a second. The simulated source reports that load itself, failing.
        const usual = sink.aggregate?.(seriesKey('requestsPerSecond', labels), HOUR, 'avg', now);
        const should = Math.max(1, usual ?? 0);
        put('requestsPerSecond', labels, should);
        put('errorsPerSecond', labels, should);
      }
    }
  };
  // The applications in groups, yielding to the event loop between slices: ten thousand of them sampled at once
  // would hold every API request for the whole pass.
  const slice = slicer();
  const appList = [...apps];
  for (let i = 0; i < appList.length; i += APPS_PER_GROUP) {
    await Promise.all(appList.slice(i, i + APPS_PER_GROUP).map(sampleApp));
    await slice();
  }
  const nodeCpu = deps.metrics?.nodeCpu
    ? await deps.metrics.nodeCpu().catch(() => new Map<string, number>())
    : undefined;
  const nodes = deps.metrics?.nodes ? await deps.metrics.nodes().catch(() => []) : [];
  const nodesOf = Map.groupBy(nodes, (n) => n.cluster);
  for (const cl of clusters) {
    const labels = { cluster: cl.metadata.name };
    const st = (cl.status ?? {}) as {
      health?: string;
      nodes?: { total: number; ready: number };
      requested?: { cpuMilli: number; memoryBytes: number };
      allocatable?: { cpuMilli: number; memoryBytes: number };
    };
    targets.push({ scope: 'cluster', labels });
    if (st.health && st.health !== 'Unknown') put('clusterUnreachable', labels, st.health === 'Unreachable' ? 1 : 0);
    if (st.nodes && st.health !== 'Unreachable') put('nodesNotReady', labels, st.nodes.total - st.nodes.ready);
    if (st.health !== 'Unreachable') {
      put('nodeCpuMax', labels, nodeCpu?.get(cl.metadata.name));
      // Each ready node of a registered cluster: its CPU and its pods' (a cluster gone or unreachable has none).
      for (const n of nodesOf.get(cl.metadata.name) ?? []) {
        const at = { cluster: cl.metadata.name, node: n.node };
        targets.push({ scope: 'node', labels: at });
        put('nodeCpu', at, n.cpu);
        put('nodePodsCpu', at, n.podsCpu);
      }
    }
    if (st.requested && st.allocatable) {
      if (st.allocatable.cpuMilli > 0)
        put('clusterCpuRequested', labels, st.requested.cpuMilli / st.allocatable.cpuMilli);
      if (st.allocatable.memoryBytes > 0)
        put('clusterMemoryRequested', labels, st.requested.memoryBytes / st.allocatable.memoryBytes);
    }
  }
  const usage = new Map((deps.usage ? await deps.usage().catch(() => []) : []).map((u) => [u.tenant, u]));
  const burst = deps.burst?.();
  for (const t of tenants) {
    const tenant = t.metadata.name;
    const labels = { tenant };
    const spec = (t.spec ?? {}) as { burst?: { budgetYuanPerHour?: number } };
    targets.push({ scope: 'department', labels });
    const use = usage.get(tenant);
    if (use?.quota.cpu) put('quotaCpuUsed', labels, use.placed.cpu / use.quota.cpu);
    if (use?.quota.memory) put('quotaMemoryUsed', labels, use.placed.memory / use.quota.memory);
    const budget = spec.burst?.budgetYuanPerHour;
    if (budget !== undefined && budget > 0)
      put('burstBudgetUsed', labels, (burst?.get(tenant)?.yuanPerHour ?? 0) / budget);
  }
  return targets;
}
