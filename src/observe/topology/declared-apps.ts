import type { ApplicationSpec } from '../../apps/application-kind.ts';
import { namespaceOf } from '../../delivery/namespace.ts';
import type { ResourceService } from '../../resources/service.ts';
import type { DeclaredApp } from './topology.ts';

/** Who owns a component (`namespace/component`): its application, department, vendor, and publisher if shared. */
export interface ComponentOwner {
  readonly application: string;
  readonly department: string;
  readonly vendor?: string;
  readonly publisher?: string;
  readonly revision?: string;
}

/** The label naming the vendor that maintains an application (for the verdict's owner). */
export const VENDOR_LABEL = 'polis.io/vendor';

/** The applications polis delivers, as the topology reads them, with who owns each component. */
export async function declaredApps(
  resources: ResourceService,
): Promise<{ apps: DeclaredApp[]; owners: Map<string, ComponentOwner> }> {
  const apps: DeclaredApp[] = [];
  const owners = new Map<string, ComponentOwner>();
  let cont: string | undefined;
  do {
    const page = await resources.list({ kind: 'Application', limit: 500, ...(cont ? { continue: cont } : {}) });
    for (const o of page.items) {
      const tenant = o.metadata.tenant ?? '';
      const spec = o.spec as ApplicationSpec;
      const namespace = namespaceOf(tenant, o.metadata.name, o.status);
      const vendor = o.metadata.labels?.[VENDOR_LABEL];
      apps.push({
        department: tenant,
        application: o.metadata.name,
        namespace,
        components: (spec.components ?? []) as DeclaredApp['components'],
      });
      for (const c of spec.components ?? [])
        owners.set(`${namespace}/${c.name}`, {
          application: o.metadata.name,
          department: tenant,
          ...(vendor ? { vendor } : {}),
        });
    }
    cont = page.continue;
  } while (cont);
  return { apps, owners };
}
