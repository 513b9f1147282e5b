import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Bill } from '../../operations/billing/bill.ts';
import { yuanText } from '../../operations/billing/bill.ts';
import { CliError, EXIT } from '../cli-errors.ts';
import type { CliContext } from '../context.ts';
import { println } from '../io.ts';

export interface BillOptions {
  readonly tenant?: string;
  readonly month?: string;
  readonly export?: string;
  readonly file?: string;
  readonly output?: string;
}

interface BillList {
  readonly month: string;
  readonly items: readonly { tenant: string; totalFen: number; forecastFen: number; closedDays: number }[];
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/**
 * `polis bill [--month YYYY-MM] [--export csv|xlsx]`: a department's monthly bill (lines by application, cluster,
 * vendor and item), or, for someone who sees several departments and names none, each one's total.
 */
export async function runBill(ctx: CliContext, opts: BillOptions): Promise<number> {
  if (opts.month !== undefined && !MONTH.test(opts.month))
    throw new CliError(`--month ${opts.month} is not valid: expected YYYY-MM (e.g. 2026-12)`, { exitCode: EXIT.usage });
  if (opts.export !== undefined && opts.export !== 'csv' && opts.export !== 'xlsx')
    throw new CliError(`--export ${opts.export} is not valid: expected csv or xlsx`, { exitCode: EXIT.usage });
  const client = await ctx.connect();
  let tenant = opts.tenant;
  if (tenant === undefined) {
    const list = await client.get<BillList>('/api/v1/bills', { month: opts.month });
    if (list.items.length !== 1 || opts.export === undefined) {
      if (list.items.length !== 1) {
        if (opts.export !== undefined)
          throw new CliError('--export needs one department: name it with --tenant', { exitCode: EXIT.usage });
        if (opts.output === 'json') println(ctx.io, JSON.stringify(list, null, 2));
        else {
          println(ctx.io, `DEPARTMENT\tMONTH\tDAYS\tTOTAL (¥)\tFORECAST (¥)`);
          for (const i of list.items)
            println(
              ctx.io,
              `${i.tenant}\t${list.month}\t${i.closedDays}\t${yuanText(i.totalFen)}\t${yuanText(i.forecastFen)}`,
            );
        }
        return EXIT.ok;
      }
    }
    tenant = list.items[0]!.tenant;
  }
  const path = `/api/v1/tenants/${encodeURIComponent(tenant)}/bill`;
  if (opts.export !== undefined) {
    const { data, filename } = await client.download(path, { month: opts.month, format: opts.export });
    const file = opts.file ?? filename ?? `polis-bill-${tenant}.${opts.export}`;
    await writeFile(resolve(ctx.io.cwd ?? process.cwd(), file), data);
    println(ctx.io, `bill of ${tenant} written to ${file}`);
    return EXIT.ok;
  }
  const bill = await client.get<Bill>(path, { month: opts.month });
  if (opts.output === 'json') {
    println(ctx.io, JSON.stringify(bill, null, 2));
    return EXIT.ok;
  }
  println(ctx.io, `bill of ${bill.tenant} for ${bill.month}: ${bill.closedDays} of ${bill.daysInMonth} days closed`);
  println(ctx.io, `APPLICATION\tCLUSTER\tVENDOR\tITEM\t¥`);
  for (const l of bill.lines)
    println(ctx.io, `${l.app || '-'}\t${l.cluster || '-'}\t${l.vendor || '-'}\t${l.item}\t${yuanText(l.fen)}`);
  println(ctx.io, `total ¥${yuanText(bill.totalFen)}, month-end forecast ¥${yuanText(bill.forecastFen)}`);
  return EXIT.ok;
}

/** `polis budget set AMOUNT [--tenant T] [--name N] [--thresholds 80,100]`: a department's monthly budget in yuan. */
export async function runBudgetSet(
  ctx: CliContext,
  amount: string,
  opts: { tenant?: string; name?: string; thresholds?: string },
): Promise<number> {
  const yuan = Number(amount);
  if (!/^\d+(\.\d{1,2})?$/.test(amount) || !Number.isFinite(yuan))
    throw new CliError(`amount ${amount} is not valid: expected yuan with at most two decimals (e.g. 20000)`, {
      exitCode: EXIT.usage,
    });
  if (!opts.tenant)
    throw new CliError('--tenant is required: the department the budget is for', { exitCode: EXIT.usage });
  const thresholds = opts.thresholds?.split(',').map((x) => Number(x.trim()));
  if (thresholds && thresholds.some((x) => !Number.isInteger(x) || x < 1 || x > 1000))
    throw new CliError(`--thresholds ${opts.thresholds} is not valid: expected percentages such as 50,80,100`, {
      exitCode: EXIT.usage,
    });
  const client = await ctx.connect();
  const name = opts.name ?? 'monthly';
  await client.request('POST', `/api/v1/tenants/${encodeURIComponent(opts.tenant)}/apply`, {
    body: {
      apiVersion: 'polis.io/v1',
      kind: 'Budget',
      metadata: { name, tenant: opts.tenant },
      spec: { amount: yuan, ...(thresholds ? { thresholds } : {}) },
    },
  });
  println(ctx.io, `budget ${name} of ${opts.tenant} set to ¥${yuan.toFixed(2)} a month`);
  return EXIT.ok;
}
