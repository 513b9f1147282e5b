/** URL paths of the Kubernetes API: discovery, health and resource paths. */
import { type ResourceDef, RESOURCES, findByResource } from './resources.ts';

export type Route =
  | { type: 'health'; check: string }
  | { type: 'version' }
  | { type: 'api' }
  | { type: 'apis' }
  | { type: 'group'; group: string }
  | { type: 'resourceList'; group: string; version: string }
  | { type: 'resource'; def: ResourceDef; namespace?: string; name?: string; subresource?: string }
  | { type: 'notFound' };

const SUBRESOURCES = new Set(['status']);

export function parseRoute(pathname: string): Route {
  const parts = pathname
    .split('/')
    .filter((p) => p !== '')
    .map(decodeURIComponent);
  const [first, ...rest] = parts;
  if (parts.length === 1 && (first === 'readyz' || first === 'livez' || first === 'healthz'))
    return { type: 'health', check: first };
  if (parts.length === 1 && first === 'version') return { type: 'version' };
  let group: string;
  let version: string;
  let tail: string[];
  if (first === 'api') {
    if (rest.length === 0) return { type: 'api' };
    [version = '', ...tail] = rest;
    group = '';
  } else if (first === 'apis') {
    if (rest.length === 0) return { type: 'apis' };
    [group = '', version = '', ...tail] = rest;
    if (rest.length === 1) return { type: 'group', group };
  } else return { type: 'notFound' };
  if (!RESOURCES.some((d) => d.group === group && d.version === version)) return { type: 'notFound' };
  if (tail.length === 0) return { type: 'resourceList', group, version };

  // namespaces/{ns}/{resource}/… names a namespaced resource; namespaces/{name}[/status] the Namespace itself.
  if (tail[0] === 'namespaces' && tail.length >= 3 && findByResource(group, version, tail[2] as string)?.namespaced) {
    const [, namespace, resource, name, subresource, ...extra] = tail;
    return resourceRoute(group, version, resource as string, namespace, name, subresource, extra.length > 0, true);
  }
  const [resource, name, subresource, ...extra] = tail;
  return resourceRoute(group, version, resource as string, undefined, name, subresource, extra.length > 0, false);
}

function resourceRoute(
  group: string,
  version: string,
  resource: string,
  namespace: string | undefined,
  name: string | undefined,
  subresource: string | undefined,
  extra: boolean,
  namespacedPath: boolean,
): Route {
  const def = findByResource(group, version, resource);
  if (!def || extra) return { type: 'notFound' };
  const log = subresource === 'log' && def.group === '' && def.resource === 'pods';
  if (subresource !== undefined && !log && (!SUBRESOURCES.has(subresource) || !def.status)) {
    return { type: 'notFound' };
  }
  // A namespaced resource addressed without a namespace is only a cluster-wide collection.
  if (def.namespaced && !namespacedPath && name !== undefined) return { type: 'notFound' };
  return {
    type: 'resource',
    def,
    ...(namespace !== undefined ? { namespace } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(subresource !== undefined ? { subresource } : {}),
  };
}
