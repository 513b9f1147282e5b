import type { Command } from 'commander';
import { msg } from '../kernel/messages/index.ts';
import { locateApp } from './app-target.ts';
import { say, type CodedText } from './cli-lang.ts';
import type { CliContext } from './context.ts';
import { println } from './io.ts';
import { formatTable } from './printers.ts';

interface AppEvent extends CodedText {
  readonly origin: 'polis' | 'cluster';
  readonly involvedObject: { readonly kind: string; readonly name: string };
  readonly type: string;
  readonly reason: string;
  readonly message: string;
  readonly source: { readonly component: string; readonly cluster?: string };
  readonly count: number;
  readonly lastTimestamp: string;
}
interface EventsAnswer {
  readonly clusters: readonly { readonly cluster: string; readonly reachable: boolean; readonly detail?: CodedText }[];
  readonly items: readonly AppEvent[];
}

/**
 * The events table, newest first: polis's events with their coded text in the command line's language, the
 * clusters' Kubernetes Events with `cluster/NAME` as source and the cluster's own text; clusters not read below it.
 */
export function eventsTable(answer: EventsAnswer): string {
  const rows = answer.items.map((e) => [
    e.lastTimestamp.replace(/\.\d+Z$/, 'Z'),
    e.type,
    e.reason,
    `${e.involvedObject.kind}/${e.involvedObject.name}`,
    e.origin === 'cluster' ? `cluster/${e.source.cluster ?? ''}` : `polis/${e.source.component}`,
    String(e.count),
    e.origin === 'cluster' ? e.message : say(e),
  ]);
  const header = ['LAST', 'TYPE', 'REASON', 'OBJECT', 'SOURCE', 'COUNT', 'MESSAGE'];
  const table = rows.length > 0 ? formatTable(header, rows) : `${say(msg('EventsNone'))}\n`;
  const notes = answer.clusters.filter((c) => !c.reachable && c.detail).map((c) => `${say(c.detail)}\n`);
  return table + notes.join('');
}

/** `polis events APP [--cluster C] [--limit N]` (docs/observe.md). */
export function registerEventCommands(
  program: Command,
  ctx: CliContext,
  run: (p: Promise<number>) => Promise<void>,
  examples: (cmd: Command, text: string) => Command,
): void {
  examples(
    program
      .command('events')
      .description(
        "an application's events, newest first: polis's own and the Kubernetes Events of its namespaces on every cluster",
      )
      .argument('<app>', 'the application')
      .option('--tenant <department>', 'the department of APP')
      .option('--cluster <cluster>', 'one cluster only')
      .option('--limit <n>', 'at most this many events (default 200, at most 1000)')
      .option('-o, --output <format>', 'json')
      .action((app: string, opts: { tenant?: string; cluster?: string; limit?: string; output?: string }) =>
        run(
          (async () => {
            const client = await ctx.connect();
            const target = await locateApp(ctx, client, app, opts);
            const answer = await client.get<EventsAnswer>(`${target.path}/events`, {
              cluster: opts.cluster,
              limit: opts.limit,
            });
            if (opts.output === 'json') println(ctx.io, JSON.stringify(answer, null, 2));
            else ctx.io.stdout.write(eventsTable(answer));
            return 0;
          })(),
        ),
      ),
    '  polis events enrolment-portal\n  polis events e-invoice --tenant tax --cluster gov-north --limit 50',
  );
}
