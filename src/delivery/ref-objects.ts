import type { ApplicationSpec } from '../apps/application-kind.ts';
import type { Obj } from '../apps/render/objects.ts';
import type { RefObjectsProperties, RefResolved } from '../apps/render/ref-objects.ts';
import { refCopy, refTarget } from '../apps/render/ref-objects.ts';
import type { ClusterDriver } from '../clusters/driver.ts';
import type { Message } from '../kernel/messages/index.ts';
import { msg } from '../kernel/messages/index.ts';
import type { Owner } from '../kernel/ownership.ts';
import { NAMESPACE_SEPARATOR, OWNER_LABELS } from '../kernel/ownership.ts';
import { LOCAL_CLUSTER } from '../placement/topology-policy.ts';
import { topologyNamespace } from './namespace.ts';

export interface RefReadDeps {
  readonly driver: (cluster: string) => ClusterDriver | undefined;
  /** The cluster KubeVela's control plane (`local`, or no `cluster`) stands for: POLIS_LOCAL_CLUSTER. */
  readonly localCluster: string | undefined;
}

export type RefResolution =
  { readonly ok: true; readonly spec: ApplicationSpec } | { readonly ok: false; readonly problems: readonly Message[] };

/**
 * The namespace a reference reads from, always one of the department's: the application's own when it names none
 * or the Application's `metadata.namespace`; a namespace `<department>--…` as named (its labels are checked when
 * read); any other name as a topology's namespace maps it (topologyNamespace).
 */
export function refNamespace(owner: Owner, declared: string | undefined, named: string | undefined): string {
  if (named === undefined || named === (declared ?? 'default')) return owner.namespace;
  if (named.startsWith(`${owner.tenant}${NAMESPACE_SEPARATOR}`)) return named;
  return topologyNamespace(owner.tenant, owner.app, owner.namespace, declared, named);
}

/**
 * Reads the objects every ref-objects component references and gives them to rendering on the component
 * (RefResolved). Only from a namespace whose ownership labels name the department: never another department's, or
 * one polis does not manage. Any reference that cannot be read makes the whole resolution fail, with every
 * problem: delivery then applies nothing of the application this round, rather than a partial or empty copy.
 */
export async function resolveRefObjects(
  spec: ApplicationSpec,
  owner: Owner,
  declared: string | undefined,
  deps: RefReadDeps,
): Promise<RefResolution> {
  if (!spec.components.some((c) => c.type === 'ref-objects')) return { ok: true, spec };
  const problems: Message[] = [];
  const components = [];
  for (const c of spec.components) {
    if (c.type !== 'ref-objects') {
      components.push(c);
      continue;
    }
    const copies: Obj[] = [];
    for (const raw of (c.properties as RefObjectsProperties | undefined)?.objects ?? []) {
      const t = refTarget(raw);
      if (!t) continue; // validation refused it already
      const object = `${t.kind}/${t.name}`;
      const cluster = t.cluster === undefined || t.cluster === LOCAL_CLUSTER ? deps.localCluster : t.cluster;
      if (cluster === undefined) {
        problems.push(msg('RefObjectClusterUnset', { component: c.name, object }));
        continue;
      }
      const driver = deps.driver(cluster);
      if (!driver?.read) {
        problems.push(msg('RefObjectUnreadable', { component: c.name, object, cluster, error: 'no such cluster' }));
        continue;
      }
      const namespace = refNamespace(owner, declared, t.namespace);
      try {
        const ns = await driver.read('v1', 'Namespace', '', namespace);
        if (ns && ns.metadata.labels?.[OWNER_LABELS.tenant] !== owner.tenant) {
          problems.push(msg('RefObjectNamespaceNotOwn', { component: c.name, namespace, cluster }));
          continue;
        }
        const live = ns ? await driver.read(t.apiVersion, t.kind, namespace, t.name) : undefined;
        if (!live) {
          problems.push(msg('RefObjectNotFound', { component: c.name, object, namespace, cluster }));
          continue;
        }
        copies.push(refCopy(live as unknown as Obj));
      } catch (e) {
        problems.push(msg('RefObjectUnreadable', { component: c.name, object, cluster, error: (e as Error).message }));
      }
    }
    components.push({ ...c, refObjects: copies } as RefResolved);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, spec: { ...spec, components } };
}
