import { fetchResources, qualifiedName } from '../api-resources.ts';
import type { Cause } from '../cli-errors.ts';
import { ApiError, EXIT, usageError, withoutListedCauses } from '../cli-errors.ts';
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
  /** Documents a request (`--batch N`); all in one request when absent. */
  readonly batch?: string;
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
 * With `--batch N`, N documents a request in file order, each request all or nothing (for more than the server takes
 * in one body: POLIS_BODY_LIMIT); the first part refused stops the rest, and what was applied before it is printed.
 * Prints `application.core.oam.dev/enrolment-portal created|configured|unchanged` per object.
 */
export async function runApply(ctx: CliContext, opts: ApplyOptions): Promise<number> {
  const format = parseOutput(opts.output, ['table', 'name', 'json', 'yaml']);
  const batch = parseBatch(opts.batch);
  const manifests = await readManifests(ctx.io, opts.filename, { recursive: opts.recursive });
  const client = await ctx.connect();
  const conn = await ctx.connection();
  // The default department fills in documents that name none; an explicit --tenant is checked by the server.
  const docs =
    opts.tenant === undefined && conn.tenant
      ? await withDefaultTenant(manifests, conn.tenant, await tenantKinds(ctx))
      : manifests.map((m) => m.object);
  const path = opts.tenant === undefined ? '/api/v1/apply' : `/api/v1/tenants/${encodeURIComponent(opts.tenant)}/apply`;
  const size = batch ?? Math.max(docs.length, 1);
  const parts = Math.ceil(docs.length / size);
  const items: ApplyResult['items'][number][] = [];
  for (let part = 0; part < Math.max(parts, 1); part++) {
    const from = part * size;
    let result: ApplyResult;
    try {
      result = await client.request<ApplyResult>('POST', path, {
        body: docs.slice(from, from + size),
        query: { dryRun: opts.dryRun ? 'All' : undefined },
      });
    } catch (e) {
      if (e instanceof ApiError)
        throw new ApiError(
          e.status,
          { message: withoutListedCauses(e.message, e.causes), reason: e.reason, requestId: e.requestId },
          {
            causes: locateCauses(
              parts > 1 ? inWholeApply(e.causes, from, Math.min(size, docs.length - from)) : e.causes,
              manifests,
            ),
            hint: e.hint ?? applyHint(e, { part, parts, from, size, total: docs.length, applied: items.length }),
          },
        );
      throw e;
    }
    items.push(...result.items);
    if (format !== 'json' && format !== 'yaml') printItems(result.items);
  }
  if (format === 'json' || format === 'yaml') {
    const result: ApplyResult = { kind: 'ApplyResult', ...(opts.dryRun ? { dryRun: true } : {}), items };
    ctx.io.stdout.write(format === 'json' ? toJson(result) : toYaml(result));
  }
  return EXIT.ok;

  function printItems(list: ApplyResult['items']): void {
    const suffix = opts.dryRun ? ' (dry run)' : '';
    for (const item of list) {
      const name = qualifiedName(item.object.kind, item.object.apiVersion, item.object.metadata.name);
      println(ctx.io, format === 'name' ? name : `${name} ${item.action}${suffix}`);
    }
  }

  async function tenantKinds(c: CliContext): Promise<Set<string>> {
    return new Set((await fetchResources(await c.connect())).filter((r) => r.scope === 'tenant').map((r) => r.kind));
  }
}

/**
 * A part's causes as paths of the whole apply: the server numbers a part's documents from 0, and a request of one
 * document has paths without the `documents[i]` prefix.
 */
function inWholeApply(causes: readonly Cause[], from: number, sent: number): Cause[] {
  return causes.map((c) => {
    const m = /^documents\[(\d+)\]/.exec(c.path);
    if (m) return { ...c, path: `documents[${Number(m[1]) + from}]${c.path.slice(m[0].length)}` };
    if (sent === 1) return { ...c, path: c.path ? `documents[${from}].${c.path}` : `documents[${from}]` };
    return c;
  });
}

/** `--batch N`: a whole number of documents a request, at least 1. */
function parseBatch(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9][0-9]{0,5}$/.test(value))
    throw usageError(
      `--batch: "${value}" is not a number of documents`,
      'give a whole number from 1 to 999999, for example --batch 200',
    );
  return Number(value);
}
function withDefaultTenant(manifests: readonly Manifest[], tenant: string, tenantScoped: Set<string>): unknown[] {
  return manifests.map(({ object }) => {
    const o = object as { kind?: unknown; metadata?: Record<string, unknown> } | null;
    if (!o || typeof o !== 'object' || typeof o.kind !== 'string' || !tenantScoped.has(o.kind)) return object;
    if (!o.metadata || typeof o.metadata !== 'object' || o.metadata.tenant !== undefined) return object;
    return { ...o, metadata: { ...o.metadata, tenant } };
  });
}

interface PartSent {
  readonly part: number;
  readonly parts: number;
  readonly from: number;
  readonly size: number;
  readonly total: number;
  readonly applied: number;
}

function applyHint(e: ApiError, p: PartSent): string | undefined {
  const documents = `documents ${p.from + 1}–${Math.min(p.from + p.size, p.total)} of ${p.total}`;
  if (p.parts > 1 && p.part > 0) {
    const refused = e.exitCode === EXIT.usage ? 'fix the documents named above and ' : '';
    return `parts 1–${p.part} of ${p.parts} were applied (${p.applied} objects, printed above); part ${p.part + 1} (${documents}) was not: ${refused}run polis apply again (what was applied shows unchanged)`;
  }
  if (e.status === 413)
    return `nothing was applied: the ${p.total} documents are more than the server takes in one request (POLIS_BODY_LIMIT); send them in parts with --batch 200 (each part all or nothing), or raise the server's POLIS_BODY_LIMIT`;
  if (e.exitCode === EXIT.usage) return 'nothing was applied; fix the documents named above and run polis apply again';
  return undefined;
}
