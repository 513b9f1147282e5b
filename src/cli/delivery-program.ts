import type { Command } from 'commander';
import { runConvert } from './commands/convert.ts';
import { runExport, runRender } from './commands/render.ts';
import { runRolloutDiff, runRolloutHistory, runRolloutResume, runRolloutUndo } from './commands/rollout.ts';
import { runRolloutStatus } from './commands/rollout-status.ts';
import type { CliContext } from './context.ts';

/** `polis rollout …`, `polis render` and `polis export`: the commands about delivering applications to clusters. */
export function registerDeliveryCommands(
  program: Command,
  ctx: CliContext,
  run: (p: Promise<number>) => Promise<void>,
  examples: (cmd: Command, text: string) => Command,
): void {
  const rollout = program
    .command('rollout')
    .description('follow, approve and undo the rollouts of an application: history, diff, undo, resume, status');
  examples(
    rollout
      .command('status')
      .description('where an application stands: phase, health, generations, workflow steps, replicas')
      .argument('<app>', 'the application name')
      .option('-n, --tenant <tenant>', 'its department (found automatically when the name is unique)')
      .option('-w, --watch', 'then follow it until it is Running and healthy (exit 0), Failed or --timeout (exit 1)')
      .option('--timeout <duration>', 'with -w: give up after this long (default 5m)')
      .action((app, opts) => run(runRolloutStatus(ctx, app, opts))),
    '  polis rollout status enrolment-portal -n edu\n  polis rollout status enrolment-portal -n edu -w --timeout 10m',
  );
  examples(
    rollout
      .command('history')
      .description('the kept revisions of an application, oldest first; * marks the current one')
      .argument('<app>', 'the application name')
      .option('-n, --tenant <tenant>', 'its department (found automatically when the name is unique)')
      .option('-o, --output <format>', 'json or yaml')
      .action((app, opts) => run(runRolloutHistory(ctx, app, opts))),
    '  polis rollout history enrolment-portal -n edu',
  );
  examples(
    rollout
      .command('diff')
      .description('the unified diff between two kept revisions (default: the previous and the current one)')
      .argument('<app>', 'the application name')
      .option('-n, --tenant <tenant>', 'its department (found automatically when the name is unique)')
      .option('--from <revision>', 'the older revision (default: the one before --to)')
      .option('--to <revision>', 'the newer revision (default: the current one)')
      .option('-o, --output <format>', 'json or yaml')
      .action((app, opts) => run(runRolloutDiff(ctx, app, opts))),
    '  polis rollout diff enrolment-portal -n edu\n  polis rollout diff enrolment-portal -n edu --from 1 --to 3',
  );
  examples(
    rollout
      .command('undo')
      .description('roll back to a kept revision (default: the one before the current); recorded as a new revision')
      .argument('<app>', 'the application name')
      .option('-n, --tenant <tenant>', 'its department (found automatically when the name is unique)')
      .option('--to-revision <revision>', 'the revision to go back to (polis rollout history lists them)')
      .option('--dry-run', 'check on the server, change nothing')
      .option('-o, --output <format>', 'json or yaml')
      .action((app, opts) => run(runRolloutUndo(ctx, app, opts))),
    '  polis rollout undo enrolment-portal -n edu\n  polis rollout undo enrolment-portal -n edu --to-revision 2 --dry-run',
  );
  examples(
    rollout
      .command('resume')
      .description('approve the workflow suspend step the application waits at (or the one named)')
      .argument('<app>', 'the application name')
      .option('-n, --tenant <tenant>', 'its department (found automatically when the name is unique)')
      .option('--step <name>', 'the suspend step to approve (default: the one it waits at)')
      .option('-o, --output <format>', 'json or yaml')
      .action((app, opts) => run(runRolloutResume(ctx, app, opts))),
    '  polis rollout resume enrolment-portal -n edu\n  polis rollout resume enrolment-portal -n edu --step approve-prod',
  );

  examples(
    program
      .command('render')
      .description('place and render an Application on the server without applying it: manifests per cluster')
      .option('-f, --filename <file>', 'the file holding one Application (- for standard input)')
      .option('-n, --tenant <tenant>', 'its department (default: metadata.tenant, then the default department)')
      .option('--cluster <cluster>', 'show one cluster’s manifests only')
      .option('-o, --output <format>', 'yaml (the default: placement as comments, then the manifests) or json')
      .action((opts) => run(runRender(ctx, opts))),
    '  polis render -f app.yaml\n  polis render -f app.yaml --tenant edu -o json',
  );
  examples(
    program
      .command('export')
      .description('the plain Kubernetes manifests of a stored application, per cluster (no lock-in)')
      .argument('<kind>', 'app (applications are what can be exported)')
      .argument('<name>', 'the application name')
      .option('-n, --tenant <tenant>', 'its department (found automatically when the name is unique)')
      .option('--cluster <cluster>', 'one cluster’s manifests only, e.g. to pipe into kubectl apply -f -')
      .option(
        '-o, --output <format>',
        'yaml (the default: a YAML stream, # cluster: comments between clusters) or json',
      )
      .action((kind, name, opts) => run(runExport(ctx, kind, name, opts))),
    '  polis export app enrolment-portal -n edu\n  polis export app enrolment-portal -n edu --cluster gov-east | kubectl apply -f -',
  );
  examples(
    program
      .command('convert')
      .description('check a folder of KubeVela Applications: accepted, changed (with reason codes) or refused')
      .argument('<dir>', 'a folder (searched recursively for .yaml, .yml, .json) or one file')
      .option('--check', 'report only, per file and Application (the only mode for now)')
      .option(
        '-n, --tenant <tenant>',
        'check as this department (the namespaces it may name); default: metadata.tenant, else "department"',
      )
      .option('-o, --output <format>', 'table (the default) or json')
      .action((dir, opts) => run(runConvert(ctx, dir, opts))),
    '  polis convert --check ./kubevela-apps\n  polis convert --check ./kubevela-apps -o json',
  );
}
