import { Command } from 'commander';
import { runApiResources } from './commands/api-resources.ts';
import { runApply } from './commands/apply.ts';
import { runAuditList, runAuditVerify } from './commands/audit.ts';
import { runBackup, runRestore } from './commands/backup.ts';
import { runAuditExport, runAuditVerifyFiles } from './commands/audit-export.ts';
import { runDelete } from './commands/delete.ts';
import { runDescribe } from './commands/describe.ts';
import { runGet } from './commands/get.ts';
import { runLogin, runLogout, runWhoami } from './commands/login.ts';
import { runServe } from './commands/serve.ts';
import { runKubeconfig } from './commands/kubeconfig.ts';
import { runTokenCreate, runTokenList, runTokenRevoke } from './commands/token.ts';
import { registerClusterCommands } from './cluster-program.ts';
import { registerMarketCommands } from './market-program.ts';
import { registerOptimizationCommands } from './optimization-program.ts';
import { registerAlertCommands } from './alerts-program.ts';
import { registerBillingCommands } from './billing-program.ts';
import { registerUtilizationCommands } from './utilization-program.ts';
import { registerPodCommands } from './pods-program.ts';
import { registerEventCommands } from './events-program.ts';
import { clientVersion, runVersion } from './commands/version.ts';
import type { CliContext } from './context.ts';
import { registerDeliveryCommands } from './delivery-program.ts';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** The command tree. Each action hands its exit code to `done`; errors propagate to runCli. */
export function buildProgram(ctx: CliContext, done: (code: number) => void): Command {
  const io = ctx.io;
  const program = new Command('polis')
    .description('polis: an application-centric control plane for government clouds (kubectl-style)')
    .version(clientVersion(), '-V, --version', 'print the client version')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .option(
      '--lang <lang>',
      "zh or en: the language of the server's messages (default: the locale, LANG/LC_ALL; else en)",
    )
    .exitOverride()
    .showHelpAfterError('(polis --help lists the commands; polis COMMAND --help explains one)')
    .addHelpText(
      'after',
      `
Start here:
  polis serve --demo                                   run a control plane with the demo city
  polis login http://127.0.0.1:8080 --token-file data/admin.token
  polis get tenants
  polis apply -f app.yaml
  polis rollout status APP -w

Exit codes: 0 ok, 1 failure, 2 usage or invalid input, 3 not logged in or not allowed,
4 not found, 5 conflict, 6 server unreachable (docs/cli.md).`,
    );
  const run = (p: Promise<number>) => p.then(done);
  const examples = (cmd: Command, text: string) => cmd.addHelpText('after', `\nExamples:\n${text}`);

  examples(
    program
      .command('serve')
      .description('run the polis control plane in this process (Ctrl-C stops it)')
      .option('--data-dir <dir>', 'where the database, keys and first tokens live (POLIS_DATA_DIR, default ./data)')
      .option('--port <port>', 'port to listen on (POLIS_PORT, default 8080; 0 picks a free one)')
      .option('--host <host>', 'address to listen on (POLIS_HOST, default 127.0.0.1)')
      .option('--database-url <url>', 'postgres://… for PostgreSQL (DATABASE_URL; default: SQLite in the data folder)')
      .option('--demo', 'seed the demo city on first start (POLIS_DEMO=1)')
      .option('--tls-cert <file>', 'serve HTTPS with this PEM certificate (POLIS_TLS_CERT_FILE); kubectl needs HTTPS')
      .option('--tls-key <file>', 'the PEM key of --tls-cert (POLIS_TLS_KEY_FILE)')
      .action((opts) => run(runServe(ctx, opts))),
    '  polis serve --demo\n  polis serve --port 9090 --data-dir /var/lib/polis --database-url postgres://polis@db/polis',
  );

  examples(
    program
      .command('login')
      .description('check a token against a server and save both for later commands (asks for it on a terminal)')
      .argument('<server>', 'the server URL, e.g. http://127.0.0.1:8080')
      .option('--token-stdin', 'read the token from standard input (keeps it out of the command line)')
      .option('--token-file <file>', 'read the token from a file (- for standard input)')
      .option('--token <token>', 'the API token (shows in the command line: prefer --token-stdin)')
      .option('-n, --tenant <tenant>', 'default department for tenant-scoped kinds')
      .action((server, opts) => run(runLogin(ctx, server, opts))),
    [
      '  polis login http://127.0.0.1:8080 --token-file data/admin.token',
      '  polis login https://polis.gov.example --token-file edu.token --tenant edu',
      "  node -p \"require('./data/demo-tokens.json')['edu-admin']\" | polis login http://127.0.0.1:8080 --token-stdin",
      '  polis login https://polis.gov.example          (on a terminal: asks for the token, not shown)',
    ].join('\n'),
  );
  program
    .command('logout')
    .description('forget the saved server and token')
    .action(() => run(runLogout(ctx)));
  examples(
    program
      .command('kubeconfig')
      .description('print (or write) a kubeconfig for the logged-in server and token, for kubectl and client libraries')
      .option('--file <file>', 'write it here (readable by you only) instead of standard output')
      .option(
        '--certificate-authority <file>',
        "PEM of the CA of the server's certificate (default: NODE_EXTRA_CA_CERTS)",
      )
      .option('-n, --namespace <department>', 'the default namespace (default: the department of polis login --tenant)')
      .option('--context-name <name>', 'the name of the cluster, user and context (default polis)')
      .action((opts) => run(runKubeconfig(ctx, opts))),
    '  polis kubeconfig --file ~/.kube/polis && KUBECONFIG=~/.kube/polis kubectl get applications -A\n  polis kubeconfig --certificate-authority ca.pem -n edu > edu.kubeconfig',
  );
  examples(
    program
      .command('whoami')
      .description('show the user the server sees and its role bindings')
      .option('-o, --output <format>', 'json or yaml')
      .action((opts) => run(runWhoami(ctx, opts))),
    '  polis whoami\n  polis whoami -o json',
  );

  examples(
    program
      .command('apply')
      .description('create or update objects from YAML or JSON files, all or nothing')
      .option(
        '-f, --filename <path>',
        'a file, a folder (*.yaml, *.yml, *.json) or - for standard input; repeatable',
        collect,
      )
      .option('-R, --recursive', 'read the subfolders of folders given with -f')
      .option(
        '-n, --tenant <tenant>',
        'department of documents that name none (documents naming another one are refused)',
      )
      .option('--dry-run', 'validate and admit on the server, store nothing')
      .option('--batch <n>', 'send n documents a request, each request all or nothing (for more than one body holds)')
      .option('-o, --output <format>', 'name, json or yaml')
      .action((opts) => run(runApply(ctx, { ...opts, filename: opts.filename ?? [] }))),
    '  polis apply -f app.yaml\n  polis apply -f examples/demo-city/ --dry-run\n  cat app.yaml | polis apply -f - --tenant edu\n  polis apply -f migrated/ -R --batch 200',
  );

  examples(
    program
      .command('get')
      .description('list objects of a kind, or show some by name')
      .argument('<kind>', 'a kind by plural, singular, short name or kind (tenants, dept, apps, Application, rb …)')
      .argument('[names...]', 'names of the objects to show')
      .option('-o, --output <format>', 'wide, name, json or yaml')
      .option('-l, --selector <selector>', 'label selector, e.g. app.polis.io/service=enrolment or tier in (web,api)')
      .option('-n, --tenant <tenant>', 'one department')
      .option('-A, --all-tenants', 'every department you may see')
      .option('-w, --watch', 'after listing, print changes as they happen (Ctrl-C stops)')
      .option('--limit <n>', 'at most n objects (one page; the next with --continue)')
      .option('--continue <token>', 'the page after a --limit listing')
      .option('--timeout <duration>', 'stop watching after this long, e.g. 30s or 5m')
      .action((kind, names, opts) => run(runGet(ctx, kind, names, opts))),
    '  polis get tenants\n  polis get apps -A\n  polis get apps --tenant edu -o wide\n  polis get app enrolment-portal -n edu -o yaml\n  polis get apps -n edu -w',
  );

  examples(
    program
      .command('describe')
      .description('show one object in detail, with its recent audit entries')
      .argument('<kind>', 'the kind (apps, tenant, rb …)')
      .argument('<name>', 'the object name')
      .option('-n, --tenant <tenant>', 'its department (found automatically when the name is unique)')
      .action((kind, name, opts) => run(runDescribe(ctx, kind, name, opts))),
    '  polis describe tenant edu\n  polis describe app enrolment-portal -n edu   # with placement, workflow, revisions, events',
  );

  examples(
    program
      .command('delete')
      .description('delete objects by kind and name, or those a file describes')
      .argument('[kind]', 'the kind (apps, tenant, rb …)')
      .argument('[names...]', 'the object names')
      .option('-f, --filename <path>', 'delete the objects in these files or folders; repeatable', collect)
      .option('-R, --recursive', 'read the subfolders of folders given with -f')
      .option('-n, --tenant <tenant>', 'their department')
      .option('--dry-run', 'check on the server, delete nothing')
      .option('--ignore-not-found', 'treat objects that do not exist as deleted')
      .action((kind, names, opts) => run(runDelete(ctx, kind === undefined ? [] : [kind, ...names], opts))),
    '  polis delete app enrolment-portal -n edu\n  polis delete -f app.yaml\n  polis delete rb vendor-dev -n edu --dry-run',
  );

  registerDeliveryCommands(program, ctx, run, examples);

  const audit = program.command('audit').description('read and verify the tamper-evident audit log');
  examples(
    audit
      .command('list')
      .description('the newest audit entries, filtered, in time order')
      .option('-n, --tenant <tenant>', 'entries of one department')
      .option('--actor <user>', 'entries of one user')
      .option('--kind <kind>', 'entries about one kind (apps, Tenant …)')
      .option('--name <name>', 'entries about objects of this name')
      .option('--verb <verb>', 'create, update, patch, delete, apply …')
      .option('--action <action>', 'create, update, apply, delete, rollback, resume, dry-run, token-create …')
      .option('--system', 'include polis controllers (system:…)')
      .option('--outcome <outcome>', 'success, denied, invalid, conflict, notfound or error')
      .option('--since <time>', 'from this ISO time, or this long ago (2h, 7d)')
      .option('--until <time>', 'up to this ISO time, or this long ago')
      .option('--limit <n>', 'at most n entries (default 100, at most 5000)')
      .option('--before <seq>', 'the newest entries before this sequence number (older ones)')
      .option('--after <seq>', 'the entries after this sequence number, oldest first (paging forward)')
      .option('-o, --output <format>', 'wide, json or yaml')
      .action((opts) => run(runAuditList(ctx, opts))),
    '  polis audit list --tenant edu --since 1d\n  polis audit list --actor vendor-dev --outcome denied -o wide',
  );
  examples(
    audit
      .command('verify')
      .description(
        'check the hash chain of the live log; with files, check exports (CSV, XLSX) and archives (.jsonl.gz) against it; exit 1 when anything does not verify',
      )
      .argument('[files...]', 'exports and archives to check')
      .option('--offline', 'check the files on their own, without the server')
      .option('-o, --output <format>', 'json or yaml (without files)')
      .action((files: string[], opts) =>
        run(files.length > 0 ? runAuditVerifyFiles(ctx, files, opts) : runAuditVerify(ctx, opts)),
      ),
    '  polis audit verify\n  polis audit verify polis-audit-20261130T100000Z.xlsx\n  polis audit verify data/audit-archive/*.jsonl.gz',
  );
  examples(
    audit
      .command('export')
      .description('write the filtered entries to a CSV or XLSX file, with the chain head to verify them against')
      .option('-n, --tenant <tenant>', 'entries of one department')
      .option('--actor <user>', 'entries of one user')
      .option('--kind <kind>', 'entries about one kind (Application, Tenant …)')
      .option('--name <name>', 'entries about objects of this name')
      .option('--action <action>', 'create, update, apply, delete, rollback, resume, dry-run, token-create …')
      .option('--outcome <outcome>', 'success, denied, invalid, conflict, notfound or error')
      .option('--since <time>', 'from this ISO time, or this long ago (2h, 7d)')
      .option('--until <time>', 'up to this ISO time, or this long ago')
      .option('--system', 'include polis controllers (system:…)')
      .option('--format <format>', 'csv or xlsx (default: from --file, else csv)')
      .option('-f, --file <path>', 'where to write it (default: the name the server suggests)')
      .action((opts) => run(runAuditExport(ctx, opts))),
    '  polis audit export --since 180d -f audit.xlsx\n  polis audit export --tenant edu --action rollback --lang zh-CN',
  );

  registerClusterCommands(program, ctx, run, examples);
  registerMarketCommands(program, ctx, run, examples);
  registerOptimizationCommands(program, ctx, run, examples);
  registerAlertCommands(program, ctx, run, examples);
  registerBillingCommands(program, ctx, run, examples);
  registerUtilizationCommands(program, ctx, run, examples);
  registerPodCommands(program, ctx, run, examples);
  registerEventCommands(program, ctx, run, examples);

  const token = program.command('token').description('API tokens: create, list, revoke');
  examples(
    token
      .command('create')
      .description('issue a token (shown once)')
      .option('--user <user>', 'for another user (platform admins only)')
      .option('--description <text>', 'what it is for')
      .option('--ttl <duration>', 'lifetime: 90d, 12h, 30m … or never', '90d')
      .option('-o, --output <format>', 'json or yaml')
      .action((opts) => run(runTokenCreate(ctx, opts))),
    '  polis token create --description "CI pipeline" --ttl 30d > ci.token\n  polis token create --user vendor-dev --ttl 12h',
  );
  examples(
    token
      .command('list')
      .description('your tokens (platform admins and auditors: everyone’s)')
      .option('--user <user>', 'only this user’s')
      .option('-o, --output <format>', 'json or yaml')
      .action((opts) => run(runTokenList(ctx, opts))),
    '  polis token list',
  );
  examples(
    token
      .command('revoke')
      .description('revoke tokens by id')
      .argument('<ids...>', 'token ids, as polis token list shows them')
      .action((ids) => run(runTokenRevoke(ctx, ids))),
    '  polis token revoke 4aqypkrk0leu',
  );

  examples(
    program
      .command('backup')
      .description('write a consistent backup of every object, the audit chain and the sealed secrets to FILE')
      .argument('<file>', 'where to write it (e.g. polis-2026-01-31.polis-backup.gz)')
      .option('--local', 'read the configured store directly instead of asking the logged-in server')
      .option('--data-dir <dir>', 'with --local: the data folder (POLIS_DATA_DIR, default ./data)')
      .option('--database-url <url>', 'with --local: postgres://… (DATABASE_URL; default: SQLite in the data folder)')
      .action((file, opts) => run(runBackup(ctx, file, opts))),
    '  polis backup polis.polis-backup.gz                    through the server (platform-admin)\n  polis backup /backups/now.polis-backup.gz --local --database-url postgres://polis@db/polis',
  );
  examples(
    program
      .command('restore')
      .description('load a backup into an empty store (a new database or data folder); checks the audit chain')
      .argument('<file>', 'a file written by polis backup or by scheduled backups')
      .option('--data-dir <dir>', 'the data folder (POLIS_DATA_DIR, default ./data)')
      .option('--database-url <url>', 'postgres://… (DATABASE_URL; default: SQLite in the data folder)')
      .action((file, opts) => run(runRestore(ctx, file, opts))),
    '  polis restore polis.polis-backup.gz --data-dir /var/lib/polis-new\n  polis restore polis.polis-backup.gz --database-url postgres://polis@db/polis   # SQLite to PostgreSQL',
  );

  program
    .command('version')
    .description('print the client version, and the server’s when reachable')
    .option('--client', 'the client version only')
    .option('-o, --output <format>', 'json or yaml')
    .action((opts) => run(runVersion(ctx, opts)));
  program
    .command('api-resources')
    .description('list the kinds the server serves and the names to use for them')
    .option('-o, --output <format>', 'wide, name, json or yaml')
    .action((opts) => run(runApiResources(ctx, opts)));
  return program;
}
