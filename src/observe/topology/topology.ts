/**
 * The service graph of applications, within one and across them: nodes are components (`namespace/component`),
 * edges caller → callee from what the applications declare (service references in env, `dependsOn`, marketplace
 * bindings) and from observed traffic (Istio's `istio_requests_total`, OpenTelemetry's service-graph metrics, the
 * simulated cloud's call series), each edge with its rate, errors and latency where observed. Pure functions.
 */

export interface TopologyNode {
  /** `namespace/component`. */
  readonly id: string;
  readonly department: string;
  readonly application: string;
  readonly component: string;
  /** Set for a shared marketplace instance: who published it. */
  readonly publisher?: string;
}

export type EdgeSource = 'env' | 'dependsOn' | 'binding' | 'traffic';

export interface TopologyEdge {
  readonly from: string;
  readonly to: string;
  readonly sources: readonly EdgeSource[];
  /** Observed: requests per second, share failing, median latency (ms). */
  readonly rps?: number;
  readonly errorRate?: number;
  readonly p50Ms?: number;
}

export interface Topology {
  readonly nodes: readonly TopologyNode[];
  readonly edges: readonly TopologyEdge[];
}

/** An application as the graph reads it: where it runs and its components' declarations. */
export interface DeclaredApp {
  readonly department: string;
  readonly application: string;
  readonly namespace: string;
  readonly publisher?: string;
  readonly components: readonly {
    readonly name: string;
    readonly properties?: Record<string, unknown>;
    readonly traits?: readonly { readonly type: string; readonly properties?: Record<string, unknown> }[];
    readonly dependsOn?: readonly string[];
  }[];
}

/** A binding of an application to another's service (a marketplace instance): every component may call it. */
export interface DeclaredBinding {
  readonly namespace: string;
  readonly application: string;
  readonly to: string;
}

/** An observed edge: the latest rates of calls from one component to another. */
export interface ObservedEdge {
  readonly from: string;
  readonly to: string;
  readonly rps: number;
  readonly errorRate?: number;
  readonly p50Ms?: number;
}

const byId = <T extends { id: string }>(a: T, b: T): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const edgeKey = (e: { from: string; to: string }): string => `${e.from}>${e.to}`;

/** Every component of the applications, as graph nodes. */
export function nodesOf(apps: readonly DeclaredApp[]): TopologyNode[] {
  return apps
    .flatMap((a) =>
      a.components.map((c) => ({
        id: `${a.namespace}/${c.name}`,
        department: a.department,
        application: a.application,
        component: c.name,
        ...(a.publisher !== undefined ? { publisher: a.publisher } : {}),
      })),
    )
    .sort(byId);
}

/** The strings of a component's environment: `properties.env` (KubeVela's list or a map) and `env` traits. */
function envValues(c: DeclaredApp['components'][number]): string[] {
  const out: string[] = [];
  const take = (env: unknown): void => {
    if (Array.isArray(env)) {
      for (const e of env)
        if (e && typeof e === 'object' && typeof (e as { value?: unknown }).value === 'string')
          out.push((e as { value: string }).value);
    } else if (env && typeof env === 'object')
      for (const v of Object.values(env)) if (typeof v === 'string') out.push(v);
  };
  take(c.properties?.env);
  for (const t of c.traits ?? []) if (t.type === 'env') take(t.properties?.env);
  return out;
}

/**
 * What one application's declarations may make an edge of, decided by the application alone: from a component, to
 * `service.namespace` when that namespace holds an application, else to its own component of that name. Kept per
 * application object (readonly, replaced when the application changes), so a graph over 10,000 applications every
 * 15 s (the incident scrape's declared calls) reads each one's environment once, not every time: that scan (and a
 * sort of every component it did not need) held the event loop in one block every scrape while the API served
 * (10,000 applications: 210-340 ms at load average 21 on 2 cores; 14-80 ms with the candidates kept).
 */
interface EdgeCandidate {
  readonly from: string;
  readonly source: EdgeSource;
  /** `service.namespace`: the namespace, and the edge's end when an application runs there. */
  readonly ns?: string;
  readonly nsTarget?: string;
  /** The application's own component of that name (another than `from`'s). */
  readonly own?: string;
}

const candidateMemo = new WeakMap<DeclaredApp, readonly EdgeCandidate[]>();

