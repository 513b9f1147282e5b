import type { Command } from 'commander';
import { runUtilization } from './commands/utilization.ts';
import type { CliContext } from './context.ts';

/** `polis utilization`: requested, used and capacity over time (docs/operations.md). */
export function registerUtilizationCommands(
  program: Command,
  ctx: CliContext,
  run: (p: Promise<number>) => Promise<void>,
  examples: (cmd: Command, text: string) => Command,
): void {
  examples(
    program
      .command('utilization')
      .description('requested, used and capacity over time per department (capacity: its quota) or per cluster')
      .option('-n, --tenant <tenant>', 'one department (default: every department you see)')
      .option('--range <range>', 'how far back: 1h to 90d, e.g. 24h, 7d, 90d (default 24h)')
      .option('--step <step>', 'hour, day or month (default: hour up to 2 days, else day)')
      .option('--clusters', 'per cluster instead of per department (a department sees only its own share)')
      .option('-o, --output <format>', 'json')
      .action((opts) => run(runUtilization(ctx, opts))),
    '  polis utilization --range 7d\n  polis utilization -n edu --range 90d --step month\n  polis utilization --clusters',
  );
}
