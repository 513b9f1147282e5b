import { createHash } from 'node:crypto';
import type { Manifest } from '../../../kernel/manifest.ts';
import { manifestKey } from '../../../kernel/manifest.ts';
import type { AppliedObject, ApplyFailure, ApplyOptions, ApplyReport } from '../../driver.ts';
import type { FieldConflict } from './api-errors.ts';
import { failureMessage, fieldConflicts } from './api-errors.ts';
import type { ClusterCache } from './cluster-cache.ts';
import type { ResourceInfo } from './discovery.ts';
import { objectPath, RENDERED_KINDS } from './discovery.ts';
import type { KubeHttp } from './kube-http.ts';
import { desiredFields } from '../../../kernel/manifest.ts';
import { isObject, liveSatisfies, withLiveValues } from './live-compare.ts';

type Json = Record<string, unknown>;

/** What polis last applied to an object, and the version of the object that was then known to match. */
export interface AppliedRecord {
  readonly hash: string;
  readonly rv: string;
}

export interface ApplyDeps {
  readonly http: KubeHttp;
  readonly cache: ClusterCache;
  readonly fieldManager: string;
  readonly applied: Map<string, AppliedRecord>;
  /** Kinds applied that are not watched (custom resources of k8s-objects): inventory and prune list them. */
  readonly extraKinds: Map<string, ResourceInfo>;
}

type Outcome =
  { readonly ok: true; readonly action: AppliedObject['action'] } | { readonly ok: false; readonly message: string };

/** At most this many objects of one application are written at once (namespaces always first, alone). */
const PARALLEL = 8;

/**
 * Server-side apply of each manifest, namespaces first. An object whose live state (from the watch) already has
 * every field polis sets is reported `unchanged` and nothing is sent, so a reconcile that finds nothing to change
 * makes no request at all. A refusal of one object lands in `failed` with the API server's own message; an
 * unreachable cluster throws ClusterUnreachableError.
 */
export async function applyManifests(
  deps: ApplyDeps,
  manifests: readonly Manifest[],
  options: ApplyOptions,
): Promise<ApplyReport> {
  const outcomes = new Array<Outcome>(manifests.length);
  const order = manifests.map((m, i) => ({ m, i }));
  const first = order.filter(({ m }) => m.kind === 'Namespace');
  const rest = order.filter(({ m }) => m.kind !== 'Namespace');
  const one = async ({ m, i }: { m: Manifest; i: number }) => {
    outcomes[i] = await applyOne(deps, m, options.createOnlyPaths?.[safeKey(m)] ?? [], options.force === true);
  };
  for (const item of first) await one(item);
  for (let start = 0; start < rest.length; start += PARALLEL) {
    await Promise.all(rest.slice(start, start + PARALLEL).map(one));
  }
  const applied: AppliedObject[] = [];
  const failed: ApplyFailure[] = [];
  manifests.forEach((m, i) => {
    const o = outcomes[i]!;
    if (o.ok) applied.push({ key: safeKey(m), action: o.action });
    else failed.push({ key: safeKey(m), message: o.message });
  });
  return { applied, failed };
}