function edgeCandidates(a: DeclaredApp): readonly EdgeCandidate[] {
  const kept = candidateMemo.get(a);
  if (kept !== undefined) return kept;
  const out: EdgeCandidate[] = [];
  for (const c of a.components) {
    const from = `${a.namespace}/${c.name}`;
    for (const value of envValues(c))
      for (const token of value.toLowerCase().match(/[a-z0-9][a-z0-9.-]*/g) ?? []) {
        const parts = token.split('.');
        const [svc, ns] = [parts[0]!, parts[1]];
        const own = a.components.some((x) => x.name === svc && x.name !== c.name) ? `${a.namespace}/${svc}` : undefined;
        if (ns === undefined && own === undefined) continue;
        out.push({ from, source: 'env', ns, nsTarget: ns === undefined ? undefined : `${ns}/${svc}`, own });
      }
    for (const d of c.dependsOn ?? []) out.push({ from, source: 'dependsOn', own: `${a.namespace}/${d}` });
  }
  candidateMemo.set(a, out);
  return out;
}

/**
 * Edges the applications declare: a value in a component's environment that names another component
 * (`signer:7000`, `http://query.hrss-social-security:8080`, `query.ns.svc.cluster.local`), its `dependsOn`, and
 * the bindings given. A name is matched against the application's own components first, then `service.namespace`.
 */
export function declaredEdges(apps: readonly DeclaredApp[], bindings: readonly DeclaredBinding[] = []): TopologyEdge[] {
  const known = new Set<string>();
  for (const a of apps) for (const c of a.components) known.add(`${a.namespace}/${c.name}`);
  const namespaces = new Set(apps.map((a) => a.namespace));
  const edges = new Map<string, { from: string; to: string; sources: Set<EdgeSource> }>();
  const add = (from: string, to: string, source: EdgeSource): void => {
    if (from === to || !known.has(from) || !known.has(to)) return;
    const k = edgeKey({ from, to });
    const e = edges.get(k) ?? edges.set(k, { from, to, sources: new Set() }).get(k)!;
    e.sources.add(source);
  };
  for (const a of apps)
    for (const e of edgeCandidates(a)) {
      if (e.ns !== undefined && namespaces.has(e.ns)) add(e.from, e.nsTarget!, e.source);
      else if (e.own !== undefined) add(e.from, e.own, e.source);
    }
  for (const b of bindings) {
    const app = apps.find((a) => a.namespace === b.namespace && a.application === b.application);
    for (const c of app?.components ?? []) add(`${b.namespace}/${c.name}`, b.to, 'binding');
  }
  return [...edges.values()]
    .map((e) => ({ from: e.from, to: e.to, sources: [...e.sources].sort() }))
    .sort((a, b) => (edgeKey(a) < edgeKey(b) ? -1 : 1));
}

/** One sample of an instant vector: its labels and value (Prometheus's `/api/v1/query` result). */
export interface VectorSample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/**
 * Edges from Istio's `sum by (source_workload_namespace, source_workload, destination_workload_namespace,
 * destination_workload, response_code) (rate(istio_requests_total[1m]))`: rate, and the share of 5xx.
 */
export function edgesFromIstio(samples: readonly VectorSample[]): ObservedEdge[] {
  const acc = new Map<string, { from: string; to: string; rps: number; failed: number }>();
  for (const s of samples) {
    const l = s.labels;
    if (!l.source_workload || !l.destination_workload) continue;
    const from = `${l.source_workload_namespace ?? ''}/${l.source_workload}`;
    const to = `${l.destination_workload_namespace ?? ''}/${l.destination_workload}`;
    const k = edgeKey({ from, to });
    const e = acc.get(k) ?? acc.set(k, { from, to, rps: 0, failed: 0 }).get(k)!;
    e.rps += s.value;
    if ((l.response_code ?? '').startsWith('5')) e.failed += s.value;
  }
  return [...acc.values()].map((e) => ({
    from: e.from,
    to: e.to,
    rps: e.rps,
    errorRate: e.rps > 0 ? e.failed / e.rps : 0,
  }));
}

/**
 * Edges from OpenTelemetry's service-graph connector: `rate(traces_service_graph_request_total[1m])` and
 * `rate(traces_service_graph_request_failed_total[1m])` by `client`, `server` (service names as `namespace/name`).
 */
export function edgesFromServiceGraph(total: readonly VectorSample[], failed: readonly VectorSample[]): ObservedEdge[] {
  const fail = new Map(
    failed.map((s) => [edgeKey({ from: s.labels.client ?? '', to: s.labels.server ?? '' }), s.value]),
  );
  return total
    .filter((s) => s.labels.client && s.labels.server)
    .map((s) => {
      const from = s.labels.client!;
      const to = s.labels.server!;
      return { from, to, rps: s.value, errorRate: s.value > 0 ? (fail.get(edgeKey({ from, to })) ?? 0) / s.value : 0 };
    });
}

