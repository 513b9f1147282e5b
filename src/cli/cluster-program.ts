import type { Command } from 'commander';
import { runClusterAdd } from './commands/cluster.ts';
import { runClusterMaintenance } from './commands/cluster-maintenance.ts';
import { runIncidentAct, runIncidents } from './commands/incidents.ts';
import { runSimFault, runSimLoad } from './commands/sim.ts';
import { runSimServe } from './commands/sim-serve.ts';
import { runFaultAdd, runFaultClear, runFaultList, runFaultPlay } from './commands/sim-faults.ts';
import type { CliContext } from './context.ts';

/** `polis cluster add` and the sandbox's `polis sim …`: the commands about member clusters. */
export function registerClusterCommands(
  program: Command,
  ctx: CliContext,
  run: (p: Promise<number>) => Promise<void>,
  examples: (cmd: Command, text: string) => Command,
): void {
  const cluster = program
    .command('cluster')
    .description('member clusters: register a Kubernetes cluster; cordon, drain, uncordon');
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

  examples(
    cluster
      .command('cordon')
      .description('place nothing new on a cluster; what runs there stays')
      .argument('<name>', 'the cluster')
      .action((name) => run(runClusterMaintenance(ctx, 'cordon', name))),
    '  polis cluster cordon gov-west',
  );
  examples(
    cluster
      .command('drain')
      .description('move everything off a cluster, make-before-break (removed there once healthy elsewhere)')
      .argument('<name>', 'the cluster')
      .action((name) => run(runClusterMaintenance(ctx, 'drain', name))),
    '  polis cluster drain gov-west     # then: polis get apps -A shows where they went',
  );
  examples(
    cluster
      .command('uncordon')
      .description('end a cordon or a drain: placement may use the cluster again')
      .argument('<name>', 'the cluster')
      .action((name) => run(runClusterMaintenance(ctx, 'uncordon', name))),
    '  polis cluster uncordon gov-west',
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

  examples(
    sim
      .command('serve')
      .description('run one simulated cloud on loopback for several replicas (they set POLIS_SIM_URL to its URL)')
      .option('--port <port>', 'port on 127.0.0.1 (default 8090; 0 picks a free one)')
      .option('--seed <n>', "seed of the simulated cloud's random start-up delays (default 42)")
      .action((opts) => run(runSimServe(ctx, opts))),
    '  polis sim serve --port 8090\n  POLIS_SIM_URL=http://127.0.0.1:8090 polis serve --database-url postgres://polis@db/polis',
  );

  const fault = sim.command('fault').description('faults in the simulated cloud: add, list, clear, play a scenario');
  examples(
    fault
      .command('add')
      .description(
        'inject a fault (node-down, cluster-partition, crash-loop, latency, errors, cpu-hog, memory-leak, bad-rollout, slow-dependency, network-loss)',
      )
      .argument('<type>', 'the fault type')
      .option(
        '--target <ns/component>',
        'the component (crash-loop, latency, errors, cpu-hog, memory-leak, bad-rollout, slow-dependency)',
      )
      .option('--cluster <cluster>', 'the cluster (node-down, cluster-partition, cpu-hog on a node)')
      .option('--node <node>', 'the node (node-down, cpu-hog on a node)')
      .option('--from <ns/component>', 'network-loss: the caller')
      .option('--to <ns/component>', 'network-loss: the callee')
      .option('--ms <ms>', 'latency, slow-dependency: added milliseconds')
      .option('--rate <share>', 'errors, bad-rollout: share of requests failing, 0–1')
      .option('--cores <n>', 'cpu-hog: cores burnt')
      .option('--mib-per-minute <n>', 'memory-leak: growth')
      .option('--loss <share>', 'network-loss: share of calls lost, 0–1')
      .option('--revision <name>', 'bad-rollout: the revision rolled out')
      .option('--for <duration>', 'ends by itself after, e.g. 10m')
      .action((type, opts) => run(runFaultAdd(ctx, type, opts))),
    '  polis sim fault add latency --target edu--enrolment-portal/api --ms 400 --for 10m\n' +
      '  polis sim fault add node-down --cluster gov-east --node gov-east-node-02',
  );
  fault
    .command('list')
    .description('the faults in force')
    .action(() => run(runFaultList(ctx)));
  fault
    .command('clear')
    .description('end a fault, or all of them')
    .argument('[id]', 'the fault, as polis sim fault list shows it')
    .option('--all', 'every fault')
    .action((id, opts) => run(runFaultClear(ctx, id, opts)));
  fault
    .command('play')
    .description('play a fault scenario (faults at offsets from now; replays exactly with the sandbox seed)')
    .option('-f, --file <file>', 'a FaultScenario in YAML or JSON')
    .action((opts) => run(runFaultPlay(ctx, opts)));

  program
    .command('incidents')
    .description('incidents with their verdict: infrastructure, application or shared dependency, and who acts')
    .option('-n, --tenant <tenant>', 'one department')
    .option('--all', 'resolved ones too')
    .action((opts) => run(runIncidents(ctx, opts)));
  const incident = program.command('incident').description('acknowledge or resolve an incident');
  for (const verb of ['ack', 'resolve'] as const)
    incident
      .command(verb)
      .description(verb === 'ack' ? 'acknowledge: you are on it' : 'resolve: it is over')
      .argument('<name>', 'the incident')
      .option('-n, --tenant <tenant>', 'its department')
      .action((name, opts) => run(runIncidentAct(ctx, verb, name, opts)));
}
