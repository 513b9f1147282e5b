/**
 * Stand-ins for the Kafka command-line tools (`kafka-configs.sh`, `kafka-acls.sh`) and MinIO's `mc`, for the Job
 * path's tests. They are NOT Kafka or MinIO: no server of either exists in Debian's packages on this machine. They
 * keep a server's state in JSON files under a directory, check the administrator's credentials the way the real tools
 * carry them (a client.properties with a SCRAM JAAS line; MC_HOST_<alias>), and refuse what the real servers refuse:
 * a wrong login, deleting a SCRAM credential that does not exist, `--remove` without `--force` (no terminal to
 * answer the prompt), a bucket name with `_` or in capitals, creating a bucket that exists without
 * `--ignore-existing`, attaching a policy already attached ("already in effect"), removing a user, policy or bucket
 * that does not exist, removing a bucket with objects without `--force`, a secret key shorter than 8.
 * Every argument list is logged (args.log) so the tests can check no password was ever an argument.
 *
 * Run by node (type stripping): `node mq-stand-ins.ts <state dir> <tool> args…`; installStandIns writes the wrappers.
 */
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface StandInServer {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
}
export interface KafkaState {
  users: Record<string, string>;
  acls: { principal: string; resource: string; name: string; pattern: string; operation: string }[];
}
export interface MinioState {
  buckets: Record<string, string[]>;
  policies: Record<string, string>;
  users: Record<string, { secret: string; policies: string[] }>;
}

/** Writes `kafka-configs.sh`, `kafka-acls.sh` and `mc` into `<dir>/bin` and the server's admin into `<dir>`. */
export function installStandIns(dir: string, server: StandInServer): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(dir, 'server.json'), JSON.stringify(server));
  const self = new URL(import.meta.url).pathname;
  for (const tool of ['kafka-configs.sh', 'kafka-acls.sh', 'mc']) {
    const file = join(bin, tool);
    writeFileSync(file, `#!/bin/sh\nexec '${process.execPath}' '${self}' '${dir}' '${tool}' "$@"\n`);
    chmodSync(file, 0o755);
  }
  return bin;
}

export function readKafka(dir: string): KafkaState {
  const f = join(dir, 'kafka.json');
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as KafkaState) : { users: {}, acls: [] };
}
export function readMinio(dir: string): MinioState {
  const f = join(dir, 'minio.json');
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as MinioState) : { buckets: {}, policies: {}, users: {} };
}

/** Whether a Kafka user logs in with `password` and may use topic `topic` (a prefixed ACL of its principal). */
export function kafkaReaches(dir: string, user: string, password: string, topic: string): boolean {
  const s = readKafka(dir);
  if (s.users[user] !== password) return false;
  return s.acls.some(
    (a) =>
      a.principal === `User:${user}` && a.resource === 'topic' && a.pattern === 'prefixed' && topic.startsWith(a.name),
  );
}

/** Whether a MinIO user logs in with `secret` and a policy attached to it allows s3:* on `bucket`. */
export function minioReaches(dir: string, user: string, secret: string, bucket: string): boolean {
  const s = readMinio(dir);
  const u = s.users[user];
  if (!u || u.secret !== secret || !(bucket in s.buckets)) return false;
  return u.policies.some((p) => {
    const doc = JSON.parse(s.policies[p] ?? '{}') as { Statement?: { Effect: string; Resource: string[] }[] };
    return (doc.Statement ?? []).some((st) => st.Effect === 'Allow' && st.Resource.includes(`arn:aws:s3:::${bucket}`));
  });
}

function fail(text: string, code = 1): never {
  process.stderr.write(`${text}\n`);
  process.exit(code);
}

function opt(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function kafkaLogin(dir: string, args: string[]): void {
  const server = JSON.parse(readFileSync(join(dir, 'server.json'), 'utf8')) as StandInServer;
  if (opt(args, '--bootstrap-server') !== `${server.host}:${server.port}`) fail('Timed out waiting for a node');
  const file = opt(args, '--command-config');
  const props = file && existsSync(file) ? readFileSync(file, 'utf8') : '';
  const m = /sasl\.jaas\.config=\S+ScramLoginModule required username="([^"]*)" password="([^"]*)";/.exec(props);
  if (!/security\.protocol=SASL_PLAINTEXT/.test(props) || !/sasl\.mechanism=SCRAM-SHA-512/.test(props))
    fail('Unexpected handshake request with client mechanism');
  if (!m || m[1] !== server.username || m[2] !== server.password)
    fail('Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512');
}

function kafkaConfigs(dir: string, args: string[]): void {
  kafkaLogin(dir, args);
  const s = readKafka(dir);
  if (opt(args, '--entity-type') !== 'users') fail('only users here');
  const user = opt(args, '--entity-name') ?? fail('--entity-name is required');
  if (args.includes('--describe')) {
    if (s.users[user] !== undefined)
      process.stdout.write(`SCRAM credential configs for user-principal '${user}' are SCRAM-SHA-512=iterations=8192\n`);
  } else if (opt(args, '--add-config-file')) {
    const text = readFileSync(opt(args, '--add-config-file')!, 'utf8');
    const m = /^SCRAM-SHA-512=\[iterations=(\d+),password=([^\]\n]+)\]$/m.exec(text);
    if (!m || Number(m[1]) < 4096) fail('Invalid SCRAM config');
    s.users[user] = m[2]!;
  } else if (opt(args, '--delete-config') === 'SCRAM-SHA-512') {
    if (s.users[user] === undefined)
      fail('Error while executing config command: Attempt to delete a user credential that does not exist');
    delete s.users[user];
  } else fail('unsupported kafka-configs.sh call');
  writeFileSync(join(dir, 'kafka.json'), JSON.stringify(s));
}

