import type { ApplicationSpec } from '../../apps/application-kind.ts';
import { namespaceOf } from '../../delivery/namespace.ts';
import type { StoredObject } from '../../resources/envelope.ts';
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

/** One application as the topology reads it, with who owns each of its components (pure). */
export function declaredApp(o: StoredObject): { app: DeclaredApp; owners: [string, ComponentOwner][] } {
  const tenant = o.metadata.tenant ?? '';
  const spec = o.spec as ApplicationSpec;
  const namespace = namespaceOf(tenant, o.metadata.name, o.status);
  const vendor = o.metadata.labels?.[VENDOR_LABEL];
  const components = (spec.components ?? []) as DeclaredApp['components'];
  return {
    app: { department: tenant, application: o.metadata.name, namespace, components },
    owners: components.map((c) => [
      `${namespace}/${c.name}`,
      { application: o.metadata.name, department: tenant, ...(vendor ? { vendor } : {}) },
    ]),
  };
}

/**
 * What the topology reads of one application, kept by an index (see sim-incident-source.ts): only each component's
 * name, `dependsOn` and environment (what declaredEdges reads), not its whole spec.
 */
export function declaredAppHolding(o: StoredObject): { app: DeclaredApp; owners: [string, ComponentOwner][] } {
  const { app, owners } = declaredApp(o);
  const env = (p: { readonly env?: unknown } | undefined) =>
    p?.env === undefined ? {} : { properties: { env: p.env } };
  const components = app.components.map((c) => ({
    name: c.name,
    ...(c.dependsOn ? { dependsOn: c.dependsOn } : {}),
    ...env(c.properties),
    ...(c.traits?.some((t) => t.type === 'env')
      ? { traits: c.traits.filter((t) => t.type === 'env').map((t) => ({ type: t.type, ...env(t.properties) })) }
      : {}),
  }));
  return { app: { ...app, components }, owners };
}

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
      const d = declaredApp(o);
      apps.push(d.app);
      for (const [k, owner] of d.owners) owners.set(k, owner);
    }
    cont = page.continue;
  } while (cont);
  return { apps, owners };
}
