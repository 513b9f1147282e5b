import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { usageError } from '../cli-errors.ts';
import type { CliContext } from '../context.ts';
import { parseDuration } from '../durations.ts';
import { println } from '../io.ts';

/** Options of `polis sim fault add TYPE`. */
export interface FaultAddOptions {
  target?: string;
  cluster?: string;
  node?: string;
  from?: string;
  to?: string;
  ms?: string;
  rate?: string;
  cores?: string;
  mibPerMinute?: string;
  loss?: string;
  revision?: string;
  for?: string;
}

const ref = (flag: string, v: string | undefined) => {
  if (v === undefined) return undefined;
  const m = /^([a-z0-9-]+)\/([a-z0-9-]+)$/.exec(v);
  if (!m) throw usageError(`${flag} ${v} is not NAMESPACE/COMPONENT`, 'e.g. --target edu--enrolment-portal/api');
  return { namespace: m[1]!, component: m[2]! };
};
const num = (flag: string, v: string | undefined) => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw usageError(`${flag} ${v} is not a number`, `give ${flag} a number`);
  return n;
};

/** `polis sim fault add TYPE …`: the server checks the fault and names any field it refuses. */
export async function runFaultAdd(ctx: CliContext, type: string, o: FaultAddOptions): Promise<number> {
  const body = Object.fromEntries(
    Object.entries({
      type,
      target: ref('--target', o.target),
      cluster: o.cluster,
      node: o.node,
      from: ref('--from', o.from),
      to: ref('--to', o.to),
      ms: num('--ms', o.ms),
      rate: num('--rate', o.rate),
      cores: num('--cores', o.cores),
      mibPerMinute: num('--mib-per-minute', o.mibPerMinute),
      loss: num('--loss', o.loss),
      revision: o.revision,
      durationSeconds: o.for === undefined ? undefined : parseDuration(o.for, '--for'),
    }).filter(([, v]) => v !== undefined),
  );
  const client = await ctx.connect();
  const f = await client.request<{ id: string; type: string; startedAt: string; endsAt?: string }>(
    'POST',
    '/api/v1/sandbox/faults',
    { body },
  );
  println(ctx.io, `fault/${f.id} ${f.type} injected at ${f.startedAt}${f.endsAt ? `, ends ${f.endsAt}` : ''}`);
  return 0;
}

export async function runFaultList(ctx: CliContext): Promise<number> {
  const client = await ctx.connect();
  const r = await client.request<{
    items: ({ id: string; type: string; startedAt: string } & Record<string, unknown>)[];
  }>('GET', '/api/v1/sandbox/faults');
  if (r.items.length === 0) println(ctx.io, 'no faults in force');
  for (const f of r.items) {
    const { id, type, startedAt, ...rest } = f;
    println(ctx.io, `${id}\t${type}\t${startedAt}\t${JSON.stringify(rest)}`);
  }
  return 0;
}

export async function runFaultClear(ctx: CliContext, id: string | undefined, o: { all?: boolean }): Promise<number> {
  if (!id && !o.all) throw usageError('name a fault or give --all', 'polis sim fault list shows the ids');
  const client = await ctx.connect();
  const r = await client.request<{ cleared: number }>(
    'DELETE',
    id ? `/api/v1/sandbox/faults/${encodeURIComponent(id)}` : '/api/v1/sandbox/faults',
  );
  println(ctx.io, `${r.cleared} fault(s) cleared`);
  return 0;
}

/** `polis sim fault play -f scenario.yaml`: faults at offsets from now (YAML or JSON). */
export async function runFaultPlay(ctx: CliContext, o: { file?: string }): Promise<number> {
  if (!o.file) throw usageError('-f FILE is required', 'a FaultScenario: faults: [{afterSeconds, fault}]');
  const body: unknown = parseYaml(await readFile(o.file, 'utf8'));
  const client = await ctx.connect();
  const r = await client.request<{ starts: string[] }>('POST', '/api/v1/sandbox/faults/scenario', { body });
  println(ctx.io, `${r.starts.length} fault(s) scheduled: ${r.starts.join(', ')}`);
  return 0;
}