function kafkaAcls(dir: string, args: string[]): void {
  kafkaLogin(dir, args);
  const s = readKafka(dir);
  const principal = opt(args, '--allow-principal') ?? fail('--allow-principal is required');
  const pattern = opt(args, '--resource-pattern-type') ?? 'literal';
  const operation = opt(args, '--operation') ?? fail('--operation is required');
  const wanted = [
    ...(opt(args, '--topic') ? [{ resource: 'topic', name: opt(args, '--topic')! }] : []),
    ...(opt(args, '--group') ? [{ resource: 'group', name: opt(args, '--group')! }] : []),
  ].map((r) => ({ principal, pattern, operation, ...r }));
  const same = (a: KafkaState['acls'][number], b: KafkaState['acls'][number]) =>
    a.principal === b.principal && a.resource === b.resource && a.name === b.name && a.pattern === b.pattern;
  if (args.includes('--add')) {
    for (const w of wanted) if (!s.acls.some((a) => same(a, w))) s.acls.push(w);
  } else if (args.includes('--remove')) {
    if (!args.includes('--force')) fail('Are you sure you want to remove ACLs (y/n)? no terminal to answer');
    s.acls = s.acls.filter((a) => !wanted.some((w) => same(a, w)));
  } else fail('unsupported kafka-acls.sh call');
  writeFileSync(join(dir, 'kafka.json'), JSON.stringify(s));
}

function mc(dir: string, args: string[]): void {
  const server = JSON.parse(readFileSync(join(dir, 'server.json'), 'utf8')) as StandInServer;
  const url = process.env.MC_HOST_polis;
  if (!url) fail('mc: <ERROR> Unable to find alias `polis`.');
  const u = new URL(url);
  if (u.hostname !== server.host || u.port !== String(server.port)) fail('mc: <ERROR> dial tcp: connection refused');
  if (decodeURIComponent(u.username) !== server.username || decodeURIComponent(u.password) !== server.password)
    fail('mc: <ERROR> The Access Key Id you provided does not exist in our records.');
  const s = readMinio(dir);
  const target = (a: string | undefined) => (a?.startsWith('polis/') ? a.slice('polis/'.length) : fail('no alias'));
  const save = () => writeFileSync(join(dir, 'minio.json'), JSON.stringify(s));
  const [a0, a1, a2] = args;
  if (a0 === 'mb') {
    const bucket = target(args.at(-1));
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) fail('mc: <ERROR> Bucket name contains invalid characters');
    if (bucket in s.buckets) {
      if (!args.includes('--ignore-existing'))
        fail('mc: <ERROR> Your previous request to create the named bucket succeeded and you already own it.');
    } else s.buckets[bucket] = [];
  } else if (a0 === 'rb') {
    const bucket = target(args.at(-1));
    if (!(bucket in s.buckets)) fail(`mc: <ERROR> Bucket \`${bucket}\` does not exist.`);
    if (s.buckets[bucket]!.length > 0 && !args.includes('--force'))
      fail('mc: <ERROR> The bucket you tried to delete is not empty.');
    delete s.buckets[bucket];
  } else if (a0 === 'admin' && a1 === 'policy' && a2 === 'create') {
    const [, , , , name, file] = args;
    JSON.parse(readFileSync(file!, 'utf8'));
    s.policies[name!] = readFileSync(file!, 'utf8');
  } else if (a0 === 'admin' && a1 === 'policy' && a2 === 'attach') {
    const name = args[4]!;
    const user = opt(args, '--user') ?? fail('--user is required');
    if (!(name in s.policies)) fail('mc: <ERROR> The canned policy does not exist.');
    const uu = s.users[user] ?? fail('mc: <ERROR> The specified user does not exist.');
    if (uu.policies.includes(name)) fail('mc: <ERROR> The specified policy change is already in effect.');
    uu.policies.push(name);
  } else if (a0 === 'admin' && a1 === 'policy' && a2 === 'remove') {
    const name = args[4]!;
    if (!(name in s.policies)) fail('mc: <ERROR> The canned policy does not exist.');
    if (Object.values(s.users).some((x) => x.policies.includes(name))) fail('mc: <ERROR> The policy is in use.');
    delete s.policies[name];
  } else if (a0 === 'admin' && a1 === 'user' && a2 === 'add') {
    const user = args[4] ?? fail('access key required');
    const secret = args[5] ?? readFileSync(0, 'utf8').split('\n')[0]!;
    if (secret.length < 8) fail('mc: <ERROR> The secret key is invalid.');
    s.users[user] = { secret, policies: s.users[user]?.policies ?? [] };
  } else if (a0 === 'admin' && a1 === 'user' && a2 === 'remove') {
    const user = args[4]!;
    if (!(user in s.users)) fail('mc: <ERROR> The specified user does not exist.');
    delete s.users[user];
  } else fail(`mc: unsupported call ${args.join(' ')}`);
  save();
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const [dir, tool, ...args] = process.argv.slice(2) as [string, string, ...string[]];
  appendFileSync(join(dir, 'args.log'), `${JSON.stringify([tool, ...args])}\n`);
  // A failure injected by the test: the first call whose arguments hold the text in fail-on fails, as a lost
  // connection would, after the calls before it in the script did their work.
  const failOn = join(dir, 'fail-on');
  if (existsSync(failOn) && [tool, ...args].join(' ').includes(readFileSync(failOn, 'utf8'))) {
    rmSync(failOn);
    fail('injected: connection reset by peer');
  }
  if (tool === 'kafka-configs.sh') kafkaConfigs(dir, args);
  else if (tool === 'kafka-acls.sh') kafkaAcls(dir, args);
  else mc(dir, args);
}
