import type { FastifyInstance } from 'fastify';
import { NotAllowedError } from '../kernel/errors.ts';
import type { StoredObject } from '../resources/envelope.ts';
import type { Store } from '../resources/store.ts';
import { authorize } from '../tenancy/authorization.ts';
import { principalOf } from '../tenancy/request-principal.ts';
import type { MarketInstanceSpec, ServiceBindingSpec } from './market-kinds.ts';
import { MARKET_API_VERSION, PLATFORM_SPACE } from './market-kinds.ts';

const BASE = `/apis/${MARKET_API_VERSION}`;

/** How much one item is used: counts only, never which department (a publisher reads no department's objects). */
export interface ItemUsage {
  readonly item: string;
  readonly instances: number;
  readonly sharedInstances: number;
  readonly bindings: number;
  readonly departments: number;
}

/**
 * `GET …/catalog-usage`: per item, its instances, its bindings and the number of departments using it, for who
 * reads the publishing category (a publisher, the data bureau, auditors): the 发布 page's subscriber counts.
 */
export function registerUsageRoute(app: FastifyInstance, deps: { store: Store }): void {
  app.get(
    `${BASE}/catalog-usage`,
    { schema: { tags: ['market'], summary: 'Instances, bindings and departments per catalog item (counts only)' } },
    async (req) => {
      const p = principalOf(req);
      const d = authorize(p, { verb: 'list', kind: 'CatalogItem', category: 'publishing', scope: 'platform' });
      if (!d.allowed) throw new NotAllowedError(d.detail);
      const instances = await all(deps.store, 'MarketInstance');
      const bindings = await all(deps.store, 'ServiceBinding');
      return { kind: 'CatalogUsage', items: usageOf(instances, bindings) };
    },
  );
}

async function all(store: Store, kind: string): Promise<StoredObject[]> {
  const out: StoredObject[] = [];
  let cont: string | undefined;
  do {
    const page = await store.list({ kind, limit: 1000, continue: cont });
    out.push(...page.items.filter((o) => !o.metadata.deletionTimestamp));
    cont = page.continue;
  } while (cont);
  return out;
}

/** The counts per item, sorted by item name. Pure. */
export function usageOf(instances: readonly StoredObject[], bindings: readonly StoredObject[]): ItemUsage[] {
  const by = new Map<string, { instances: number; shared: number; bindings: number; departments: Set<string> }>();
  const entry = (item: string) => {
    let e = by.get(item);
    if (!e) by.set(item, (e = { instances: 0, shared: 0, bindings: 0, departments: new Set() }));
    return e;
  };
  const itemOf = new Map<string, string>();
  for (const i of instances) {
    const spec = i.metadata.tenant ? (i.spec as MarketInstanceSpec) : undefined;
    if (!spec) continue;
    const tenant = i.metadata.tenant!;
    itemOf.set(`${tenant}/${i.metadata.name}`, spec.item);
    const e = entry(spec.item);
    e.instances++;
    if (spec.shared) e.shared++;
    if (tenant !== PLATFORM_SPACE) e.departments.add(tenant);
  }
  for (const b of bindings) {
    const spec = b.spec as ServiceBindingSpec;
    const tenant = b.metadata.tenant ?? '';
    const item = itemOf.get(`${spec.shared ? PLATFORM_SPACE : tenant}/${spec.instance}`);
    if (!item) continue;
    const e = entry(item);
    e.bindings++;
    e.departments.add(tenant);
  }
  return [...by.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([item, e]) => ({
      item,
      instances: e.instances,
      sharedInstances: e.shared,
      bindings: e.bindings,
      departments: e.departments.size,
    }));
}
