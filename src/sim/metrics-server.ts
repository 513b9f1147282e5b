import type { ClusterContext } from './cluster-context.ts';
import type { Workload } from './workload.ts';

/** How often the kubelet's CPU counters are integrated between scrapes (the counter itself is exact). */
export const USAGE_SAMPLE_MS = 1000;

/** One metrics-server scrape of an HPA's target in one cluster: its pods' CPU utilization and which pods were ready. */
export interface Scrape {
  readonly at: number;
  /**
   * CPU used over CPU requested by the ready pods (1 = 100%), averaged over the window since the scrape before (the
   * rate of the cumulative counter); undefined when no pod was ready in it.
   */
  readonly utilization: number | undefined;
  readonly ready: ReadonlySet<string>;
}

/** The CPU integrated since the last scrape: one sample every USAGE_SAMPLE_MS while a pod is ready. */
export interface UsageWindow {
  sum: number;
  samples: number;
}

/** What the HPA reads from the resource metrics API: the mean CPU utilization of the pods that have a sample. */
export interface PodMetrics {
  readonly utilization: number;
  readonly pods: ReadonlySet<string>;
  /** When the newer of the two scrapes it comes from was taken. */
  readonly at: number;
}

/** Adds the target's present CPU utilization to the window (the kubelet's counter keeps counting). */
export function sampleUsage(ctx: ClusterContext, target: Workload, window: UsageWindow): void {
  const u = ctx.load.utilization(target.namespace, target.component, ctx.name);
  if (u === undefined) return;
  window.sum += u;
  window.samples++;
}

/** Scrapes the target's pods now, as metrics-server scrapes the kubelets, and starts a new window. */
export function scrapeTarget(ctx: ClusterContext, target: Workload, window: UsageWindow): Scrape {
  const scrape = {
    at: ctx.now(),
    utilization: window.samples > 0 ? window.sum / window.samples : undefined,
    ready: new Set(target.pods.filter((p) => p.ready).map((p) => p.name)),
  };
  window.sum = 0;
  window.samples = 0;
  return scrape;
}

/**
 * metrics-server's answer from its last two scrapes. A pod's CPU is the rate of its cumulative usage between two
 * scrapes, so only a pod that was ready (serving, the only time a simulated pod uses CPU) at both has a sample; the
 * value is the mean utilization over that window. Undefined before the second scrape or when no pod has a sample.
 */
export function podMetrics(previous: Scrape | undefined, latest: Scrape | undefined): PodMetrics | undefined {
  if (previous === undefined || latest === undefined) return undefined;
  if (latest.utilization === undefined) return undefined;
  const pods = new Set([...latest.ready].filter((name) => previous.ready.has(name)));
  if (pods.size === 0) return undefined;
  return { utilization: latest.utilization, pods, at: latest.at };
}
