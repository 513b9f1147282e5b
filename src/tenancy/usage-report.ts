import type { ApplicationSpec } from '../apps/application-kind.ts';
import { applicationUsage } from '../apps/application-usage.ts';
import { componentDemands } from '../apps/render/index.ts';
import type { ClusterSpec, ClusterStatus } from '../clusters/cluster-kind.ts';
import type { StoredObject } from '../resources/envelope.ts';
import type { ResourceService } from '../resources/service.ts';
import type { PlatformWarning } from './share-warnings.ts';
import { guaranteeWarnings } from './share-warnings.ts';
import type { HoldingIndex } from './holding-index.ts';
import type { ApplicationHolding, ClusterPricing, DepartmentUsage } from './usage.ts';
import { departmentUsage } from './usage.ts';

const PAGE = 1000;
/** Entries of the spec cache: rendering is the costly part of a report. */
const HOLDING_CACHE_LIMIT = 50_000;

export interface UsageReport {
  /** Every department named (or all), read from the store now. */
  departments(tenants: 'all' | readonly string[]): Promise<DepartmentUsage[]>;
  /** Warnings about the whole platform (guarantees beyond the healthy private capacity). */
  platformWarnings(): Promise<PlatformWarning[]>;
}

/** By `uid:generation`: what depends on the spec only, rendered once per generation (the costly part). */
const specCache = new Map<string, Pick<ApplicationHolding, 'requested' | 'perReplica'>>();

/** What one application holds, as the usage report counts it (the spec's part cached per generation). */
export function applicationHolding(obj: StoredObject): ApplicationHolding {
  const key = `${obj.metadata.uid}:${obj.metadata.generation}`;
  let fromSpec = specCache.get(key);
  if (!fromSpec) {
    fromSpec = {
      requested: applicationUsage(obj),
      perReplica: Object.fromEntries(
        componentDemands(obj.spec as ApplicationSpec).map((c) => [
          c.name,
          { cpuMilli: c.perReplica.cpuMilli, memoryBytes: c.perReplica.memoryBytes },
        ]),
      ),
    };
    if (specCache.size >= HOLDING_CACHE_LIMIT) specCache.delete(specCache.keys().next().value!);
    specCache.set(key, fromSpec);
  }
  const status = obj.status as Pick<ApplicationHolding, 'placement' | 'sharing'> | undefined;
  return {
    ...fromSpec,
    placement: status?.placement ?? {},
    ...(status?.sharing ? { sharing: status.sharing } : {}),
  };
}

/**
 * The usage report over the store: `/usage` and `/metrics` both read it (the pure parts are in usage.ts). With
 * `holdings` (an index kept from the change feed, see holding-index.ts) a report reads no application from the
 * store; without, it lists them all on every call.
 */
export function createUsageReport(deps: { resources: ResourceService; holdings?: HoldingIndex }): UsageReport {
  const byTenantFromStore = async (scope: readonly string[] | undefined) => {
    const apps = scope?.length === 0 ? [] : await listAll('Application', scope);
    const byTenant = new Map<string, ApplicationHolding[]>();
    for (const a of apps) {
      const t = a.metadata.tenant!;
      if (!byTenant.has(t)) byTenant.set(t, []);
      byTenant.get(t)!.push(applicationHolding(a));
    }
    return byTenant;
  };

  const listAll = async (kind: string, tenants?: readonly string[]): Promise<StoredObject[]> => {
    const out: StoredObject[] = [];
    let cont: string | undefined;
    do {
      const page = await deps.resources.list({ kind, tenants, limit: PAGE, continue: cont });
      out.push(...page.items);
      cont = page.continue;
    } while (cont);
    return out;
  };

  return {
    async departments(tenants) {
      const scope = tenants === 'all' ? undefined : tenants;
      const [departments, byTenant, clusters] = await Promise.all([
        listAll('Tenant'),
        deps.holdings ? deps.holdings.holdings(scope ?? 'all') : byTenantFromStore(scope),
        listAll('Cluster'),
      ]);
      const pricing = new Map<string, ClusterPricing>(
        clusters.map((c) => {
          const spec = c.spec as ClusterSpec;
          const health = (c.status as ClusterStatus | undefined)?.health;
          return [c.metadata.name, { role: spec.role, prices: spec.prices, ...(health ? { health } : {}) }];
        }),
      );
      return departments
        .filter((d) => tenants === 'all' || tenants.includes(d.metadata.name))
        .map((d) =>
          departmentUsage(
            d.metadata.name,
            d.spec as Parameters<typeof departmentUsage>[1],
            byTenant.get(d.metadata.name) ?? [],
            pricing,
          ),
        );
    },
    async platformWarnings() {
      const [departments, clusters] = await Promise.all([listAll('Tenant'), listAll('Cluster')]);
      return guaranteeWarnings(
        departments.map((d) => d.spec as Parameters<typeof guaranteeWarnings>[0][number]),
        clusters.map((c) => {
          const spec = c.spec as ClusterSpec;
          const status = c.status as ClusterStatus | undefined;
          return {
            role: spec.role,
            ...(spec.cordoned || spec.draining ? { cordoned: true } : {}),
            ...(c.metadata.deletionTimestamp ? { deleting: true } : {}),
            ...(status?.health ? { health: status.health } : {}),
            ...(status?.allocatable ? { allocatable: status.allocatable } : {}),
          };
        }),
      );
    },
  };
}
