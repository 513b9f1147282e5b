import type { StoredObject } from '../resources/envelope.ts';
import type { RequestContext, ResourceService } from '../resources/service.ts';
import type { Store } from '../resources/store.ts';
import { TENANCY_API_VERSION } from './kinds.ts';
import type { TokenService } from './token-service.ts';

export const BOOTSTRAP_ACTOR: RequestContext = { actor: 'system:bootstrap', requestId: 'bootstrap' };
export const ADMIN_USER = 'admin';

/**
 * On first start (no platform-admin binding exists) creates the user `admin`, binds it as platform-admin and
 * issues it a token, returned here once for the caller to write to a file only its owner can read.
 * Later starts change nothing and return undefined.
 */
export async function bootstrapPlatformAdmin(deps: {
  store: Store;
  resources: ResourceService;
  tokens: TokenService;
}): Promise<string | undefined> {
  const bindings = await deps.store.list({ kind: 'PlatformRoleBinding' });
  if (bindings.items.some((b: StoredObject) => (b.spec as { role: string }).role === 'platform-admin'))
    return undefined;
  await deps.resources.apply(BOOTSTRAP_ACTOR, [
    {
      apiVersion: TENANCY_API_VERSION,
      kind: 'User',
      metadata: { name: ADMIN_USER },
      spec: { displayName: 'Platform administrator (数据局)', organization: '市政务服务和数据管理局' },
    },
    {
      apiVersion: TENANCY_API_VERSION,
      kind: 'PlatformRoleBinding',
      metadata: { name: `${ADMIN_USER}-platform-admin` },
      spec: { user: ADMIN_USER, role: 'platform-admin' },
    },
  ]);
  const issued = await deps.tokens.issue(BOOTSTRAP_ACTOR, { user: ADMIN_USER, description: 'created at first start' });
  return issued.token;
}
