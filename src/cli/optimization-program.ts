import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { parseBytes, quantityProblem } from '../kernel/quantity.ts';
import { consolidationPlan } from '../operations/consolidation/consolidation-plan.ts';
import { parseUtilizationCsv } from '../operations/consolidation/utilization-csv.ts';
import { locateApp } from './app-target.ts';
import { usageError } from './cli-errors.ts';
import type { CliContext } from './context.ts';
import { println } from './io.ts';

interface Option {
  readonly cpuMilli: number;
  readonly memoryBytes: number;
  readonly yuanPerMonth: number;
  readonly risk: { readonly share: number; readonly violationMinutes: number };
}
interface Rec {
  readonly component: string;
  readonly replicas: number;
  readonly current: Option;
  readonly vpa: Option;
  readonly percentile: Option;
  readonly recommended: Option & { readonly profile: string };
  readonly savingYuanPerMonth: number;
  readonly notes: readonly { readonly message: string }[];
}
interface AppRecs {
  readonly tenant: string;
  readonly application: string;
  readonly components: readonly Rec[];
  readonly savingYuanPerMonth: number;
}

const cpu = (m: number) => `${m}m`;
const mem = (b: number) => `${Math.round(b / 2 ** 20)}Mi`;
const pct = (s: number) => `${(100 * s).toFixed(2)}%`;

function priceQuery(opts: { cpuPrice?: string; memoryPrice?: string }): string {
  const q = new URLSearchParams();
  if (opts.cpuPrice !== undefined) q.set('cpuCoreHour', opts.cpuPrice);
  if (opts.memoryPrice !== undefined) q.set('memoryGiBHour', opts.memoryPrice);
  const s = q.toString();
  return s ? `?${s}` : '';
}

/**
 * `polis recommend [APP]`, `polis recommend apply APP COMPONENT`, `polis assess [APP]` and
 * `polis consolidate FILE.csv` (docs/operations.md, docs/cli.md).
 */
