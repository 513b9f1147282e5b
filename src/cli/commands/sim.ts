import { usageError } from '../cli-errors.ts';
import { appNotFound, locateApp } from '../app-target.ts';
import type { CliContext } from '../context.ts';
import { parseDuration } from '../durations.ts';
import { println } from '../io.ts';

const CLUSTER = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** `polis sim fail|partition|restore CLUSTER`: faults in the sandbox's simulated clusters (platform admins). */
export async function runSimFault(
  ctx: CliContext,
  fault: 'fail' | 'partition' | 'restore',
  cluster: string,
): Promise<number> {
  if (!CLUSTER.test(cluster))
    throw usageError(`CLUSTER "${cluster}" is not a cluster name`, 'give the name as polis get clusters shows it');
  const client = await ctx.connect();
  const r = await client.request<{ state: string }>(
    'POST',
    `/api/v1/sandbox/clusters/${encodeURIComponent(cluster)}/${fault}`,
    { body: {} },
  );
  const what = {
    fail: 'failed: unreachable, and its pods stop serving',
    partition: 'partitioned: unreachable from polis, its pods keep serving',
    restore: 'restored',
  }[fault];
  println(ctx.io, `cluster/${cluster} ${what} (now ${r.state}); polis get clusters -w shows polis noticing`);
  return 0;
}

/** `polis sim load APP --factor N [--for 10m] [--component C]`: multiply an application's simulated load. */
export async function runSimLoad(
  ctx: CliContext,
  app: string,
  opts: { tenant?: string; factor?: string; for?: string; component?: string },
): Promise<number> {
  if (opts.factor === undefined) throw usageError('--factor is required', 'e.g. --factor 30 for a citizen peak');
  const factor = Number(opts.factor);
  if (!Number.isFinite(factor) || factor < 0 || factor > 1000)
    throw usageError(`--factor ${opts.factor} is not valid`, 'a number from 0 to 1000; 1 is the normal load');
  const forSeconds = opts.for === undefined ? undefined : parseDuration(opts.for, '--for');
  const client = await ctx.connect();
  const target = await locateApp(ctx, client, app, opts);
  try {
    const r = await client.request<{ components: { component: string; offeredRps: number }[]; until?: string }>(
      'POST',
      `/api/v1/sandbox/tenants/${encodeURIComponent(target.tenant)}/applications/${encodeURIComponent(app)}/load`,
      {
        body: {
          factor,
          ...(forSeconds ? { forSeconds } : {}),
          ...(opts.component ? { component: opts.component } : {}),
        },
      },
    );
    const rates = r.components.map((c) => `${c.component} ${c.offeredRps} req/s`).join(', ');
    println(
      ctx.io,
      `application/${app} in ${target.tenant}: load ×${factor}${r.until ? ` until ${r.until}` : ''} (${rates})`,
    );
    return 0;
  } catch (e) {
    throw appNotFound(e, target);
  }
}
