import type { KindDefinition } from '../../resources/registry.ts';
import { apiVersionOf } from '../../resources/registry.ts';
import { CORE_VIEWS } from './kube-core-views.ts';

/**
 * Discovery documents as a Kubernetes API server serves them (pure: built from the kind registry). Departments are
 * namespaces, so department-scoped kinds are `namespaced: true`; platform-scoped kinds are cluster-scoped.
 */

/** The core-group resource of the departments: read-only namespaces. */
export const NAMESPACE_RESOURCE = {
  name: 'namespaces',
  singularName: 'namespace',
  namespaced: false,
  kind: 'Namespace',
  verbs: ['get', 'list'],
  shortNames: ['ns'],
} as const;

/** The verbs of a resource as Kubernetes names them: deletecollection where a kind may be listed and deleted. */
export function kubeVerbs(verbs: readonly string[]): string[] {
  return verbs.flatMap((v) => (v === 'delete' && verbs.includes('list') ? ['delete', 'deletecollection'] : [v]));
}

/** GET /version: Kubernetes' version.Info, plus polis's own `version` (what the polis CLI reads). */
export function versionInfo(version: string): Record<string, string> {
  return {
    major: '1',
    minor: '32',
    gitVersion: `v1.32.0+polis.${version}`,
    gitCommit: '',
    gitTreeState: 'clean',
    buildDate: '1970-01-01T00:00:00Z',
    goVersion: 'n/a (polis on Node.js)',
    compiler: 'polis',
    platform: `${process.platform}/${process.arch}`,
    version,
  };
}

/** GET /api. */
export function apiVersions(serverAddress: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    apiVersion: 'v1',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

/** The polis kinds served in the core group (a department's Secrets and Events), as APIResource entries. */
export function coreResources(defs: readonly KindDefinition[]): Record<string, unknown>[] {
  return Object.values(CORE_VIEWS)
    .filter((v) => defs.some((d) => d.kind === v.kind && d.group === 'polis.io' && d.scope === 'tenant'))
    .map((v) => {
      const def = defs.find((d) => d.kind === v.kind)!;
      return {
        name: v.plural,
        singularName: v.singular,
        namespaced: true,
        kind: v.kind,
        verbs: kubeVerbs(v.verbs.filter((verb) => def.verbs.includes(verb))),
        ...(v.shortNames.length > 0 ? { shortNames: [...v.shortNames] } : {}),
        categories: ['polis'],
      };
    });
}

/** GET /api/v1. */
export function coreResourceList(defs: readonly KindDefinition[] = []): Record<string, unknown> {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: 'v1',
    resources: [NAMESPACE_RESOURCE, ...coreResources(defs)],
  };
}

function groupOf(defs: readonly KindDefinition[], name: string): Record<string, unknown> {
  const versions = [...new Set(defs.filter((d) => d.group === name).map((d) => d.version))]
    .sort()
    .map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions, preferredVersion: versions[0] };
}

/** The groups served, sorted. */
export function groupNames(defs: readonly KindDefinition[]): string[] {
  return [...new Set(defs.map((d) => d.group))].sort();
}

/** GET /apis: the APIGroupList. */
export function apiGroupList(defs: readonly KindDefinition[]): Record<string, unknown> {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groupNames(defs).map((g) => groupOf(defs, g)) };
}

/** GET /apis/{group}, or undefined when polis serves no such group. */
export function apiGroup(defs: readonly KindDefinition[], group: string): Record<string, unknown> | undefined {
  if (!defs.some((d) => d.group === group)) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupOf(defs, group) };
}

/** One kind as an APIResource entry (and its status subresource, when it has one). */
export function apiResources(def: KindDefinition): Record<string, unknown>[] {
  const namespaced = def.scope === 'tenant';
  const main = {
    name: def.plural,
    singularName: def.singular,
    namespaced,
    kind: def.kind,
    verbs: kubeVerbs(def.verbs),
    ...(def.shortNames.length > 0 ? { shortNames: [...def.shortNames] } : {}),
    categories: ['polis'],
  };
  if (!def.hasStatus) return [main];
  return [
    main,
    { name: `${def.plural}/status`, singularName: '', namespaced, kind: def.kind, verbs: ['get', 'patch', 'update'] },
  ];
}

/** GET /apis/{group}/{version}: the APIResourceList, or undefined for a group version polis does not serve. */
export function apiResourceList(
  defs: readonly KindDefinition[],
  group: string,
  version: string,
): Record<string, unknown> | undefined {
  const served = defs.filter((d) => d.group === group && d.version === version);
  if (served.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: apiVersionOf({ group, version }),
    resources: served.flatMap(apiResources),
  };
}
