/**
 * The window while a kube-apiserver starts (or restarts): it serves and authenticates already, but its post-start
 * hooks have not finished. /readyz and /healthz answer 500 listing the checks, the hook that loads the RBAC roles
 * among the failed ones; until it has run, the RBAC authorizer knows no role, so discovery and resource requests
 * are 403 Forbidden with the authorizer's message, and lists may fail with 500 while the storage is not ready.
 */
import { forbidden } from './auth.ts';
import type { Route } from './routes.ts';
import { KubeError } from './status.ts';
import type { Verb } from './types.ts';

const READY_CHECKS = [
  '[+]ping ok',
  '[+]log ok',
  '[+]etcd ok',
  '[+]etcd-readiness ok',
  '[+]informer-sync ok',
  '[+]poststarthook/start-apiserver-admission-initializer ok',
  '[+]poststarthook/generic-apiserver-start-informers ok',
  '[-]poststarthook/rbac/bootstrap-roles failed: reason withheld',
  '[-]poststarthook/scheduling/bootstrap-system-priority-classes failed: reason withheld',
  '[+]poststarthook/start-cluster-authentication-info-controller ok',
  '[-]poststarthook/apiservice-registration-controller failed: reason withheld',
  '[+]shutdown ok',
];

export interface StartingAnswer {
  readonly status: number;
  /** Text for health checks, a Status object otherwise. */
  readonly body: string | Record<string, unknown>;
}

/** How a starting API server answers one request from an authenticated `user` (undefined: as usual). */
export function startingAnswer(
  route: Route,
  verb: Verb,
  user: string,
  path: string,
  lists: 403 | 500,
): StartingAnswer | undefined {
  if (route.type === 'health') {
    if (route.check === 'livez') return { status: 200, body: 'ok' };
    const check = route.check === 'readyz' ? 'readyz' : 'healthz';
    return { status: 500, body: `${READY_CHECKS.join('\n')}\n${check} check failed\n` };
  }
  // /version answers as usual: it says the server serves, not that it is ready.
  if (route.type === 'version') return undefined;
  // Lists failing with 500 is the later part of the window: the roles are loaded (discovery is answered) but
  // the storage cannot serve lists yet.
  if (route.type !== 'resource' && lists === 500) return undefined;
  if (route.type !== 'resource')
    return {
      status: 403,
      body: new KubeError(403, 'Forbidden', `forbidden: User "${user}" cannot get path "${path}"`).toStatus(),
    };
  if (verb === 'list' && lists === 500)
    return {
      status: 500,
      body: new KubeError(500, 'InternalError', 'the server is currently unable to handle the request').toStatus(),
    };
  const attrs = {
    verb,
    def: route.def,
    ...(route.namespace !== undefined ? { namespace: route.namespace } : {}),
    ...(route.name !== undefined ? { name: route.name } : {}),
    ...(route.subresource !== undefined ? { subresource: route.subresource } : {}),
  };
  return { status: 403, body: forbidden(user, attrs).toStatus() };
}
