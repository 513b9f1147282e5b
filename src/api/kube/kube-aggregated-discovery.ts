import type { KindDefinition } from '../../resources/registry.ts';
import { apiResources, coreResourceList, groupNames } from './kube-discovery.ts';

/**
 * Aggregated discovery (apidiscovery.k8s.io/v2, and v2beta1 for older clients) as kube-apiserver serves it on /api
 * and /apis (pure: built from the kind registry): every group, version and resource in one document, so kubectl
 * reads discovery in two requests instead of one per group version.
 */

export type DiscoveryVersion = 'v2' | 'v2beta1';

/** The media type of an aggregated discovery answer (clients recognise it by the response's Content-Type). */
export function aggregatedContentType(v: DiscoveryVersion): string {
  return `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList`;
}

/**
 * Which aggregated discovery version the Accept header asks for first, or undefined when it asks for none (the
 * APIGroupList / APIVersions answer then). Accept's order is the client's preference (kubectl sends v2 first).
 */
export function aggregatedVersionOf(accept: string | undefined): DiscoveryVersion | undefined {
  for (const range of String(accept ?? '').split(',')) {
    const [type, ...rest] = range.split(';').map((s) => s.trim());
    if (type !== 'application/json') continue;
    const params = new Map(
      rest.map((p) => {
        const at = p.indexOf('=');
        return [p.slice(0, at).trim().toLowerCase(), p.slice(at + 1).trim()] as const;
      }),
    );
    if (params.get('g') !== 'apidiscovery.k8s.io' || params.get('as') !== 'APIGroupDiscoveryList') continue;
    const v = params.get('v');
    if (v === 'v2' || v === 'v2beta1') return v;
  }
  return undefined;
}

type Entry = Record<string, unknown>;

/** APIResource entries (the legacy discovery shape) of one group version, as APIResourceDiscovery entries. */
function resourcesOf(entries: readonly Entry[], group: string, version: string): Entry[] {
  const kindOf = (e: Entry) => ({ group, version, kind: e.kind });
  const main = entries.filter((e) => !String(e.name).includes('/'));
  return main.map((e) => {
    const subresources = entries
      .filter((s) => String(s.name).startsWith(`${String(e.name)}/`))
      .map((s) => ({
        subresource: String(s.name).slice(String(e.name).length + 1),
        responseKind: kindOf(s),
        verbs: s.verbs,
      }));
    return {
      resource: e.name,
      responseKind: kindOf(e),
      scope: e.namespaced ? 'Namespaced' : 'Cluster',
      singularResource: e.singularName,
      verbs: e.verbs,
      ...(e.shortNames ? { shortNames: e.shortNames } : {}),
      ...(e.categories ? { categories: e.categories } : {}),
      ...(subresources.length > 0 ? { subresources } : {}),
    };
  });
}

function list(v: DiscoveryVersion, items: Entry[]): Entry {
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${v}`, metadata: {}, items };
}

/** GET /apis in aggregated form: every group polis serves, each version with its resources. */
export function aggregatedGroups(defs: readonly KindDefinition[], v: DiscoveryVersion): Entry {
  return list(
    v,
    groupNames(defs).map((group) => {
      const versions = [...new Set(defs.filter((d) => d.group === group).map((d) => d.version))].sort();
      return {
        metadata: { name: group, creationTimestamp: null },
        versions: versions.map((version) => ({
          version,
          resources: resourcesOf(
            defs.filter((d) => d.group === group && d.version === version).flatMap(apiResources),
            group,
            version,
          ),
          freshness: 'Current',
        })),
      };
    }),
  );
}

/** GET /api in aggregated form: the core group's v1 (departments as namespaces, their Secrets and Events). */
export function aggregatedCore(defs: readonly KindDefinition[], v: DiscoveryVersion): Entry {
  const core = coreResourceList(defs).resources as Entry[];
  return list(v, [
    {
      metadata: { creationTimestamp: null },
      versions: [{ version: 'v1', resources: resourcesOf(core, '', 'v1'), freshness: 'Current' }],
    },
  ]);
}