async function applyOne(deps: ApplyDeps, m: Manifest, createOnly: readonly string[], force: boolean): Promise<Outcome> {
  const meta = isObject(m.metadata) ? m.metadata : undefined;
  if (typeof m.apiVersion !== 'string' || typeof m.kind !== 'string' || typeof meta?.name !== 'string')
    return { ok: false, message: 'a manifest needs apiVersion, kind and metadata.name' };
  const info = await deps.cache.discovery.resource(m.apiVersion, m.kind);
  // kubectl's words (and the simulated cloud's) for a kind the cluster does not serve.
  if (!info) return { ok: false, message: `no matches for kind "${m.kind}" in version "${m.apiVersion}"` };
  const namespace = info.namespaced ? meta.namespace : undefined;
  if (info.namespaced && !namespace) return { ok: false, message: `metadata.namespace is required for a ${m.kind}` };
  const key = manifestKey(m);
  const path = objectPath(info, namespace, meta.name);
  const informer = deps.cache.informer(m.apiVersion, m.kind);
  let live: Json | undefined;
  if (informer) live = informer.get(namespace, meta.name)?.obj;
  else {
    if (!RENDERED_KINDS.some((r) => r.apiVersion === m.apiVersion && r.kind === m.kind))
      deps.extraKinds.set(`${m.apiVersion}/${m.kind}`, info);
    const answer = await deps.http.request('GET', path);
    if (answer.status === 200) live = answer.body as Json;
    else if (answer.status !== 404) return { ok: false, message: failureMessage(answer) };
  }

  const hash = applyHash(m, createOnly);
  const desired = desiredFields(m as unknown as Json);
  const liveRv = live ? String((live.metadata as Json).resourceVersion) : '';
  let body = desired;
  if (live) {
    const record = deps.applied.get(key);
    if (record?.hash === hash && record.rv === liveRv) return { ok: true, action: 'unchanged' };
    const unchanged =
      createOnly.includes('*') ||
      (liveSatisfies(live, desired, new Set(createOnly)) && (record === undefined || record.hash === hash));
    if (unchanged) {
      deps.applied.set(key, { hash, rv: liveRv });
      return { ok: true, action: 'unchanged' };
    }
    body = withLiveValues(desired, live, createOnly);
  }

  let answer = await patch(deps, path, body, force);
  if (!force && answer.status === 409 && (await imperativeDrift(deps, path, fieldConflicts(answer)))) {
    answer = await patch(deps, path, body, true);
  }
  if (answer.status === 200 || answer.status === 201) {
    const obj = answer.body as Json;
    const rv = String((obj.metadata as Json | undefined)?.resourceVersion ?? '');
    deps.applied.set(key, { hash, rv });
    informer?.put({ apiVersion: m.apiVersion, kind: m.kind, ...obj });
    const action = answer.status === 201 ? 'created' : live && rv === liveRv ? 'unchanged' : 'configured';
    return { ok: true, action };
  }
  deps.applied.delete(key);
  return { ok: false, message: failureMessage(answer) };
}

/**
 * Whether every field in conflict is held by a manager that only ever updated the object (kubectl edit, scale,
 * set image): that is drift, which polis undoes as the simulated cloud does, taking the fields back. A manager
 * that applies (another tool's server-side apply) has declared its own intent: that conflict is reported, and
 * only the application's `force` takes the fields over.
 */
async function imperativeDrift(deps: ApplyDeps, path: string, conflicts: readonly FieldConflict[]): Promise<boolean> {
  if (conflicts.length === 0) return false;
  const live = await deps.http.request('GET', path);
  if (live.status !== 200) return false;
  const managed = ((((live.body as Json).metadata as Json | undefined)?.managedFields as Json[] | undefined) ??
    []) as Json[];
  return conflicts.every(
    (c) =>
      managed.some((f) => f.manager === c.manager) &&
      managed.every((f) => f.manager !== c.manager || f.operation === 'Update'),
  );
}

function patch(deps: ApplyDeps, path: string, body: Json, force: boolean) {
  const query = new URLSearchParams({ fieldManager: deps.fieldManager });
  if (force) query.set('force', 'true');
  // JSON is YAML: the apply content type takes it as it is.
  return deps.http.request('PATCH', `${path}?${query}`, { body, contentType: 'application/apply-patch+yaml' });
}

/** The hash of a manifest as applied (with its create-only paths): JSON text as given, so it costs one pass. */
function applyHash(m: Manifest, createOnly: readonly string[]): string {
  return createHash('sha1').update(JSON.stringify(m)).update('\u0000').update(createOnly.join(',')).digest('base64');
}

function safeKey(m: Manifest): string {
  return isObject(m.metadata) ? manifestKey(m) : `${String(m.apiVersion)}/${String(m.kind)}//`;
}
