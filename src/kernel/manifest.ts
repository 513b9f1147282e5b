/**
 * A Kubernetes object as polis renders it and clusters accept it. The same shape goes to the simulated cloud and to
 * a real API server; nothing here is specific to either.
 */
export interface ManifestMetadata {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly [extra: string]: unknown;
}

export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: ManifestMetadata;
  readonly [field: string]: unknown;
}

/** Identity of an object inside one cluster: `apiVersion/kind/namespace/name` (namespace '' when cluster-scoped). */
export function manifestKey(m: Pick<Manifest, 'apiVersion' | 'kind' | 'metadata'>): string {
  return `${m.apiVersion}/${m.kind}/${m.metadata.namespace ?? ''}/${m.metadata.name}`;
}

const FIRST = ['apiVersion', 'kind', 'metadata'];

function sortValue(value: unknown, top: boolean): unknown {
  if (Array.isArray(value)) return value.map((v) => sortValue(v, false));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  entries.sort(([a], [b]) => {
    if (top) {
      const ia = FIRST.indexOf(a);
      const ib = FIRST.indexOf(b);
      if (ia !== -1 || ib !== -1) return (ia === -1 ? 99 : ia) - (ib === -1 ? 99 : ib);
    }
    return a < b ? -1 : a > b ? 1 : 0;
  });
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) out[k] = sortValue(v, false);
  return out;
}

/**
 * The deterministic form of a manifest: keys sorted, `apiVersion, kind, metadata` first, undefined fields dropped.
 * Same input, same bytes (DESIGN.md decision 7).
 */
export function canonicalManifest<M extends Manifest>(m: M): M {
  return sortValue(m, true) as M;
}

/** Manifests in a stable order: by kind order of application (namespaces and config first), then by key. */
export function sortManifests(ms: readonly Manifest[]): Manifest[] {
  return [...ms].sort((a, b) => {
    const ra = applyRank(a.kind);
    const rb = applyRank(b.kind);
    if (ra !== rb) return ra - rb;
    const ka = manifestKey(a);
    const kb = manifestKey(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}

const ORDER = [
  'Namespace',
  'ResourceQuota',
  'LimitRange',
  'NetworkPolicy',
  'ServiceAccount',
  'Secret',
  'ConfigMap',
  'PersistentVolumeClaim',
  'Service',
];

function applyRank(kind: string): number {
  const i = ORDER.indexOf(kind);
  return i === -1 ? ORDER.length : i;
}