export function registerOptimizationCommands(
  program: Command,
  ctx: CliContext,
  run: (p: Promise<number>) => Promise<void>,
  examples: (cmd: Command, text: string) => Command,
): void {
  const recommend = program
    .command('recommend')
    .description('rightsizing recommendations (优化建议): requests, saving and risk per component')
    .argument('[app]', 'one application; without it, the largest savings of the departments you may see')
    .option('--tenant <department>', 'the department of APP')
    .option('--cpu-price <yuan>', 'yuan per core-hour (default: the sandbox private price)')
    .option('--memory-price <yuan>', 'yuan per GiB-hour')
    .option('-o, --output <format>', 'json')
    .action(
      (app: string | undefined, opts: { tenant?: string; cpuPrice?: string; memoryPrice?: string; output?: string }) =>
        run(
          (async () => {
            const client = await ctx.connect();
            const q = priceQuery(opts);
            const list: AppRecs[] = [];
            if (app !== undefined) {
              const target = await locateApp(ctx, client, app, opts);
              list.push(
                await client.request<AppRecs>(
                  'GET',
                  `/api/v1/tenants/${encodeURIComponent(target.tenant)}/applications/${encodeURIComponent(target.name)}/recommendations${q}`,
                ),
              );
            } else {
              list.push(...(await client.request<{ items: AppRecs[] }>('GET', `/api/v1/recommendations${q}`)).items);
            }
            if (opts.output === 'json') {
              println(ctx.io, JSON.stringify(app !== undefined ? list[0] : { items: list }, null, 2));
              return 0;
            }
            println(
              ctx.io,
              'DEPARTMENT\tAPPLICATION\tCOMPONENT\tCURRENT\tRECOMMENDED\tPROFILE\tRISK\tSAVING (¥/MONTH)',
            );
            for (const a of list)
              for (const c of a.components)
                println(
                  ctx.io,
                  [
                    a.tenant,
                    a.application,
                    c.component,
                    `${cpu(c.current.cpuMilli)}/${mem(c.current.memoryBytes)}`,
                    `${cpu(c.recommended.cpuMilli)}/${mem(c.recommended.memoryBytes)}`,
                    c.recommended.profile,
                    pct(c.recommended.risk.share),
                    c.savingYuanPerMonth.toFixed(2),
                  ].join('\t'),
                );
            for (const a of list)
              for (const c of a.components) for (const n of c.notes) println(ctx.io, `note: ${n.message}`);
            return 0;
          })(),
        ),
    );
  examples(
    recommend,
    '  polis recommend\n  polis recommend enrolment --cpu-price 0.2\n  polis recommend apply enrolment web',
  );
  recommend
    .command('apply')
    .description("apply a component's recommended requests: a new revision (polis rollout undo reverts it)")
    .argument('<app>', 'the application')
    .argument('<component>', 'the component')
    .option('--tenant <department>', 'the department of APP')
    .option('--cpu-price <yuan>', 'yuan per core-hour')
    .option('--memory-price <yuan>', 'yuan per GiB-hour')
    .option('--dry-run', 'check and show, store nothing')
    .action(
      (
        app: string,
        component: string,
        opts: { tenant?: string; cpuPrice?: string; memoryPrice?: string; dryRun?: boolean },
      ) =>
        run(
          (async () => {
            const client = await ctx.connect();
            const target = await locateApp(ctx, client, app, opts);
            let q = priceQuery(opts);
            if (opts.dryRun) q += `${q ? '&' : '?'}dryRun=All`;
            const r = await client.request<{ generation: number; message: { message: string }; recommendation: Rec }>(
              'POST',
              `/api/v1/tenants/${encodeURIComponent(target.tenant)}/applications/${encodeURIComponent(target.name)}/recommendations/${encodeURIComponent(component)}/apply${q}`,
            );
            println(
              ctx.io,
              `${r.message.message}; saving ¥${r.recommendation.savingYuanPerMonth.toFixed(2)}/month; revision ${r.generation}${opts.dryRun ? ' (dry run)' : ''}`,
            );
            return 0;
          })(),
        ),
    );

  examples(
    program
      .command('assess')
      .description(
        'maturity assessment (评估): scorecard of an application, or scores per department and the platform level',
      )
      .argument('[app]', 'one application')
      .option('--tenant <department>', 'the department of APP')
      .option('-o, --output <format>', 'json')
      .action((app: string | undefined, opts: { tenant?: string; output?: string }) =>
        run(
          (async () => {
            const client = await ctx.connect();
            if (app !== undefined) {
              const target = await locateApp(ctx, client, app, opts);
              const card = await client.request<{
                score: number;
                inStandard: boolean;
                results: {
                  check: string;
                  severity: string;
                  component?: string;
                  passed: boolean;
                  mandatory: boolean;
                  reason?: { message: string };
                  fix?: { message: string };
                }[];
              }>(
                'GET',
                `/api/v1/tenants/${encodeURIComponent(target.tenant)}/applications/${encodeURIComponent(target.name)}/assessment`,
              );
              if (opts.output === 'json') {
                println(ctx.io, JSON.stringify(card, null, 2));
                return 0;
              }
              println(
                ctx.io,
                `score ${card.score}/100${card.inStandard ? ', in the standard' : ', not in the standard (a danger check fails)'}`,
              );
              println(ctx.io, 'CHECK\tSEVERITY\tCOMPONENT\tRESULT\tREASON\tFIX');
              for (const r of card.results.filter((x) => !x.passed))
                println(
                  ctx.io,
                  [
                    r.check,
                    r.severity + (r.mandatory ? ' (mandatory)' : ''),
                    r.component ?? '-',
                    'fail',
                    r.reason?.message ?? '',
                    r.fix?.message ?? '',
                  ].join('\t'),
                );
              println(ctx.io, `${card.results.filter((x) => x.passed).length} checks passed`);
              return 0;
            }
            const a = await client.request<{
              departments: { tenant: string; score: number; inStandard: number; applications: unknown[] }[];
              level?: {
                level: number;
                criteria: {
                  level: number;
                  id: string;
                  value: number | null;
                  threshold: number;
                  met: boolean;
                  evidence: Record<string, number>;
                }[];
              };
            }>('GET', '/api/v1/assessment');
            if (opts.output === 'json') {
              println(ctx.io, JSON.stringify(a, null, 2));
              return 0;
            }
            println(ctx.io, 'DEPARTMENT\tSCORE\tIN STANDARD\tAPPLICATIONS');
            for (const d of a.departments)
              println(ctx.io, [d.tenant, d.score, d.inStandard, d.applications.length].join('\t'));
            if (a.level) {
              println(ctx.io, `\nplatform maturity: L${a.level.level}`);
              println(ctx.io, 'LEVEL\tCRITERION\tMEASURED\tTHRESHOLD\tMET\tEVIDENCE');
              for (const c of a.level.criteria)
                println(
                  ctx.io,
                  [
                    `L${c.level}`,
                    c.id,
                    c.value ?? 'not measured',
                    c.threshold,
                    c.met ? 'yes' : 'no',
                    Object.entries(c.evidence)
                      .map(([k, v]) => `${k}=${v}`)
                      .join(' '),
                  ].join('\t'),
                );
            }
            return 0;
          })(),
        ),
      ),
    '  polis assess\n  polis assess enrolment',
  );

  examples(
    program
      .command('consolidate')
      .description('a consolidation plan for a VM estate not yet on polis, from a utilization CSV (computed here)')
      .argument('<file>', 'CSV: vm,timestamp,cpu_used,memory_used,vm_cpu,vm_memory')
      .requiredOption('--node-cores <n>', 'cores of one node of the shared pool')
      .requiredOption('--node-memory <quantity>', 'memory of one node, e.g. 256Gi')
      .option('-o, --output <format>', 'json')
      .action((file: string, opts: { nodeCores: string; nodeMemory: string; output?: string }) =>
        run(
          (async () => {
            const cores = Number(opts.nodeCores);
            if (!(cores > 0))
              throw usageError(
                `--node-cores "${opts.nodeCores}" is not a number of cores`,
                'give e.g. --node-cores 32',
              );
            if (quantityProblem('bytes', opts.nodeMemory) !== undefined)
              throw usageError(
                `--node-memory "${opts.nodeMemory}" is not a memory quantity`,
                'give e.g. --node-memory 256Gi',
              );
            const text = await readFile(resolve(ctx.io.cwd ?? process.cwd(), file), 'utf8');
            const parsed = parseUtilizationCsv(text);
            if (!parsed.ok) {
              for (const e of parsed.errors) println(ctx.io, `${file}: ${e.path}: ${e.message}`);
              return 1;
            }
            const plan = consolidationPlan(parsed.rows, { cores, memoryBytes: parseBytes(opts.nodeMemory) });
            if (opts.output === 'json') {
              println(ctx.io, JSON.stringify(plan, null, 2));
              return 0;
            }
            const c = plan.consolidated;
            println(ctx.io, `${plan.vms} VMs, ${plan.samples} samples; nodes of ${cores} cores and ${opts.nodeMemory}`);
            println(ctx.io, 'SIZING\tNODES\tCORES\tMEMORY');
            println(
              ctx.io,
              [
                'dedicated (sum of VM sizes)',
                plan.dedicated.nodes,
                plan.dedicated.cores.toFixed(1),
                mem(plan.dedicated.memoryBytes),
              ].join('\t'),
            );
            println(
              ctx.io,
              [
                'sum of per-VM peaks',
                plan.sumOfPeaks.nodes,
                plan.sumOfPeaks.cores.toFixed(1),
                mem(plan.sumOfPeaks.memoryBytes),
              ].join('\t'),
            );
            println(
              ctx.io,
              [`polis (${c.profile} requests, polis placement)`, c.nodes, c.cores.toFixed(1), mem(c.memoryBytes)].join(
                '\t',
              ),
            );
            println(
              ctx.io,
              `violation minutes: ${pct(c.violationShare)} of VM-minutes (limit 1%); ${plan.fewerNodesThanDedicated.toFixed(2)}x fewer nodes than dedicated sizing`,
            );
            return 0;
          })(),
        ),
      ),
    '  polis consolidate estate.csv --node-cores 32 --node-memory 256Gi',
  );
}
