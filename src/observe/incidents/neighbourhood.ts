import type { DemarcationInput } from '../demarcation/index.ts';
import type { Observation, Symptom } from './symptoms.ts';

/** A subject key: `component:ns/app`, `node:n1`, `cluster:c1`. */
export type SubjectKey = string;

export const keyOf = (s: { on: string; name: string }): SubjectKey => `${s.on}:${s.name}`;

/**
 * The shape of the city at one evaluation: who calls whom, which pods run where. Everything the grouping and the
 * recording of an incident's input need, built once per evaluation.
 */
export class CityGraph {
  private readonly callees = new Map<string, Set<string>>();
  private readonly callers = new Map<string, Set<string>>();
  private readonly nodesOf = new Map<string, Set<string>>();
  private readonly componentsOn = new Map<string, Set<string>>();
  private readonly clusterOf = new Map<string, string>();
  private readonly nodesIn = new Map<string, Set<string>>();

  constructor(obs: Observation) {
    const put = (m: Map<string, Set<string>>, k: string, v: string): void => {
      (m.get(k) ?? m.set(k, new Set()).get(k)!).add(v);
    };
    for (const e of obs.edges) {
      if (e.from === e.to) continue;
      put(this.callees, e.from, e.to);
      put(this.callers, e.to, e.from);
    }
    for (const n of obs.nodes) {
      this.clusterOf.set(n.name, n.cluster);
      put(this.nodesIn, n.cluster, n.name);
    }
    for (const p of obs.pods)
      if (p.node !== undefined) {
        put(this.nodesOf, p.component, p.node);
        put(this.componentsOn, p.node, p.component);
      }
  }

  /** Components reachable from `c` along calls in one direction. */
  private closure(c: string, next: Map<string, Set<string>>): Set<string> {
    const seen = new Set<string>([c]);
    const stack = [c];
    while (stack.length > 0)
      for (const d of next.get(stack.pop()!) ?? [])
        if (!seen.has(d)) {
          seen.add(d);
          stack.push(d);
        }
    return seen;
  }

  /**
   * What a subject is related to: a component to every component upstream or downstream of it and to the nodes
   * and clusters it runs on; a node to the components on it, their callers, and its cluster; a cluster to its
   * nodes and what runs on them.
   */
  related(on: string, name: string): Set<SubjectKey> {
    const out = new Set<SubjectKey>();
    const component = (c: string, withCallees: boolean): void => {
      for (const x of this.closure(c, this.callers)) out.add(`component:${x}`);
      if (withCallees) for (const x of this.closure(c, this.callees)) out.add(`component:${x}`);
      for (const n of this.nodesOf.get(c) ?? []) {
        out.add(`node:${n}`);
        const cl = this.clusterOf.get(n);
        if (cl !== undefined) out.add(`cluster:${cl}`);
      }
    };
    const node = (n: string): void => {
      out.add(`node:${n}`);
      const cl = this.clusterOf.get(n);
      if (cl !== undefined) out.add(`cluster:${cl}`);
      for (const c of this.componentsOn.get(n) ?? []) component(c, false);
    };
    if (on === 'component') component(name, true);
    else if (on === 'node') node(name);
    else {
      out.add(`cluster:${name}`);
      for (const n of this.nodesIn.get(name) ?? []) node(n);
    }
    return out;
  }

  /** Components an incident's input must hold: the related ones, and every component sharing a node with them. */
  neighbourhood(symptoms: readonly Symptom[]): { components: Set<string>; nodes: Set<string>; clusters: Set<string> } {
    const components = new Set<string>();
    const nodes = new Set<string>();
    const clusters = new Set<string>();
    for (const s of symptoms)
      for (const k of this.related(s.on, s.name)) {
        const [on, name] = [k.slice(0, k.indexOf(':')), k.slice(k.indexOf(':') + 1)];
        if (on === 'component') components.add(name);
        else if (on === 'node') nodes.add(name);
        else clusters.add(name);
      }
    for (const c of [...components])
      for (const n of this.nodesOf.get(c) ?? []) {
        nodes.add(n);
        for (const other of this.componentsOn.get(n) ?? []) components.add(other);
      }
    for (const n of nodes) {
      const cl = this.clusterOf.get(n);
      if (cl !== undefined) clusters.add(cl);
    }
    return { components, nodes, clusters };
  }
}

/** Four significant digits: what the incident records (and replays) of a series value. */
function round(v: number | null): number | null {
  return v === null || !Number.isFinite(v) ? null : Number(v.toPrecision(4));
}

/**
 * The demarcation input an incident records: its neighbourhood's inventory, edges, series from `fromS`, changes and
 * events, rounded so the record stays small; sorted so the same observation records the same bytes.
 */
export function recordInput(
  obs: Observation,
  graph: CityGraph,
  symptoms: readonly Symptom[],
  at: number,
  fromS: number,
  toS: number,
): DemarcationInput {
  const hood = graph.neighbourhood(symptoms);
  const pods = obs.pods.filter((p) => hood.components.has(p.component));
  const podNames = new Set(pods.map((p) => p.name));
  const keep = (on: string, name: string): boolean =>
    on === 'component'
      ? hood.components.has(name)
      : on === 'pod'
        ? podNames.has(name)
        : on === 'node'
          ? hood.nodes.has(name)
          : hood.clusters.has(name);
  const byName = <T extends { name: string }>(a: T, b: T): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return {
    at,
    clusters: obs.clusters.filter((c) => hood.clusters.has(c.name)).sort(byName),
    nodes: obs.nodes.filter((n) => hood.nodes.has(n.name)).sort(byName),
    components: obs.components.filter((c) => hood.components.has(c.name)).sort(byName),
    pods: [...pods].sort(byName),
    edges: obs.edges
      .filter((e) => hood.components.has(e.from) && hood.components.has(e.to))
      .sort((a, b) => (a.from + '>' + a.to < b.from + '>' + b.to ? -1 : 1)),
    series: obs.series
      .filter((s) => keep(s.on, s.name))
      .map((s) => ({
        ...s,
        points: s.points
          .filter((p) => p[0] >= fromS && p[0] <= toS)
          .sort((a, b) => a[0] - b[0])
          .map(([t, v]) => [t, round(v)] as [number, number | null]),
      }))
      .filter((s) => s.points.length > 0),
    changes: obs.changes.filter((c) => hood.components.has(c.component) && c.at >= fromS && c.at <= toS),
    events: obs.events.filter((e) => keep(e.on, e.name) && e.at >= fromS && e.at <= toS),
  };
}
