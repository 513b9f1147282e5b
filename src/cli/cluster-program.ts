import type { Command } from 'commander';
import { runClusterAdd } from './commands/cluster.ts';
import { runSimFault, runSimLoad } from './commands/sim.ts';
import type { CliContext } from './context.ts';

/** `polis cluster add` and the sandbox's `polis sim …`: the commands about member clusters. */
export function registerClusterCommands(
  program: Command,
  ctx: CliContext,
  run: (p: Promise<number>) => Promise<void>,
  examples: (cmd: Command, text: string) => Command,
): void {
  const cluster = program.command('cluster').description('member clusters: register a Kubernetes cluster');
  examples(
    cluster
      .command('add')
      .description('register a Kubernetes cluster by kubeconfig (kept encrypted; exec plugins are refused)')
      .argument('<name>', 'the cluster name in polis, e.g. ack-hangzhou')
      .option('--kubeconfig <file>', 'its kubeconfig (- for standard input)')
      .option('--context <context>', 'the context to use (default: the current context)')
      .option('--vendor <vendor>', 'who runs it: aliyun, huaweicloud, tencentcloud, inspur-cloud, k3s …')
      .option('--region <region>', 'its region, e.g. cn-hangzhou')
      .option('--zone <zone>', 'its zone, e.g. cn-hangzhou-h')
      .option('--network-zone <zone>', 'the network it sits on: e-gov-extranet or internet')
      .option('--role <role>', 'primary, burst or disaster-recovery', 'primary')
      .option('--cpu-price <yuan>', 'yuan per vCPU-hour')
      .option('--memory-price <yuan>', 'yuan per GiB-hour')
      .option('--label <key=value...>', 'labels for placement selectors')
      .option('--dry-run', 'check everything, register nothing')
      .option('-o, --output <format>', 'json or yaml')
      .action((name, opts) => run(runClusterAdd(ctx, name, opts))),
    '  polis cluster add ack-hangzhou --kubeconfig ack.kubeconfig --vendor aliyun --region cn-hangzhou \\\n' +
      '    --zone cn-hangzhou-h --network-zone internet --role burst --cpu-price 0.22 --memory-price 0.03',
  );

  const sim = program
    .command('sim')
    .description('the sandbox: fail, partition and restore simulated clusters; apply load to an application');
  for (const [fault, text] of [
    ['fail', 'fail a simulated cluster: unreachable, and its pods stop serving'],
    ['partition', 'partition a simulated cluster: unreachable from polis, its pods keep serving'],
    ['restore', 'restore a failed or partitioned simulated cluster'],
  ] as const) {
    examples(
      sim
        .command(fault)
        .description(text)
        .argument('<cluster>', 'a simulated cluster, as polis get clusters shows it')
        .action((cluster) => run(runSimFault(ctx, fault, cluster))),
      `  polis sim ${fault} gov-west`,
    );
  }
  examples(
    sim
      .command('load')
      .description("multiply a simulated application's load")
      .argument('<app>', 'the application name')
      .option('-n, --tenant <tenant>', 'its department (found automatically when the name is unique)')
      .option('--factor <n>', 'the multiplier: 1 normal, 30 a citizen peak, 0 no load')
      .option('--for <duration>', 'for how long, e.g. 10m (default: until changed)')
      .option('--component <name>', 'only this component')
      .action((app, opts) => run(runSimLoad(ctx, app, opts))),
    '  polis sim load enrolment-portal -n edu --factor 30 --for 10m',
  );
}
