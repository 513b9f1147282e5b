import type { ClusterContext } from './cluster-context.ts';
import type { Workload } from './workload.ts';

/** One metrics-server scrape of an HPA's target in one cluster: its pods' CPU utilization and which pods were ready. */
export interface Scrape {
  readonly at: number;
  /** CPU used over CPU requested by the ready pods (1 = 100%); undefined when none was ready. */
  readonly utilization: number | undefined;
  readonly ready: ReadonlySet<string>;
}

/** What the HPA reads from the resource metrics API: the mean CPU utilization of the pods that have a sample. */
export interface PodMetrics {
  readonly utilization: number;
  readonly pods: ReadonlySet<string>;
  /** When the newer of the two scrapes it comes from was taken. */
  readonly at: number;
}

/** Scrapes the target's pods now, as metrics-server scrapes the kubelets. */
export function scrapeTarget(ctx: ClusterContext, target: Workload): Scrape {
  return {
    at: ctx.now(),
    utilization: ctx.load.utilization(target.namespace, target.component, ctx.name),
    ready: new Set(target.pods.filter((p) => p.ready).map((p) => p.name)),
  };
}

/**
 * metrics-server's answer from its last two scrapes. A pod's CPU is a rate of its cumulative usage between two
 * scrapes, so only a pod that was ready (serving, the only time a simulated pod uses CPU) at both has a sample; the
 * value is the mean of the two instants (the trapezoid rule over the window, as the sim's exposition integrates its
 * counters). Undefined before the second scrape or when no pod has a sample.
 */
export function podMetrics(previous: Scrape | undefined, latest: Scrape | undefined): PodMetrics | undefined {
  if (previous === undefined || latest === undefined) return undefined;
  if (previous.utilization === undefined || latest.utilization === undefined) return undefined;
  const pods = new Set([...latest.ready].filter((name) => previous.ready.has(name)));
  if (pods.size === 0) return undefined;
  return { utilization: (previous.utilization + latest.utilization) / 2, pods, at: latest.at };
}
