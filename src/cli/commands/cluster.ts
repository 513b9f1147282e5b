import { readFile } from 'node:fs/promises';
import { usageError } from '../cli-errors.ts';
import type { CliContext } from '../context.ts';
import { eprintln, println } from '../io.ts';
import { parseOutput, toJson, toYaml } from '../printers.ts';

export interface ClusterAddOptions {
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly vendor?: string;
  readonly region?: string;
  readonly zone?: string;
  readonly networkZone?: string;
  readonly role?: string;
  readonly cpuPrice?: string;
  readonly memoryPrice?: string;
  readonly label?: string[];
  readonly dryRun?: boolean;
  readonly output?: string;
}

const ROLES = ['primary', 'burst', 'disaster-recovery'];

interface Registration {
  readonly kind: 'ClusterRegistration';
  readonly cluster: { metadata: { name: string } };
  readonly secret: string;
  readonly server: string;
  readonly context: string;
  readonly auth: string;
}

/**
 * `polis cluster add NAME --kubeconfig FILE …`: register a Kubernetes cluster. The kubeconfig is sent once, reduced
 * by the server to the chosen context, and kept there encrypted; exec plugins are refused with the reason.
 */
export async function runClusterAdd(ctx: CliContext, name: string, opts: ClusterAddOptions): Promise<number> {
  const format = parseOutput(opts.output, ['table', 'json', 'yaml']);
  if (!opts.kubeconfig)
    throw usageError('--kubeconfig is required', 'the kubeconfig file of the member cluster (- for standard input)');
  for (const [flag, value] of [
    ['--vendor', opts.vendor],
    ['--region', opts.region],
    ['--zone', opts.zone],
    ['--network-zone', opts.networkZone],
  ] as const) {
    if (!value)
      throw usageError(
        `${flag} is required`,
        'e.g. --vendor aliyun --region cn-hangzhou --zone cn-hangzhou-h --network-zone internet',
      );
  }
  const role = opts.role ?? 'primary';
  if (!ROLES.includes(role)) throw usageError(`--role ${role} is not valid`, `one of ${ROLES.join(', ')}`);
  const price = (flag: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw usageError(`${flag} ${v} is not valid`, 'a price in yuan, e.g. 0.22');
    return n;
  };
  const cpu = price('--cpu-price', opts.cpuPrice);
  const memory = price('--memory-price', opts.memoryPrice);
  if ((cpu === undefined) !== (memory === undefined))
    throw usageError('give --cpu-price and --memory-price together', 'yuan per vCPU-hour and per GiB-hour');
  const labels: Record<string, string> = {};
  for (const l of opts.label ?? []) {
    const i = l.indexOf('=');
    if (i <= 0)
      throw usageError(`--label ${l} is not KEY=VALUE`, 'e.g. --label topology.kubernetes.io/region=cn-hangzhou');
    labels[l.slice(0, i)] = l.slice(i + 1);
  }
  let text: string;
  try {
    text = opts.kubeconfig === '-' ? await readStdin(ctx) : await readFile(opts.kubeconfig, 'utf8');
  } catch (e) {
    throw usageError(
      `cannot read --kubeconfig ${opts.kubeconfig}: ${(e as Error).message}`,
      'give the path of a kubeconfig file',
    );
  }
  const client = await ctx.connect();
  const result = await client.request<Registration>('POST', '/api/v1/clusters', {
    query: opts.dryRun ? { dryRun: 'All' } : undefined,
    body: {
      name,
      kubeconfig: text,
      ...(opts.context ? { context: opts.context } : {}),
      vendor: opts.vendor,
      region: opts.region,
      zone: opts.zone,
      networkZone: opts.networkZone,
      role,
      ...(cpu !== undefined ? { prices: { cpuCoreHour: cpu, memoryGiBHour: memory } } : {}),
      ...(Object.keys(labels).length ? { labels } : {}),
    },
  });
  if (format === 'json' || format === 'yaml') {
    ctx.io.stdout.write(format === 'json' ? toJson(result) : toYaml(result));
    return 0;
  }
  println(ctx.io, `cluster/${result.cluster.metadata.name} ${opts.dryRun ? 'checked (dry run)' : 'registered'}`);
  eprintln(
    ctx.io,
    `api server ${result.server} (context ${result.context}, ${result.auth} credentials kept encrypted in platformsecret/${result.secret}); polis get clusters shows its health`,
  );
  return 0;
}

async function readStdin(ctx: CliContext): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of ctx.io.stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : Buffer.from(c));
  return Buffer.concat(chunks).toString('utf8');
}
