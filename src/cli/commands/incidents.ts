import { usageError } from '../cli-errors.ts';
import type { CliContext } from '../context.ts';
import { println } from '../io.ts';

interface IncidentItem {
  metadata: { name: string; tenant?: string };
  spec: {
    state: string;
    verdictKind: string;
    culprit?: string;
    at: string;
    verdict: { reason?: { message?: string }; ownerText?: { message?: string } };
  };
}

/** `polis incidents [-n DEPT] [--all]`: open and acknowledged incidents (resolved ones too with --all). */
export async function runIncidents(ctx: CliContext, o: { tenant?: string; all?: boolean }): Promise<number> {
  const client = await ctx.connect();
  const path = o.tenant
    ? `/apis/polis.io/v1/tenants/${encodeURIComponent(o.tenant)}/incidents`
    : '/apis/polis.io/v1/incidents';
  const r = await client.request<{ items: IncidentItem[] }>('GET', path);
  const items = r.items.filter((i) => o.all || i.spec.state !== 'resolved');
  if (items.length === 0) println(ctx.io, 'no incidents');
  for (const i of items)
    println(
      ctx.io,
      `${i.metadata.tenant}/${i.metadata.name}\t${i.spec.state}\t${i.spec.verdictKind}\t${i.spec.culprit ?? '-'}\t` +
        `${i.spec.verdict.reason?.message ?? ''} → ${i.spec.verdict.ownerText?.message ?? ''}`,
    );
  return 0;
}

/** `polis incident ack|resolve NAME -n DEPT`. */
export async function runIncidentAct(
  ctx: CliContext,
  verb: 'ack' | 'resolve',
  name: string,
  o: { tenant?: string },
): Promise<number> {
  if (!o.tenant) throw usageError('-n DEPARTMENT is required', 'polis incidents shows DEPARTMENT/NAME');
  const client = await ctx.connect();
  const r = await client.request<IncidentItem>(
    'POST',
    `/apis/polis.io/v1/tenants/${encodeURIComponent(o.tenant)}/incidents/${encodeURIComponent(name)}/${verb === 'ack' ? 'acknowledge' : 'resolve'}`,
    { body: {} },
  );
  println(ctx.io, `incident/${name} in ${o.tenant}: ${r.spec.state}`);
  return 0;
}
