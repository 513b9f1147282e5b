import type { ApiResource } from '../api-resources.ts';
import { fetchResources, itemPath, qualifiedName, resolveResource } from '../api-resources.ts';
import { ApiError, CliError, EXIT, usageError, withHint } from '../cli-errors.ts';
import type { PolisClient } from '../client.ts';
import type { CliContext } from '../context.ts';
import { eprintln, println } from '../io.ts';
import { listAll, notFoundHint, tenantScope } from '../lookup.ts';
import { readManifests } from '../manifests.ts';
import type { ObjectLike } from '../object-table.ts';

export interface DeleteOptions {
  readonly filename?: readonly string[];
  readonly tenant?: string;
  readonly dryRun?: boolean;
  readonly recursive?: boolean;
  readonly ignoreNotFound?: boolean;
}

interface Target {
  readonly r: ApiResource;
  readonly tenant?: string;
  readonly name: string;
}

/**
 * `polis delete KIND NAME...` or `polis delete -f FILE`: one DELETE per object, going on past failures; the exit
 * code is the first failure's. A tenant-scoped object needs its department (--tenant, the default department, or
 * metadata.tenant in the file): a delete never guesses.
 */
export async function runDelete(ctx: CliContext, args: readonly string[], opts: DeleteOptions): Promise<number> {
  const files = opts.filename ?? [];
  if (files.length > 0 && args.length > 0) throw usageError('give KIND NAME... or -f FILE, not both');
  if (files.length === 0 && args.length < 2)
    throw usageError('nothing to delete', 'polis delete KIND NAME... or polis delete -f FILE');
  const manifests = files.length > 0 ? await readManifests(ctx.io, files, { recursive: opts.recursive }) : [];
  const client = await ctx.connect();
  const resources = await fetchResources(client);
  const conn = await ctx.connection();
  const targets: Target[] = [];
  if (files.length === 0) {
    const r = resolveResource(resources, args[0]!);
    const scope = tenantScope(r, { tenant: opts.tenant }, conn);
    if (scope.kind === 'all') await refuseWithoutTenant(client, r, args.slice(1));
    for (const name of args.slice(1))
      targets.push({ r, name, tenant: scope.kind === 'tenant' ? scope.tenant : undefined });
  } else {
    for (const m of manifests) {
      const o = m.object as ObjectLike | null;
      const kind = typeof o?.kind === 'string' ? o.kind : undefined;
      const name = o?.metadata?.name;
      if (!kind || typeof name !== 'string')
        throw usageError(`${m.source} (document ${m.document}) lacks kind or metadata.name`);
      const r = resolveResource(resources, kind);
      const tenant = r.scope === 'tenant' ? (o?.metadata?.tenant ?? opts.tenant ?? conn.tenant) : undefined;
      if (r.scope === 'tenant' && tenant === undefined)
        throw usageError(
          `${m.source} (document ${m.document}): ${r.singular} "${name}" names no department`,
          'set metadata.tenant or pass --tenant',
        );
      targets.push({ r, name, tenant });
    }
  }

  let exitCode: number = EXIT.ok;
  const suffix = opts.dryRun ? ' (dry run)' : '';
  for (const t of targets) {
    const shown = qualifiedName(t.r.kind, t.r.apiVersion, t.name);
    try {
      const last = await client.request<ObjectLike>('DELETE', itemPath(t.r, t.tenant, t.name), {
        query: { dryRun: opts.dryRun ? 'All' : undefined },
      });
      const finalizers = (last?.metadata?.finalizers as string[] | undefined) ?? [];
      println(
        ctx.io,
        finalizers.length > 0
          ? `${shown} marked for deletion (waiting for: ${finalizers.join(', ')})${suffix}`
          : `${shown} deleted${suffix}`,
      );
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      if (e.status === 404 && opts.ignoreNotFound) continue;
      if (targets.length === 1)
        throw e.status === 404
          ? withHint(e, `${notFoundHint(t.r, t.tenant)}; --ignore-not-found treats it as deleted`)
          : e;
      eprintln(ctx.io, `error: ${shown}: ${e.message}`);
      if (exitCode === EXIT.ok) exitCode = e.exitCode;
    }
  }
  return exitCode;
}

/** Without a department, say where the objects are, so the person re-runs with --tenant. */
async function refuseWithoutTenant(client: PolisClient, r: ApiResource, names: readonly string[]): Promise<never> {
  const found = (await listAll(client, r, { kind: 'all' })).items.filter((o) =>
    names.includes(String(o.metadata?.name)),
  );
  const where = [...new Set(found.map((o) => o.metadata?.tenant))].filter((t): t is string => typeof t === 'string');
  const hint =
    where.length === 1
      ? `pass --tenant ${where[0]}`
      : where.length > 1
        ? `they are in ${where.join(', ')}: pass --tenant`
        : `none of them exists in a department you may see (polis get ${r.plural} -A)`;
  throw new CliError(`${r.plural} belong to a department: say which`, { exitCode: EXIT.usage, hint });
}
