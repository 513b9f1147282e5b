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

type Json = Record<string, unknown>;

function isJsonObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Metadata fields the server owns: a manifest that carries them does not set them. */
const SERVER_METADATA = new Set([
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'managedFields',
  'selfLink',
  'deletionTimestamp',
]);

/**
 * The fields a manifest sets: everything but `status` and the server's metadata. What every cluster driver compares
 * with the live object to decide that an apply would change nothing.
 */
export function desiredFields(manifest: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(manifest)) {
    if (k === 'status' || v === undefined) continue;
    if (k === 'metadata' && isJsonObject(v)) {
      const meta: Json = {};
      for (const [mk, mv] of Object.entries(v)) if (!SERVER_METADATA.has(mk) && mv !== undefined) meta[mk] = mv;
      out[k] = meta;
    } else out[k] = v;
  }
  return out;
}

/** A Kubernetes `LabelSelector` (`matchLabels` and `matchExpressions`) against a set of labels. */
export function labelSelectorMatches(selector: Json, labels: Readonly<Record<string, string>>): boolean {
  if (isJsonObject(selector.matchLabels)) {
    const want = selector.matchLabels as Record<string, string>;
    for (const k in want) if (labels[k] !== want[k]) return false;
  }
  const expressions = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  for (const e of expressions) {
    if (!isJsonObject(e)) return false;
    const key = String(e.key);
    const values = Array.isArray(e.values) ? e.values.map(String) : [];
    const has = Object.hasOwn(labels, key);
    const ok =
      e.operator === 'In'
        ? has && values.includes(labels[key]!)
        : e.operator === 'NotIn'
          ? !has || !values.includes(labels[key]!)
          : e.operator === 'Exists'
            ? has
            : e.operator === 'DoesNotExist'
              ? !has
              : false;
    if (!ok) return false;
  }
  return true;
}
