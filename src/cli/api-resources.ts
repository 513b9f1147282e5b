import { CliError, EXIT, usageError } from './cli-errors.ts';
import type { PolisClient } from './client.ts';

export interface PrintColumn {
  readonly name: string;
  readonly path: string;
  readonly wide?: boolean;
  /** `age`: a timestamp shown as the time since then. */
  readonly format?: 'age';
}

/** One served kind, as GET /apis describes it. */
export interface ApiResource {
  readonly apiVersion: string;
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  readonly scope: 'platform' | 'tenant';
  readonly verbs: readonly string[];
  readonly printColumns: readonly PrintColumn[];
  readonly description?: string;
  readonly path: string;
}

export async function fetchResources(client: PolisClient): Promise<ApiResource[]> {
  const list = await client.get<{ resources?: ApiResource[] }>('/apis');
  if (!Array.isArray(list.resources))
    throw new CliError(`GET /apis at ${client.server} did not list resources`, {
      exitCode: EXIT.unreachable,
      hint: 'is this address a polis server?',
    });
  return list.resources;
}

/**
 * Finds the kind a person means: plural, singular, short name or kind, case-insensitive, optionally qualified by
 * group (`applications.core.oam.dev`). Unknown names are a usage error listing what is served.
 */
export function resolveResource(resources: readonly ApiResource[], input: string): ApiResource {
  const wanted = input.toLowerCase();
  const dot = wanted.indexOf('.');
  const [name, group] = dot > 0 ? [wanted.slice(0, dot), wanted.slice(dot + 1)] : [wanted, undefined];
  const names = (r: ApiResource) => [r.plural, r.singular, r.kind, ...r.shortNames].map((n) => n.toLowerCase());
  const hit = resources.find(
    (r) => (group === undefined || r.group.toLowerCase() === group) && names(r).includes(name),
  );
  if (hit) return hit;
  const served = resources
    .map((r) => r.plural)
    .sort()
    .join(', ');
  throw usageError(`the server has no resource type "${input}"`, `polis api-resources lists them: ${served}`);
}

/** `application.core.oam.dev/enrolment-portal`, as kubectl names objects. */
export function qualifiedName(kind: string, apiVersion: string, name: string): string {
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
  return `${kind.toLowerCase()}${group ? `.${group}` : ''}/${name}`;
}

/** The collection path: one department's, the platform's, or (tenant undefined) across departments. */
export function collectionPath(r: ApiResource, tenant: string | undefined): string {
  const base = `/apis/${r.group}/${r.version}`;
  if (r.scope === 'tenant' && tenant !== undefined) return `${base}/tenants/${encodeURIComponent(tenant)}/${r.plural}`;
  return `${base}/${r.plural}`;
}

export function itemPath(r: ApiResource, tenant: string | undefined, name: string): string {
  return `${collectionPath(r, r.scope === 'tenant' ? tenant : undefined)}/${encodeURIComponent(name)}`;
}
