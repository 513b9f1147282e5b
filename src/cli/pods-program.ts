import type { Command } from 'commander';
import { msg } from '../kernel/messages/index.ts';
import { locateApp } from './app-target.ts';
import { say, type CodedText } from './cli-lang.ts';
import { usageError } from './cli-errors.ts';
import type { CliContext } from './context.ts';
import { println } from './io.ts';
import { formatTable } from './printers.ts';

interface Pod {
  readonly name: string;
  readonly component?: string;
  readonly phase: string;
  readonly ready: boolean;
  readonly restarts: number;
  readonly node?: string;
  readonly ageSeconds: number;
  readonly reason?: string;
  readonly lastTermination?: string;
}
interface PodsAnswer {
  readonly namespace: string;
  readonly clusters: readonly {
    readonly cluster: string;
    readonly reachable: boolean;
    /** The server's coded reason (code, params, English message). */
    readonly detail?: CodedText;
    readonly pods: readonly Pod[];
  }[];
}

/** kubectl's age: 45s, 12m, 3h, 5d. */
export function age(seconds: number): string {
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}

/** The pods table: one row per pod, cluster first; clusters that could not be asked are named below it. */
export function podsTable(answer: PodsAnswer): string {
  const rows = answer.clusters.flatMap((c) =>
    c.pods.map((p) => [
      c.cluster,
      p.name,
      p.component ?? '',
      p.ready ? 'Ready' : (p.reason ?? p.phase),
      String(p.restarts),
      p.lastTermination ?? '',
      p.node ?? '',
      age(p.ageSeconds),
    ]),
  );
  const header = ['CLUSTER', 'NAME', 'COMPONENT', 'STATUS', 'RESTARTS', 'LAST TERMINATION', 'NODE', 'AGE'];
  const table = rows.length > 0 ? formatTable(header, rows) : `${say(msg('PodsNone'))}\n`;
  const unreachable = answer.clusters
    .filter((c) => !c.reachable)
    .map(
      (c) =>
        `${say(msg('PodsClusterNotAsked', { cluster: c.cluster, detail: c.detail?.code || c.detail?.message ? say(c.detail) : say(msg('ClusterDown')) }))}\n`,
    );
  return table + unreachable.join('');
}

/** `polis pods APP` and `polis logs APP [-c component] [--tail N] [--since D] [-f]` (docs/observe.md). */
export function registerPodCommands(
  program: Command,
  ctx: CliContext,
  run: (p: Promise<number>) => Promise<void>,
  examples: (cmd: Command, text: string) => Command,
): void {
  examples(
    program
      .command('pods')
      .description("an application's pods in every cluster: status, restarts, last termination, node, age")
      .argument('<app>', 'the application')
      .option('--tenant <department>', 'the department of APP')
      .option('--cluster <cluster>', 'one cluster only')
      .option('-o, --output <format>', 'json')
      .action((app: string, opts: { tenant?: string; cluster?: string; output?: string }) =>
        run(
          (async () => {
            const client = await ctx.connect();
            const target = await locateApp(ctx, client, app, opts);
            const answer = await client.get<PodsAnswer>(`${target.path}/pods`, { cluster: opts.cluster });
            if (opts.output === 'json') println(ctx.io, JSON.stringify(answer, null, 2));
            else ctx.io.stdout.write(podsTable(answer));
            return 0;
          })(),
        ),
      ),
    '  polis pods enrolment-portal\n  polis pods e-invoice --tenant tax --cluster gov-north',
  );

  examples(
    program
      .command('logs')
      .description("the logs of an application's pods (every pod, or one component's), each line after its pod")
      .argument('<app>', 'the application')
      .option('--tenant <department>', 'the department of APP')
      .option('-c, --component <component>', 'only the pods of this component')
      .option('--cluster <cluster>', 'only the pods in this cluster')
      .option('--tail <lines>', 'the last N lines of each pod (default 500)')
      .option('--since <duration>', 'only lines newer than this: 30s, 5m, 1h')
      .option('-f, --follow', 'keep printing new lines until interrupted (Ctrl-C)')
      .action(
        (
          app: string,
          opts: {
            tenant?: string;
            component?: string;
            cluster?: string;
            tail?: string;
            since?: string;
            follow?: boolean;
          },
        ) =>
          run(
            (async () => {
              if (opts.tail !== undefined && !/^\d+$/.test(opts.tail))
                throw usageError(`--tail "${opts.tail}" is not a number of lines`, 'e.g. --tail 100');
              const client = await ctx.connect();
              const target = await locateApp(ctx, client, app, opts);
              const answer = await client.get<PodsAnswer>(`${target.path}/pods`, { cluster: opts.cluster });
              const pods = answer.clusters.flatMap((c) =>
                c.pods
                  .filter((p) => opts.component === undefined || p.component === opts.component)
                  .map((p) => ({ cluster: c.cluster, pod: p.name })),
              );
              if (pods.length === 0) {
                throw usageError(
                  opts.component !== undefined
                    ? `${app} has no pods of component ${opts.component}`
                    : `${app} has no pods`,
                  `polis pods ${app} lists its pods`,
                );
              }
              const query = { tail: opts.tail, since: opts.since, follow: opts.follow ? 'true' : undefined };
              const prefix = pods.length > 1;
              await Promise.all(
                pods.map(({ cluster, pod }) => {
                  let rest = '';
                  return client
                    .stream(
                      `${target.path}/pods/${encodeURIComponent(cluster)}/${encodeURIComponent(pod)}/log`,
                      query,
                      (text) => {
                        const lines = (rest + text).split('\n');
                        rest = lines.pop() ?? '';
                        for (const l of lines) println(ctx.io, prefix ? `[${pod}] ${l}` : l);
                      },
                    )
                    .then(() => {
                      if (rest !== '') println(ctx.io, prefix ? `[${pod}] ${rest}` : rest);
                    });
                }),
              );
              return 0;
            })(),
          ),
      ),
    '  polis logs enrolment-portal --tail 50\n  polis logs enrolment-portal -c web --since 10m -f',
  );
}
