import type { Command } from 'commander';
import { usageError } from './cli-errors.ts';
import type { CliContext } from './context.ts';
import { println } from './io.ts';

const BASE = '/apis/market.polis.io/v1';
const NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

type Run = (p: Promise<number>) => Promise<void>;
type Examples = (cmd: Command, text: string) => Command;

function checkName(what: string, name: string): void {
  if (!NAME.test(name)) throw usageError(`${what} "${name}" is not a name`, 'lower-case letters, digits and "-"');
}

/** `dept/name` → its two names, checked. */
function pair(what: string, text: string): [string, string] {
  const [a, b, ...rest] = text.split('/');
  if (a === undefined || b === undefined || rest.length > 0)
    throw usageError(`"${text}" is not DEPARTMENT/${what.toUpperCase()}`, `e.g. tax/invoice-verify`);
  checkName('department', a);
  checkName(what, b);
  return [a, b];
}

async function department(ctx: CliContext, tenant: string | undefined): Promise<string> {
  const t = tenant ?? (await ctx.connection()).tenant;
  if (!t) throw usageError('no department', 'give --tenant DEPARTMENT, or log in with a default department');
  return t;
}

/**
 * The owner's decision on a subscription to one of its APIs (`polis market approve|refuse|revoke DEPT/SUB --api API`).
 * Exported for `market approve`, which also approves catalog versions (an argument without "/").
 */
export async function decideSubscription(
  ctx: CliContext,
  verdict: 'approve' | 'refuse' | 'revoke',
  target: string,
  opts: { api?: string; tenant?: string; comment?: string },
): Promise<number> {
  const [dept, subscription] = pair('subscription', target);
  if (!opts.api) throw usageError('--api is required', 'the name of your SharedAPI the subscription is to');
  checkName('api', opts.api);
  const owner = await department(ctx, opts.tenant);
  const client = await ctx.connect();
  await client.request('POST', `${BASE}/tenants/${owner}/sharedapis/${encodeURIComponent(opts.api)}/${verdict}`, {
    body: { department: dept, subscription, ...(opts.comment ? { comment: opts.comment } : {}) },
  });
  println(ctx.io, `apisubscription/${dept}/${subscription} ${verdict}d`);
  return 0;
}

/** `polis market share|subscribe|refuse|revoke|apis`: data sharing between departments (approve: market-program.ts). */
export function registerSharingCommands(market: Command, ctx: CliContext, run: Run, examples: Examples): void {
  examples(
    market
      .command('share')
      .description('publish a component of one of your applications as an API other departments may subscribe to')
      .argument('<api>', 'the SharedAPI name')
      .requiredOption('--app <application>', 'your application')
      .requiredOption('--component <component>', 'its component that serves the API')
      .requiredOption('--port <port>', 'the port it serves on')
      .requiredOption('--zh <name>', 'display name (zh)')
      .requiredOption('--en <name>', 'display name (en)')
      .option('--description-zh <text>', 'description (zh); default the name')
      .option('--description-en <text>', 'description (en); default the name')
      .option('-n, --tenant <department>', 'your department')
      .action(
        (
          api: string,
          o: {
            app: string;
            component: string;
            port: string;
            zh: string;
            en: string;
            descriptionZh?: string;
            descriptionEn?: string;
            tenant?: string;
          },
        ) =>
          run(
            (async () => {
              checkName('api', api);
              checkName('application', o.app);
              checkName('component', o.component);
              const port = Number(o.port);
              if (!Number.isInteger(port) || port < 1 || port > 65535)
                throw usageError(`--port "${o.port}" is not a port`, 'an integer from 1 to 65535');
              const owner = await department(ctx, o.tenant);
              const client = await ctx.connect();
              await client.request('POST', `${BASE}/tenants/${owner}/sharedapis`, {
                body: {
                  apiVersion: 'market.polis.io/v1',
                  kind: 'SharedAPI',
                  metadata: { name: api },
                  spec: {
                    application: o.app,
                    component: o.component,
                    port,
                    displayName: { zh: o.zh, en: o.en },
                    description: { zh: o.descriptionZh ?? o.zh, en: o.descriptionEn ?? o.en },
                  },
                },
              });
              println(ctx.io, `sharedapi/${api} published by ${owner}`);
              return 0;
            })(),
          ),
      ),
    '  polis market share invoice-verify --app e-invoice --component gateway --port 8443 --zh 发票查验 --en "Invoice check"',
  );
  examples(
    market
      .command('apis')
      .description('the APIs departments publish: department, name and description')
      .action(() =>
        run(
          (async () => {
            const client = await ctx.connect();
            const r = await client.request<{
              items: Array<{ department: string; name: string; displayName: { zh: string; en: string } }>;
            }>('GET', `${BASE}/shared-api-directory`);
            println(ctx.io, 'DEPARTMENT\tAPI\tNAME (ZH)\tNAME (EN)');
            for (const i of r.items)
              println(ctx.io, [i.department, i.name, i.displayName.zh, i.displayName.en].join('\t'));
            return 0;
          })(),
        ),
      ),
    '  polis market apis',
  );
  examples(
    market
      .command('subscribe')
      .description('ask another department for access to one of its APIs from one of your applications')
      .argument('<api>', 'DEPARTMENT/API, as polis market apis lists it')
      .requiredOption('--app <application>', 'your application that calls it (the only one let through)')
      .option('--name <subscription>', 'the APISubscription name (default DEPARTMENT-API)')
      .option('-n, --tenant <department>', 'your department')
      .action((target: string, o: { app: string; name?: string; tenant?: string }) =>
        run(
          (async () => {
            const [dept, api] = pair('api', target);
            checkName('application', o.app);
            const name = o.name ?? `${dept}-${api}`.slice(0, 63).replace(/-+$/, '');
            checkName('subscription', name);
            const own = await department(ctx, o.tenant);
            const client = await ctx.connect();
            await client.request('POST', `${BASE}/tenants/${own}/apisubscriptions`, {
              body: {
                apiVersion: 'market.polis.io/v1',
                kind: 'APISubscription',
                metadata: { name },
                spec: { department: dept, api, application: o.app },
              },
            });
            println(ctx.io, `apisubscription/${name} requested: waiting for ${dept} to approve`);
            return 0;
          })(),
        ),
      ),
    '  polis market subscribe tax/invoice-verify --app social-security-query',
  );
  for (const verdict of ['refuse', 'revoke'] as const)
    examples(
      market
        .command(verdict)
        .description(
          verdict === 'refuse'
            ? 'refuse a department’s subscription to one of your APIs'
            : 'revoke an approved subscription: its API key and network path are removed',
        )
        .argument('<subscription>', 'DEPARTMENT/SUBSCRIPTION, as your SharedAPI’s status lists it')
        .requiredOption('--api <api>', 'your SharedAPI')
        .option('-m, --comment <text>', 'why')
        .option('-n, --tenant <department>', 'your department')
        .action((target: string, o: { api: string; comment?: string; tenant?: string }) =>
          run(decideSubscription(ctx, verdict, target, o)),
        ),
      `  polis market ${verdict} hrss/tax-invoice-verify --api invoice-verify -m "用途不明"`,
    );
}
