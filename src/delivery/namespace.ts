import { stableName } from '../kernel/names.ts';
import type { Manifest } from '../kernel/manifest.ts';
import type { Owner } from '../clusters/driver.ts';
import { OWNER_LABELS } from '../clusters/driver.ts';

/** The namespace an application's objects live in, in every cluster: `<tenant>-<app>` (hashed when too long). */
export function appNamespace(tenant: string, app: string): string {
  return stableName([tenant, app]);
}

export function ownerOf(tenant: string, app: string): Owner {
  return { tenant, app, namespace: appNamespace(tenant, app) };
}

/** The labels every object of an application carries in a cluster; prune and observe select by them. */
export function ownerLabels(owner: Owner): Record<string, string> {
  return {
    [OWNER_LABELS.app]: owner.app,
    [OWNER_LABELS.namespace]: owner.namespace,
    [OWNER_LABELS.tenant]: owner.tenant,
    [OWNER_LABELS.managedBy]: 'polis',
  };
}

/** The application's namespace, labelled with its department and application, applied before anything in it. */
export function namespaceManifest(owner: Owner): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: owner.namespace, labels: ownerLabels(owner) },
  };
}
