import type { Command } from 'commander';
import { usageError } from './cli-errors.ts';
import type { CliContext } from './context.ts';
import { println } from './io.ts';

const BASE = '/apis/market.polis.io/v1';
const NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

type Run = (p: Promise<number>) => Promise<void>;
type Examples = (cmd: Command, text: string) => Command;

interface CopyResult {
  readonly dryRun: boolean;
  readonly target: { department: string };
  readonly instances: ReadonlyArray<{ from: string; to: string; item: string; version: string }>;
  readonly bindings: ReadonlyArray<{ from: string; to: string; application: string }>;
}
interface FamilyRow {
  readonly origin: { department: string; instance: string };
  readonly department: string;
  readonly name: string;
  readonly item: string;
  readonly version: string;
  readonly latest?: string;
  readonly upgradeAvailable: boolean;
}

/** `--set portal.webReplicas=3` → overrides.portal.parameters.webReplicas = 3 (a JSON value where it parses). */
function overridesOf(sets: readonly string[]): Record<string, { parameters: Record<string, unknown> }> {
  const out: Record<string, { parameters: Record<string, unknown> }> = {};
  for (const s of sets) {
    const m = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(s);
    if (!m) throw usageError(`--set "${s}" is not INSTANCE.PARAMETER=VALUE`, 'e.g. --set portal.webReplicas=3');
    let value: unknown = m[4];
    try {
      value = JSON.parse(m[4]!);
    } catch {
      // A plain string.
    }
    (out[m[1]!] ??= { parameters: {} }).parameters[m[3]!] = value;
  }
  return out;
}

/** `polis market copy|copies|upgrade-copies`: copy a department's solution, and keep its copies upgraded. */
export function registerCopyCommands(market: Command, ctx: CliContext, run: Run, examples: Examples): void {
  examples(
    market
      .command('copy')
      .description(
        "copy a department's marketplace instances and their bindings to another department or region, all or nothing",
      )
      .argument('<department>', 'the department copied from')
      .requiredOption('--to <department>', 'the department copied to (may be the same, with --suffix)')
      .option('--region <region...>', 'place the copies on these regions’ clusters')
      .option('--suffix <text>', 'appended to every copied name, e.g. -west')
      .option('--instance <name...>', 'only these instances (default: all of the department’s)')
      .option('--set <instance.parameter=value...>', 'a parameter of one copied instance', [])
      .option('--dry-run', 'check everything, quota included, and write nothing')
      .action(
        (
          from: string,
          opts: {
            to: string;
            region?: string[];
            suffix?: string;
            instance?: string[];
            set: string[];
            dryRun?: boolean;
          },
        ) =>
          run(
            (async () => {
              for (const [what, n] of [
                ['department', from],
                ['--to', opts.to],
              ] as const)
                if (!NAME.test(n)) throw usageError(`${what} "${n}" is not a name`, 'a department name');
              const overrides = overridesOf(opts.set);
              const client = await ctx.connect();
              const r = await client.request<CopyResult>(
                'POST',
                `${BASE}/tenants/${encodeURIComponent(from)}/copy${opts.dryRun ? '?dryRun=All' : ''}`,
                {
                  body: {
                    target: {
                      department: opts.to,
                      ...(opts.region ? { regions: opts.region } : {}),
                      ...(opts.suffix ? { suffix: opts.suffix } : {}),
                    },
                    ...(opts.instance ? { instances: opts.instance } : {}),
                    ...(Object.keys(overrides).length > 0 ? { overrides } : {}),
                  },
                },
              );
              const note = r.dryRun ? ' (dry run)' : '';
              for (const i of r.instances)
                println(ctx.io, `marketinstance/${r.target.department}/${i.to} copied from ${from}/${i.from}${note}`);
              for (const b of r.bindings)
                println(ctx.io, `servicebinding/${r.target.department}/${b.to} copied from ${from}/${b.from}${note}`);
              return 0;
            })(),
          ),
      ),
    '  polis market copy edu --to edu --region city-west --suffix -west\n' +
      '  polis market copy edu --to edu-sz --instance portal --set portal.title=深圳教育一网通办',
  );
  examples(
    market
      .command('copies')
      .description('originals and their copies you may see, with the newest released version of each')
      .option('--origin <department/instance>', 'one family only')
      .option('--upgradable', 'only those with a newer released version')
      .option('-o, --output <format>', 'json')
      .action((opts: { origin?: string; upgradable?: boolean; output?: string }) =>
        run(
          (async () => {
            const q = new URLSearchParams();
            if (opts.origin) q.set('origin', opts.origin);
            if (opts.upgradable) q.set('upgradable', 'true');
            const client = await ctx.connect();
            const r = await client.request<{ items: FamilyRow[] }>('GET', `${BASE}/copies?${q.toString()}`);
            if (opts.output === 'json') {
              println(ctx.io, JSON.stringify(r, null, 2));
              return 0;
            }
            println(ctx.io, 'ORIGIN\tDEPARTMENT\tINSTANCE\tITEM\tVERSION\tLATEST\tUPGRADE');
            for (const x of r.items)
              println(
                ctx.io,
                [
                  `${x.origin.department}/${x.origin.instance}`,
                  x.department,
                  x.name,
                  x.item,
                  x.version,
                  x.latest ?? '-',
                  x.upgradeAvailable ? 'yes' : 'no',
                ].join('\t'),
              );
            return 0;
          })(),
        ),
      ),
    '  polis market copies --upgradable',
  );
  examples(
    market
      .command('upgrade-copies')
      .description('upgrade an original and its copies you may update to a released version (default: the newest)')
      .argument('<origin>', 'DEPARTMENT/INSTANCE the copies were made from')
      .option('--version <version>', 'the released version (default: the newest)')
      .option('--department <department...>', 'only these departments’ members')
      .action((origin: string, opts: { version?: string; department?: string[] }) =>
        run(
          (async () => {
            if (!/^[a-z0-9-]+\/[a-z0-9-]+$/.test(origin))
              throw usageError(`"${origin}" is not DEPARTMENT/INSTANCE`, 'e.g. edu/portal');
            const client = await ctx.connect();
            const r = await client.request<{
              upgraded: ReadonlyArray<{ department: string; name: string; from: string; to: string }>;
            }>('POST', `${BASE}/copies/upgrade`, {
              body: {
                origin,
                ...(opts.version ? { version: opts.version } : {}),
                ...(opts.department ? { departments: opts.department } : {}),
              },
            });
            if (r.upgraded.length === 0) println(ctx.io, `nothing to upgrade in ${origin}'s family`);
            for (const u of r.upgraded) println(ctx.io, `marketinstance/${u.department}/${u.name} ${u.from} → ${u.to}`);
            return 0;
          })(),
        ),
      ),
    '  polis market upgrade-copies edu/portal',
  );
}
