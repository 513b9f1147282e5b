import type { CapacitySample, MeterSample } from '../../resources/ledger-store.ts';

const MIB = 1024 * 1024;

/** One application as metering reads it (pure input). */
export interface MeteredApplication {
  readonly tenant: string;
  readonly app: string;
  /** Per component: one replica's requests and limits (0: unlimited), and the storage it claims per cluster. */
  readonly components: Readonly<
    Record<
      string,
      {
        readonly cpuRequest: number;
        readonly memRequest: number;
        readonly cpuLimit: number;
        readonly memLimit: number;
        readonly storageBytes: number;
      }
    >
  >;
  /** status.placement: replicas per component per cluster. */
  readonly placement: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** Measured use of one component on one cluster, over all its replicas there (absent: not measured). */
export interface MeasuredUse {
  readonly cpuMilli?: number;
  readonly memoryBytes?: number;
}

export function useKey(tenant: string, app: string, component: string, cluster: string): string {
  return `${tenant}\u0000${app}\u0000${component}\u0000${cluster}`;
}

/**
 * The meter's samples at one instant (pure): per component and cluster, the replicas placement runs there, their
 * requests and limits, and measured use (unmeasured use counts 0, so max(request, usage) is the request). Replicas
 * on clusters not in `metered` (unknown or Unreachable: their pods may be gone, their replacements run elsewhere)
 * are not metered. Storage counts once per component and cluster where it runs. Integers: millicores and MiB.
 */
export function meterSamples(
  apps: readonly MeteredApplication[],
  use: ReadonlyMap<string, MeasuredUse>,
  metered: ReadonlySet<string>,
): MeterSample[] {
  const out: MeterSample[] = [];
  for (const a of apps) {
    for (const [component, perCluster] of Object.entries(a.placement)) {
      const c = a.components[component];
      if (!c) continue;
      for (const [cluster, n] of Object.entries(perCluster)) {
        if (!(n > 0) || !metered.has(cluster)) continue;
        const u = use.get(useKey(a.tenant, a.app, component, cluster));
        const cpuRequest = Math.round(c.cpuRequest * n);
        const memRequest = Math.round((c.memRequest * n) / MIB);
        const cpuUsage = Math.max(0, Math.round(u?.cpuMilli ?? 0));
        const memUsage = Math.max(0, Math.round((u?.memoryBytes ?? 0) / MIB));
        out.push({
          tenant: a.tenant,
          app: a.app,
          component,
          cluster,
          replicas: n,
          cpuRequest,
          cpuLimit: Math.round(c.cpuLimit * n),
          cpuUsage,
          // Usage is measured over the replicas together: the larger of the two totals.
          cpuMax: Math.max(cpuRequest, cpuUsage),
          memRequest,
          memLimit: Math.round((c.memLimit * n) / MIB),
          memUsage,
          memMax: Math.max(memRequest, memUsage),
          storage: Math.round(c.storageBytes / MIB),
        });
      }
    }
  }
  return out;
}

/** Clusters' allocatable capacity as capacity samples (millicores, MiB). */
export function capacitySamples(
  clusters: readonly { readonly name: string; readonly cpuMilli: number; readonly memoryBytes: number }[],
): CapacitySample[] {
  return clusters.map((c) => ({ cluster: c.name, cpu: Math.round(c.cpuMilli), mem: Math.round(c.memoryBytes / MIB) }));
}
