import { fetchResources, qualifiedName } from '../api-resources.ts';
import { ApiError, EXIT, withoutListedCauses } from '../cli-errors.ts';
import type { CliContext } from '../context.ts';
import { println } from '../io.ts';
import type { Manifest } from '../manifests.ts';
import { locateCauses, readManifests } from '../manifests.ts';
import { parseOutput, toJson, toYaml } from '../printers.ts';

export interface ApplyOptions {
  readonly filename: readonly string[];
  readonly tenant?: string;
  readonly dryRun?: boolean;
  readonly recursive?: boolean;
  readonly output?: string;
}

interface ApplyResult {
  readonly kind: 'ApplyResult';
  readonly dryRun?: boolean;
  readonly items: ReadonlyArray<{
    action: 'created' | 'configured' | 'unchanged';
    object: { apiVersion: string; kind: string; metadata: { name: string } };
  }>;
}

/**
 * `polis apply -f FILE|DIR|-`: every document of every file in one request, so the server applies all or nothing.
 * Prints `application.core.oam.dev/enrolment-portal created|configured|unchanged` per object.
 */
export async function runApply(ctx: CliContext, opts: ApplyOptions): Promise<number> {
  const format = parseOutput(opts.output, ['table', 'name', 'json', 'yaml']);
  const manifests = await readManifests(ctx.io, opts.filename, { recursive: opts.recursive });
  const client = await ctx.connect();
  const conn = await ctx.connection();
  // The default department fills in documents that name none; an explicit --tenant is checked by the server.
  const docs =
    opts.tenant === undefined && conn.tenant
      ? await withDefaultTenant(manifests, conn.tenant, await tenantKinds(ctx))
      : manifests.map((m) => m.object);
  const path = opts.tenant === undefined ? '/api/v1/apply' : `/api/v1/tenants/${encodeURIComponent(opts.tenant)}/apply`;
  let result: ApplyResult;
  try {
    result = await client.request<ApplyResult>('POST', path, {
      body: docs,
      query: { dryRun: opts.dryRun ? 'All' : undefined },
    });
  } catch (e) {
    if (e instanceof ApiError)
      throw new ApiError(
        e.status,
        { message: withoutListedCauses(e.message, e.causes), reason: e.reason, requestId: e.requestId },
        { causes: locateCauses(e.causes, manifests), hint: e.hint ?? applyHint(e) },
      );
    throw e;
  }
  if (format === 'json' || format === 'yaml') {
    ctx.io.stdout.write(format === 'json' ? toJson(result) : toYaml(result));
    return EXIT.ok;
  }
  const suffix = opts.dryRun ? ' (dry run)' : '';
  for (const item of result.items) {
    const name = qualifiedName(item.object.kind, item.object.apiVersion, item.object.metadata.name);
    println(ctx.io, format === 'name' ? name : `${name} ${item.action}${suffix}`);
  }
  return EXIT.ok;

  async function tenantKinds(c: CliContext): Promise<Set<string>> {
    return new Set((await fetchResources(await c.connect())).filter((r) => r.scope === 'tenant').map((r) => r.kind));
  }
}

function withDefaultTenant(manifests: readonly Manifest[], tenant: string, tenantScoped: Set<string>): unknown[] {
  return manifests.map(({ object }) => {
    const o = object as { kind?: unknown; metadata?: Record<string, unknown> } | null;
    if (!o || typeof o !== 'object' || typeof o.kind !== 'string' || !tenantScoped.has(o.kind)) return object;
    if (!o.metadata || typeof o.metadata !== 'object' || o.metadata.tenant !== undefined) return object;
    return { ...o, metadata: { ...o.metadata, tenant } };
  });
}

function applyHint(e: ApiError): string | undefined {
  if (e.exitCode === EXIT.usage) return 'nothing was applied; fix the documents named above and run polis apply again';
  return undefined;
}
