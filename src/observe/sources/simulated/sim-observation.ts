import type { SimCloud } from '../../../sim/index.ts';
import type { Series, SignalKind } from '../../demarcation/index.ts';
import { SIGNAL_KINDS } from '../../demarcation/index.ts';
import type { Observation } from '../../incidents/symptoms.ts';
import type { ObservedEdge } from '../../topology/topology.ts';

import type { ComponentOwner } from '../../topology/declared-apps.ts';

export type { ComponentOwner };
export type ComponentDirectory = (key: string) => ComponentOwner | undefined;

const DEMARCATION_SIGNALS = new Set<string>(SIGNAL_KINDS);

/**
 * What the simulated cloud's telemetry shows over `[fromS, toS]` (epoch seconds), as the incident engine reads it:
 * the components the directory knows (others are not polis's), their pods, nodes and clusters, the mesh's declared
 * calls, series, rollouts and warning events.
 */
export function simObservation(sim: SimCloud, fromS: number, toS: number, directory: ComponentDirectory): Observation {
  const t = sim.telemetry;
  const inv = t.inventory(fromS);
  const keys = new Set([...inv.components, ...sim.mesh.edges().flatMap((e) => [e.from, e.to])]);
  const components = [...keys].sort().flatMap((name) => {
    const o = directory(name);
    return o ? [{ name, ...o }] : [];
  });
  const known = new Set(components.map((c) => c.name));
  const pods = inv.pods
    .filter((p) => known.has(p.component))
    .map((p) => ({ name: p.name, component: p.component, node: p.node }));
  const podNames = new Set(pods.map((p) => p.name));
  const series: Series[] = [];
  for (const s of t.series(fromS, toS)) {
    if (!DEMARCATION_SIGNALS.has(s.signal)) continue;
    if ((s.on === 'component' && !known.has(s.name)) || (s.on === 'pod' && !podNames.has(s.name))) continue;
    series.push({
      on: s.on,
      name: s.name,
      signal: s.signal as SignalKind,
      ...(s.quantile !== undefined ? { quantile: s.quantile } : {}),
      ...(s.peer !== undefined ? { peer: s.peer } : {}),
      points: s.points.map(([a, b]) => [a, b] as [number, number]),
    });
  }
  return {
    clusters: sim.clusters().map((c) => ({ name: c.name, vendor: c.spec.vendor, region: c.spec.region })),
    nodes: inv.nodes,
    components,
    pods,
    edges: sim.mesh
      .edges()
      .filter((e) => known.has(e.from) && known.has(e.to))
      .map((e) => ({ from: e.from, to: e.to })),
    series,
    changes: t.changes(fromS, toS).filter((c) => known.has(c.component)),
    events: t
      .events(fromS, toS)
      .filter((e) => e.type === 'Warning')
      .map(({ at, on, name, reason }) => ({ at, on, name, reason })),
  };
}

/** The calls the simulated mesh saw last (its outbound series), as observed topology edges. */
export function simObservedEdges(sim: SimCloud, atS: number): ObservedEdge[] {
  const acc = new Map<string, { from: string; to: string; rps: number; errorRate?: number; p50Ms?: number }>();
  for (const s of sim.telemetry.series(atS - 60, atS)) {
    if (s.on !== 'component' || s.peer === undefined || s.points.length === 0) continue;
    const k = `${s.name}>${s.peer}`;
    const e = acc.get(k) ?? acc.set(k, { from: s.name, to: s.peer, rps: 0 }).get(k)!;
    const v = s.points[s.points.length - 1]![1];
    if (s.signal === 'outboundRequests') e.rps = v;
    else if (s.signal === 'outboundErrors') e.errorRate = v;
    else if (s.signal === 'outboundLatency' && s.quantile === 0.5) e.p50Ms = v * 1000;
  }
  return [...acc.values()];
}

/** The simulated mesh's calls between components over [fromS, toS], per edge (for counting a shared API's calls). */
export function simCallSeries(
  sim: SimCloud,
): (fromS: number, toS: number) => Array<{ from: string; to: string; points: Array<[number, number]> }> {
  return (fromS, toS) =>
    sim.telemetry
      .series(fromS, toS)
      .filter((s) => s.on === 'component' && s.peer !== undefined && s.signal === 'outboundRequests')
      .map((s) => ({ from: s.name, to: s.peer!, points: s.points.map(([a, b]) => [a, b] as [number, number]) }));
}

/**
 * Memory used now by each component's ready pods, per cluster (`namespace/component` NUL cluster → bytes), from one
 * snapshot of the simulated mesh (its pods' resting memory plus any leak a fault injects): what metering records.
 */
export function simMemoryUse(sim: SimCloud): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of sim.mesh.snapshot().pods) {
    if (!p.ready) continue;
    const k = `${p.component}\u0000${p.cluster}`;
    out.set(k, (out.get(k) ?? 0) + p.memoryBytes);
  }
  return out;
}