/** Declared and observed edges together; an observed edge between known components adds its figures. */
export function buildTopology(
  nodes: readonly TopologyNode[],
  declared: readonly TopologyEdge[],
  observed: readonly ObservedEdge[],
): Topology {
  const known = new Set(nodes.map((n) => n.id));
  const edges = new Map<string, TopologyEdge>(declared.map((e) => [edgeKey(e), e]));
  for (const o of observed) {
    if (!known.has(o.from) || !known.has(o.to)) continue;
    const k = edgeKey(o);
    const had = edges.get(k);
    edges.set(k, {
      from: o.from,
      to: o.to,
      sources: [...new Set([...(had?.sources ?? []), 'traffic' as const])].sort(),
      rps: o.rps,
      ...(o.errorRate !== undefined ? { errorRate: o.errorRate } : {}),
      ...(o.p50Ms !== undefined ? { p50Ms: o.p50Ms } : {}),
    });
  }
  return {
    nodes: [...nodes].sort(byId),
    edges: [...edges.values()].sort((a, b) => (edgeKey(a) < edgeKey(b) ? -1 : 1)),
  };
}

/** A node another department sees from outside: which service it is, never its insides. */
export interface OpaqueNode {
  /** `shared:<publisher>/<application>` or `service:<department>/<application>`. */
  readonly id: string;
  readonly opaque: true;
  readonly kind: 'shared-instance' | 'department-service';
  /** Who answers for it: the publisher of a shared instance, or the department that runs the service. */
  readonly owner: string;
  readonly application: string;
}

export interface TopologyView {
  readonly nodes: readonly (TopologyNode | OpaqueNode)[];
  readonly edges: readonly TopologyEdge[];
}

/**
 * The graph as `departments` may see it ('all': the data bureau): their own components with every edge among them;
 * a shared instance or another department's service they call as one opaque node per application (no components,
 * no pods, none of its own calls), with the figures of their calls to it. Edges between others are left out.
 */
export function viewFor(t: Topology, departments: 'all' | readonly string[]): TopologyView {
  if (departments === 'all') return t;
  const mine = new Set(departments);
  const byId = new Map(t.nodes.map((n) => [n.id, n]));
  const own = (n: TopologyNode): boolean => mine.has(n.department) && n.publisher === undefined;
  const opaque = new Map<string, OpaqueNode>();
  const edges = new Map<string, TopologyEdge & { n: number }>();
  for (const e of t.edges) {
    const from = byId.get(e.from);
    const to = byId.get(e.to);
    if (!from || !to || !own(from)) continue;
    if (own(to)) {
      edges.set(edgeKey(e), { ...e, n: 1 });
      continue;
    }
    const o: OpaqueNode =
      to.publisher !== undefined
        ? {
            id: `shared:${to.publisher}/${to.application}`,
            opaque: true,
            kind: 'shared-instance',
            owner: to.publisher,
            application: to.application,
          }
        : {
            id: `service:${to.department}/${to.application}`,
            opaque: true,
            kind: 'department-service',
            owner: to.department,
            application: to.application,
          };
    opaque.set(o.id, o);
    const k = edgeKey({ from: e.from, to: o.id });
    const had = edges.get(k);
    edges.set(k, had ? mergeEdge(had, e) : { ...e, to: o.id, n: 1 });
  }
  return {
    nodes: [...t.nodes.filter(own), ...[...opaque.values()]].sort((a, b) => (a.id < b.id ? -1 : 1)),
    edges: [...edges.values()].map(({ n: _n, ...e }) => e).sort((a, b) => (edgeKey(a) < edgeKey(b) ? -1 : 1)),
  };
}

/** Calls from one component to two components of the same opaque service: summed, errors and latency weighted. */
function mergeEdge(a: TopologyEdge & { n: number }, b: TopologyEdge): TopologyEdge & { n: number } {
  const ra = a.rps ?? 0;
  const rb = b.rps ?? 0;
  const w = (x: number | undefined, y: number | undefined): number | undefined =>
    x === undefined && y === undefined
      ? undefined
      : ra + rb > 0
        ? ((x ?? 0) * ra + (y ?? 0) * rb) / (ra + rb)
        : (x ?? y);
  const errorRate = w(a.errorRate, b.errorRate);
  const p50Ms = w(a.p50Ms, b.p50Ms);
  return {
    from: a.from,
    to: a.to,
    sources: [...new Set([...a.sources, ...b.sources])].sort(),
    ...(a.rps !== undefined || b.rps !== undefined ? { rps: ra + rb } : {}),
    ...(errorRate !== undefined ? { errorRate } : {}),
    ...(p50Ms !== undefined ? { p50Ms } : {}),
    n: a.n + 1,
  };
}
