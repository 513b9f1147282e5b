import { fetchResources, resolveResource } from './api-resources.ts';
import { ApiError, usageError, withHint } from './cli-errors.ts';
import type { PolisClient } from './client.ts';
import type { CliContext } from './context.ts';
import { findObject } from './lookup.ts';
import type { ObjectLike } from './object-table.ts';

/** One application the rollout, export and describe commands act on. */
export interface AppTarget {
  readonly tenant: string;
  readonly name: string;
  /** `/apis/core.oam.dev/v1beta1/tenants/{tenant}/applications/{name}`: the item and its sub-routes. */
  readonly path: string;
  /** The stored object, when finding the department meant reading it. */
  readonly object?: ObjectLike;
}

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The applications of one department (watches of one application go here with a field selector). */
export function appsPath(tenant: string): string {
  return `/apis/core.oam.dev/v1beta1/tenants/${encodeURIComponent(tenant)}/applications`;
}

export function appPath(tenant: string, name: string): string {
  return `${appsPath(tenant)}/${encodeURIComponent(name)}`;
}

/**
 * The application NAME in --tenant, else the default department, else the one department (of those the caller may
 * see) that has an application of that name; in several, the caller must choose (exit 2).
 */
export async function locateApp(
  ctx: CliContext,
  client: PolisClient,
  name: string,
  opts: { readonly tenant?: string },
): Promise<AppTarget> {
  if (!NAME.test(name))
    throw usageError(
      `APP "${name}" is not an application name`,
      'give the name as polis get apps shows it: lower-case letters, digits and "-"',
    );
  if (opts.tenant !== undefined && opts.tenant.trim() === '')
    throw usageError('--tenant is empty', 'give a department name, e.g. --tenant edu');
  const tenant = opts.tenant ?? (await ctx.connection()).tenant;
  if (tenant !== undefined) return { tenant, name, path: appPath(tenant, name) };
  const r = resolveResource(await fetchResources(client), 'Application');
  const object = await findObject(client, r, { kind: 'all' }, name);
  const found = String(object.metadata?.tenant);
  return { tenant: found, name, path: appPath(found, name), object };
}

/** A 404 about the application gains a hint naming what lists the applications of its department. */
export function appNotFound(e: unknown, target: AppTarget): unknown {
  if (e instanceof ApiError && e.status === 404)
    return withHint(e, `polis get apps -n ${target.tenant} lists the applications of ${target.tenant}`);
  return e;
}

/** Reads the application (or returns the copy read while finding its department). */
export async function readApp(client: PolisClient, target: AppTarget): Promise<ObjectLike> {
  if (target.object) return target.object;
  try {
    return await client.get<ObjectLike>(target.path);
  } catch (e) {
    throw appNotFound(e, target);
  }
}
