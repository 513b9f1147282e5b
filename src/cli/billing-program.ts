import type { Command } from 'commander';
import { runBill, runBudgetSet } from './commands/bill.ts';
import type { CliContext } from './context.ts';

/** `polis bill` and `polis budget set`: monthly bills and budgets (docs/operations.md). */
export function registerBillingCommands(
  program: Command,
  ctx: CliContext,
  run: (p: Promise<number>) => Promise<void>,
  examples: (cmd: Command, text: string) => Command,
): void {
  examples(
    program
      .command('bill')
      .description("a department's monthly bill by application, cluster, vendor and item; or every department's total")
      .option('-n, --tenant <tenant>', 'the department (default: the only one you see)')
      .option('--month <YYYY-MM>', 'the month (default: this month)')
      .option('--export <format>', 'write the bill as csv or xlsx')
      .option('-f, --file <path>', 'where to write the export (default: the name the server suggests)')
      .option('-o, --output <format>', 'json')
      .action((opts) => run(runBill(ctx, opts))),
    '  polis bill --month 2026-12\n  polis bill -n edu --month 2026-12 --export xlsx',
  );
  const budget = program.command('budget').description("departments' monthly budgets");
  examples(
    budget
      .command('set')
      .description('set a monthly budget in yuan, alerted at 80% and 100% (or --thresholds)')
      .argument('<amount>', 'yuan per month, e.g. 20000')
      .option('-n, --tenant <tenant>', 'the department')
      .option('--name <name>', 'the budget object (default: monthly)')
      .option('--thresholds <percentages>', 'e.g. 50,80,100')
      .action((amount, opts) => run(runBudgetSet(ctx, amount, opts))),
    '  polis budget set 20000 -n edu',
  );
}
