import type { UtilizationHistory, UtilizationLine } from '../../operations/utilization/utilization-series.ts';
import { CliError, EXIT } from '../cli-errors.ts';
import type { CliContext } from '../context.ts';
import { println } from '../io.ts';

export interface UtilizationOptions {
  readonly tenant?: string;
  readonly range?: string;
  readonly step?: string;
  readonly clusters?: boolean;
  readonly output?: string;
}

type Response = UtilizationHistory & { readonly range: string; readonly step: string; readonly intervals: string[] };

const RANGE = /^[1-9]\d{0,4}[hd]$/;
const STEPS = ['hour', 'day', 'month'];

/**
 * `polis utilization [--tenant T] [--range 7d] [--step day] [--clusters]`: requested, used and capacity (a
 * department's quota; a cluster's allocatable) per interval, from the metering roll-ups (docs/operations.md).
 */
export async function runUtilization(ctx: CliContext, opts: UtilizationOptions): Promise<number> {
  if (opts.range !== undefined && !RANGE.test(opts.range))
    throw new CliError(`--range ${opts.range} is not valid: expected <n>h or <n>d from 1h to 90d (e.g. 24h, 7d)`, {
      exitCode: EXIT.usage,
    });
  if (opts.step !== undefined && !STEPS.includes(opts.step))
    throw new CliError(`--step ${opts.step} is not valid: expected hour, day or month`, { exitCode: EXIT.usage });
  const client = await ctx.connect();
  const path =
    opts.tenant === undefined
      ? '/api/v1/utilization/history'
      : `/api/v1/tenants/${encodeURIComponent(opts.tenant)}/utilization/history`;
  const h = await client.get<Response>(path, { range: opts.range, step: opts.step });
  if (opts.output === 'json') {
    println(ctx.io, JSON.stringify(h, null, 2));
    return EXIT.ok;
  }
  const lines: [string, UtilizationLine][] = opts.clusters
    ? h.clusters.map((c) => [`cluster ${c.cluster}`, c])
    : h.departments.map((d) => [`department ${d.tenant}`, d]);
  if (lines.length === 0) println(ctx.io, `nothing metered over ${h.range}`);
  for (const [title, line] of lines) {
    println(ctx.io, `${title}, ${h.range} by ${h.step}`);
    println(ctx.io, 'INTERVAL\tCPU REQ\tCPU USED\tCPU CAP\tCPU USED/CAP\tMEM REQ\tMEM USED\tMEM CAP\tMEM USED/CAP');
    h.intervals.forEach((key, i) => {
      const cells = [
        cores(line.requested.cpu[i]),
        cores(line.used.cpu[i]),
        cores(line.capacity?.cpu[i]),
        percent(line.ratios.used?.cpu[i]),
        gib(line.requested.memory[i]),
        gib(line.used.memory[i]),
        gib(line.capacity?.memory[i]),
        percent(line.ratios.used?.memory[i]),
      ];
      println(ctx.io, [key, ...cells].join('\t'));
    });
  }
  return EXIT.ok;
}

function cores(v: number | null | undefined): string {
  return v === null || v === undefined ? '-' : v.toFixed(2);
}

function gib(v: number | null | undefined): string {
  return v === null || v === undefined ? '-' : `${(v / 2 ** 30).toFixed(2)}Gi`;
}

function percent(v: number | null | undefined): string {
  return v === null || v === undefined ? '-' : `${(v * 100).toFixed(1)}%`;
}
