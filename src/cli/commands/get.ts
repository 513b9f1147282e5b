import type { ApiResource } from '../api-resources.ts';
import { fetchResources, qualifiedName, resolveResource } from '../api-resources.ts';
import { ApiError, CliError, EXIT } from '../cli-errors.ts';
import type { CliContext } from '../context.ts';
import { parseCount, parseDuration } from '../durations.ts';
import { eprintln, println } from '../io.ts';
import type { TenantScope } from '../lookup.ts';
import { findObject, listAll, tenantScope } from '../lookup.ts';
import type { ObjectLike, TableShape } from '../object-table.ts';
import { objectHeader, objectRow } from '../object-table.ts';
import type { OutputFormat } from '../printers.ts';
import { formatTable, parseOutput, toJson, toYaml } from '../printers.ts';
import { watchObjects } from './get-watch.ts';

export interface GetOptions {
  readonly output?: string;
  readonly selector?: string;
  readonly tenant?: string;
  readonly allTenants?: boolean;
  readonly watch?: boolean;
  readonly limit?: string;
  readonly continue?: string;
  readonly timeout?: string;
}

/** `polis get KIND [NAME...]`: a table (or yaml, json, names) of objects; `-w` keeps printing changes. */
export async function runGet(
  ctx: CliContext,
  kindArg: string,
  names: readonly string[],
  opts: GetOptions,
): Promise<number> {
  const format = parseOutput(opts.output, ['table', 'wide', 'name', 'json', 'yaml']);
  const limit = opts.limit === undefined ? undefined : parseCount(opts.limit, '--limit', 1, 10_000);
  const timeoutSeconds = opts.timeout === undefined ? undefined : parseDuration(opts.timeout, '--timeout');
  const client = await ctx.connect();
  const r = resolveResource(await fetchResources(client), kindArg);
  const scope = tenantScope(r, opts, await ctx.connection());
  const shape: TableShape = { wide: format === 'wide', withTenant: scope.kind === 'all' };
  if (opts.watch && names.length > 1)
    throw new CliError('-w watches one name or a whole list', {
      exitCode: EXIT.usage,
      hint: 'give at most one NAME with -w',
    });

  if (names.length === 0) {
    const page = await listAll(client, r, scope, { labelSelector: opts.selector, limit, continue: opts.continue });
    if (opts.watch) {
      return watchObjects(ctx, client, r, scope, {
        format,
        shape,
        initial: page.items,
        resourceVersion: page.resourceVersion,
        labelSelector: opts.selector,
        timeoutSeconds,
      });
    }
    printList(ctx, r, page.items, format, shape, page.resourceVersion);
    if (page.items.length === 0 && (format === 'table' || format === 'wide')) eprintln(ctx.io, noneFound(r, scope));
    if (page.continue) eprintln(ctx.io, `more ${r.plural} follow: add --continue ${page.continue}`);
    return EXIT.ok;
  }

  const found: ObjectLike[] = [];
  let firstError: CliError | undefined;
  for (const name of names) {
    try {
      found.push(await findObject(client, r, scope, name));
    } catch (e) {
      if (!(e instanceof ApiError) || names.length === 1) throw e;
      firstError ??= e;
      eprintln(ctx.io, `error: ${e.message}`);
    }
  }
  // A single name found in one department of several is shown with its department, like a list across them.
  const named: TableShape = { ...shape, withTenant: shape.withTenant && r.scope === 'tenant' };
  if (opts.watch) {
    const obj = found[0]!;
    const tenantOf: TenantScope = obj.metadata?.tenant ? { kind: 'tenant', tenant: obj.metadata.tenant } : scope;
    return watchObjects(ctx, client, r, tenantOf, {
      format,
      shape: named,
      initial: [obj],
      resourceVersion: obj.metadata?.resourceVersion as string | undefined,
      name: names[0],
      timeoutSeconds,
    });
  }
  if (found.length === 1 && (format === 'json' || format === 'yaml'))
    ctx.io.stdout.write(format === 'json' ? toJson(found[0]) : toYaml(found[0]));
  else if (found.length > 0) printList(ctx, r, found, format, named);
  return firstError ? firstError.exitCode : EXIT.ok;
}

function printList(
  ctx: CliContext,
  r: ApiResource,
  items: readonly ObjectLike[],
  format: OutputFormat,
  shape: TableShape,
  resourceVersion?: string,
): void {
  const io = ctx.io;
  if (format === 'json' || format === 'yaml') {
    const list = { apiVersion: 'v1', kind: 'List', metadata: resourceVersion ? { resourceVersion } : {}, items };
    io.stdout.write(format === 'json' ? toJson(list) : toYaml(list));
  } else if (format === 'name') {
    for (const o of items) println(io, qualifiedName(r.kind, r.apiVersion, String(o.metadata?.name)));
  } else if (items.length > 0) {
    const now = ctx.now();
    io.stdout.write(
      formatTable(
        objectHeader(r, shape),
        items.map((o) => objectRow(r, o, shape, now)),
      ),
    );
  }
}

function noneFound(r: ApiResource, scope: TenantScope): string {
  if (scope.kind === 'tenant') return `No ${r.plural} found in department ${scope.tenant}.`;
  if (scope.kind === 'all') return `No ${r.plural} found in the departments you may see.`;
  return `No ${r.plural} found.`;
}
