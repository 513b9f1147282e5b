import type { ApiResource } from './api-resources.ts';
import { collectionPath, itemPath } from './api-resources.ts';
import { ApiError, CliError, EXIT, usageError, withHint } from './cli-errors.ts';
import type { PolisClient } from './client.ts';
import type { Connection } from './cli-config.ts';
import type { ObjectLike } from './object-table.ts';

/** Where a command looks: one department, every department the caller may see, or the platform. */
export type TenantScope =
  { readonly kind: 'platform' } | { readonly kind: 'tenant'; readonly tenant: string } | { readonly kind: 'all' };

/**
 * --tenant, then -A, then the default department (polis login --tenant, POLIS_TENANT), else all departments.
 * Platform-scoped kinds ignore both flags, as kubectl ignores -n for cluster-scoped kinds.
 */
export function tenantScope(
  r: ApiResource,
  opts: { tenant?: string; allTenants?: boolean },
  conn: Connection,
): TenantScope {
  if (opts.tenant !== undefined && opts.allTenants)
    throw usageError('--tenant and --all-tenants exclude each other', 'give one of them');
  if (r.scope === 'platform') return { kind: 'platform' };
  if (opts.tenant !== undefined) return { kind: 'tenant', tenant: opts.tenant };
  if (opts.allTenants) return { kind: 'all' };
  if (conn.tenant) return { kind: 'tenant', tenant: conn.tenant };
  return { kind: 'all' };
}

export function scopeTenant(scope: TenantScope): string | undefined {
  return scope.kind === 'tenant' ? scope.tenant : undefined;
}

export interface ListPage {
  readonly metadata?: { readonly resourceVersion?: string; readonly continue?: string };
  readonly items: ObjectLike[];
}

/** Every item of a collection, following `continue` through the pages (or one page of `limit`). */
export async function listAll(
  client: PolisClient,
  r: ApiResource,
  scope: TenantScope,
  query: { labelSelector?: string; limit?: number; continue?: string } = {},
): Promise<{ items: ObjectLike[]; resourceVersion?: string; continue?: string }> {
  const path = collectionPath(r, scopeTenant(scope));
  const items: ObjectLike[] = [];
  let cont = query.continue;
  let rv: string | undefined;
  for (;;) {
    const page = await client.get<ListPage>(path, {
      labelSelector: query.labelSelector,
      limit: query.limit ?? 500,
      continue: cont,
    });
    items.push(...page.items);
    rv ??= page.metadata?.resourceVersion;
    cont = page.metadata?.continue;
    if (!cont || query.limit !== undefined) return { items, resourceVersion: rv, continue: cont };
  }
}

/**
 * One object by name. Without a department for a tenant-scoped kind it is looked for in every department the caller
 * may see: found once, that is it; in several, the caller must choose with --tenant.
 */
export async function findObject(
  client: PolisClient,
  r: ApiResource,
  scope: TenantScope,
  name: string,
): Promise<ObjectLike> {
  if (scope.kind !== 'all') {
    try {
      return await client.get<ObjectLike>(itemPath(r, scopeTenant(scope), name));
    } catch (e) {
      throw e instanceof ApiError && e.status === 404 ? withHint(e, notFoundHint(r, scopeTenant(scope))) : e;
    }
  }
  const hits = (await listAll(client, r, scope)).items.filter((o) => o.metadata?.name === name);
  if (hits.length === 0) {
    throw new ApiError(
      404,
      { reason: 'NotFound', message: `${r.singular} "${name}" not found in any department you may see` },
      { hint: `polis get ${r.plural} -A lists them` },
    );
  }
  if (hits.length > 1) {
    const where = hits.map((o) => o.metadata?.tenant).join(', ');
    throw usageError(`${r.singular} "${name}" exists in several departments: ${where}`, 'say which with --tenant');
  }
  const tenant = hits[0]!.metadata?.tenant;
  if (tenant === undefined)
    throw new CliError(`${r.singular} "${name}" came without its department`, { exitCode: EXIT.failure });
  // Lists leave out sensitive fields; the item read has them when the caller may see them.
  return client.get<ObjectLike>(itemPath(r, tenant, name));
}

/** What to run to see which objects of a kind exist. */
export function notFoundHint(r: ApiResource, tenant: string | undefined): string {
  return `polis get ${r.plural}${r.scope === 'tenant' ? (tenant ? ` -n ${tenant}` : ' -A') : ''} lists what exists`;
}
