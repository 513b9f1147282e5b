import { appNotFound, locateApp } from '../app-target.ts';
import { ApiError, EXIT, usageError, withoutListedCauses } from '../cli-errors.ts';
import type { CliContext } from '../context.ts';
import { eprintln } from '../io.ts';
import type { RenderedApp } from '../manifest-stream.ts';
import { manifestStream, onlyCluster, placementHeader, unplacedWarnings } from '../manifest-stream.ts';
import { locateCauses, readManifests } from '../manifests.ts';
import { parseOutput, toJson } from '../printers.ts';

export interface RenderOptions {
  readonly filename?: string;
  readonly tenant?: string;
  readonly cluster?: string;
  readonly output?: string;
}

/**
 * `polis render -f FILE`: places and renders one Application on the server without storing anything. Prints the
 * placement as YAML comments, then per cluster its manifests (a YAML stream); `-o json` the server's answer.
 */
export async function runRender(ctx: CliContext, opts: RenderOptions): Promise<number> {
  const format = parseOutput(opts.output, ['table', 'yaml', 'json']);
  if (opts.filename === undefined)
    throw usageError('-f FILE is required: the file holding the Application to render', 'polis render -f app.yaml');
  checkCluster(opts.cluster);
  const manifests = await readManifests(ctx.io, [opts.filename]);
  if (manifests.length !== 1)
    throw usageError(
      `-f ${opts.filename} holds ${manifests.length} documents`,
      'render takes one Application: give a file with that one document',
    );
  const doc = manifests[0]!.object as { kind?: unknown; metadata?: { tenant?: unknown; name?: unknown } } | null;
  if (!doc || typeof doc !== 'object' || doc.kind !== 'Application')
    throw usageError(
      `-f ${opts.filename}: the document is ${doc && typeof doc === 'object' && typeof doc.kind === 'string' ? `a ${doc.kind}` : 'not an object with a kind'}, not an Application`,
      'render takes one Application (apiVersion core.oam.dev/v1beta1, kind Application)',
    );
  const named = typeof doc.metadata?.tenant === 'string' ? doc.metadata.tenant : undefined;
  if (opts.tenant !== undefined && named !== undefined && opts.tenant !== named)
    throw usageError(
      `--tenant ${opts.tenant} disagrees with metadata.tenant "${named}" in ${opts.filename}`,
      'drop one of them, or make them name the same department',
    );
  const client = await ctx.connect();
  const tenant = opts.tenant ?? named ?? (await ctx.connection()).tenant;
  if (tenant === undefined)
    throw usageError(
      `${opts.filename} names no department`,
      'pass --tenant T, set metadata.tenant, or save a default one with polis login --tenant',
    );
  let result: RenderedApp;
  try {
    result = await client.request<RenderedApp>('POST', `/api/v1/tenants/${encodeURIComponent(tenant)}/render`, {
      body: doc,
    });
  } catch (e) {
    if (e instanceof ApiError && e.exitCode === EXIT.usage)
      throw new ApiError(
        e.status,
        { message: withoutListedCauses(e.message, e.causes), reason: e.reason, requestId: e.requestId },
        { causes: locateCauses(e.causes, manifests), hint: 'nothing was stored; fix the file and render again' },
      );
    throw e;
  }
  const shown = opts.cluster === undefined ? result : onlyCluster(result, opts.cluster);
  if (format === 'json') {
    ctx.io.stdout.write(toJson(shown));
    return EXIT.ok;
  }
  for (const w of unplacedWarnings(result.placement)) eprintln(ctx.io, `warning: ${w}`);
  ctx.io.stdout.write(
    `# application: ${result.application} (tenant ${tenant}, rendered, not applied)\n${placementHeader(result.placement)}${manifestStream(shown.clusters)}`,
  );
  return EXIT.ok;
}

const EXPORTABLE = new Set(['app', 'apps', 'application', 'applications']);

/**
 * `polis export app NAME [--cluster C]`: the stored application's plain Kubernetes manifests, per cluster, as one
 * YAML stream (`# cluster: X` comments between clusters); `--cluster` keeps one cluster's, for `kubectl apply -f -`.
 */
export async function runExport(
  ctx: CliContext,
  kind: string,
  name: string,
  opts: { tenant?: string; cluster?: string; output?: string },
): Promise<number> {
  const format = parseOutput(opts.output, ['table', 'yaml', 'json']);
  if (!EXPORTABLE.has(kind.toLowerCase().replace(/\.core\.oam\.dev$/, '')))
    throw usageError(`polis export cannot export "${kind}"`, 'it exports applications: polis export app NAME');
  checkCluster(opts.cluster);
  const client = await ctx.connect();
  const target = await locateApp(ctx, client, name, opts);
  let result: RenderedApp;
  try {
    result = await client.get<RenderedApp>(`${target.path}/manifests`);
  } catch (e) {
    throw appNotFound(e, target);
  }
  const shown = opts.cluster === undefined ? result : onlyCluster(result, opts.cluster);
  if (format === 'json') {
    ctx.io.stdout.write(toJson(shown));
    return EXIT.ok;
  }
  for (const w of unplacedWarnings(result.placement)) eprintln(ctx.io, `warning: ${w}`);
  ctx.io.stdout.write(
    `# application: ${result.application} (tenant ${target.tenant}${result.revision ? `, revision ${result.revision}` : ''})\n${manifestStream(shown.clusters)}`,
  );
  return EXIT.ok;
}

function checkCluster(cluster: string | undefined): void {
  if (cluster !== undefined && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(cluster))
    throw usageError(`--cluster "${cluster}" is not a cluster name`, 'give a name as polis get clusters lists it');
}
