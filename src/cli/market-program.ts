import type { Command } from 'commander';
import { usageError } from './cli-errors.ts';
import type { CliContext } from './context.ts';
import { println } from './io.ts';
import { registerCopyCommands } from './copy-program.ts';
import { decideSubscription, registerSharingCommands } from './sharing-program.ts';

const BASE = '/apis/market.polis.io/v1';
const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const STATES = ['active', 'deprecated', 'suspended'];

interface CatalogItem {
  readonly name: string;
  readonly type: string;
  readonly displayName: { zh: string; en: string };
  readonly state: string;
  readonly price: { model: string; amount?: number };
  readonly versions: ReadonlyArray<{ version: string }>;
}

function checkName(what: string, name: string): void {
  if (!NAME.test(name)) throw usageError(`${what} "${name}" is not a name`, `give it as polis get ${what}s shows it`);
}

/**
 * `polis market …`: the marketplace's actions that are not objects: the released catalog, review (submit, approve,
 * reject) and an item's state. Instances and bindings are kinds: `polis apply -f`, `polis get mi`, `polis get sb`.
 */
export function registerMarketCommands(
  program: Command,
  ctx: CliContext,
  run: (p: Promise<number>) => Promise<void>,
  examples: (cmd: Command, text: string) => Command,
): void {
  const market = program
    .command('market')
    .description('the marketplace (服务市场): catalog, review, item state, data sharing between departments');
  examples(
    market
      .command('catalog')
      .description('the released catalog: items with their released versions')
      .option('-o, --output <format>', 'json')
      .action((opts: { output?: string }) =>
        run(
          (async () => {
            const client = await ctx.connect();
            const r = await client.request<{ items: CatalogItem[] }>('GET', `${BASE}/catalog`);
            if (opts.output === 'json') {
              println(ctx.io, JSON.stringify(r, null, 2));
              return 0;
            }
            println(ctx.io, 'NAME\tTYPE\tSTATE\tPRICE\tVERSIONS\tNAME (ZH)');
            for (const i of r.items)
              println(
                ctx.io,
                [
                  i.name,
                  i.type,
                  i.state,
                  i.price.model === 'free' ? 'free' : `¥${i.price.amount}/${i.price.model}`,
                  i.versions.map((v) => v.version).join(','),
                  i.displayName.zh,
                ].join('\t'),
              );
            return 0;
          })(),
        ),
      ),
    '  polis market catalog',
  );
  for (const [action, text] of [
    ['submit', 'submit a draft version for review (runs the automatic checks)'],
    [
      'approve',
      'approve and release a submitted version (the data bureau; never your own item), or with --api a ' +
        'department’s subscription to your API (DEPARTMENT/SUBSCRIPTION)',
    ],
    ['reject', 'reject a submitted version with a comment'],
  ] as const)
    examples(
      market
        .command(action)
        .description(text)
        .argument('<version>', 'the CatalogItemVersion, e.g. postgresql-16-4-0')
        .option('-m, --comment <text>', 'the reviewer’s comment (required to reject)')
        .option('--api <api>', 'approve: your SharedAPI (the argument is then DEPARTMENT/SUBSCRIPTION)')
        .option('-n, --tenant <department>', 'with --api: your department')
        .action((version: string, opts: { comment?: string; api?: string; tenant?: string }) =>
          run(
            (async () => {
              if (action === 'approve' && (opts.api !== undefined || version.includes('/')))
                return decideSubscription(ctx, 'approve', version, opts);
              checkName('catalogitemversion', version);
              if (action === 'reject' && !opts.comment)
                throw usageError('--comment is required to reject', 'say what the publisher should change');
              const client = await ctx.connect();
              const r = await client.request<{ status?: { phase?: string } }>(
                'POST',
                `${BASE}/catalogitemversions/${encodeURIComponent(version)}/${action}`,
                { body: opts.comment ? { comment: opts.comment } : {} },
              );
              println(ctx.io, `catalogitemversion/${version} ${r.status?.phase ?? action}`);
              return 0;
            })(),
          ),
        ),
      action === 'reject'
        ? `  polis market reject postgresql-16-4-0 -m "请补充健康检查"`
        : `  polis market ${action} postgresql-16-4-0`,
    );
  examples(
    market
      .command('state')
      .description('set an item active, deprecated or suspended (no new instances; existing ones keep running)')
      .argument('<item>', 'the CatalogItem')
      .argument('<state>', STATES.join(' | '))
      .option('-m, --comment <text>', 'why')
      .action((item: string, state: string, opts: { comment?: string }) =>
        run(
          (async () => {
            checkName('catalogitem', item);
            if (!STATES.includes(state)) throw usageError(`unknown state "${state}"`, `one of ${STATES.join(', ')}`);
            const client = await ctx.connect();
            await client.request('POST', `${BASE}/catalogitems/${encodeURIComponent(item)}/state`, {
              body: { state, ...(opts.comment ? { comment: opts.comment } : {}) },
            });
            println(ctx.io, `catalogitem/${item} ${state}`);
            return 0;
          })(),
        ),
      ),
    '  polis market state redis suspended -m "安全漏洞修复中"',
  );
  registerSharingCommands(market, ctx, run, examples);
  registerCopyCommands(market, ctx, run, examples);
}
