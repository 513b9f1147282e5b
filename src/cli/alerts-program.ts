import type { Command } from 'commander';
import { say } from './cli-lang.ts';
import type { CliContext } from './context.ts';
import { println } from './io.ts';

const BASE = '/apis/observe.polis.io/v1';

interface AlertItem {
  readonly rule: string;
  readonly tenant?: string;
  readonly severity: string;
  readonly state: string;
  readonly activeAt: number;
  readonly message: { code: string; params?: Record<string, never>; message: string };
  readonly inhibitedBy?: { rule: string; cluster: string };
}

interface ObjectList {
  readonly items: ReadonlyArray<{ metadata: { name: string; tenant?: string }; spec: Record<string, unknown> }>;
}

/** `-n dept` → that department's path; none → what the caller may read across departments. */
const scoped = (ns: string | undefined, what: string) => (ns ? `${BASE}/tenants/${ns}/${what}` : `${BASE}/${what}`);

/**
 * `polis alerts …`: alerts (evaluated, not objects), notifications recorded, the rule file for Prometheus, and
 * short tables of the objects behind them (rules, channels, silences: also `polis get alertrules` …).
 */
export function registerAlertCommands(
  program: Command,
  ctx: CliContext,
  run: (p: Promise<number>) => Promise<void>,
  examples: (cmd: Command, text: string) => Command,
): void {
  const alerts = program
    .command('alerts')
    .description('SLOs and alerts (告警): alerts, rules, channels, silences, notifications');
  const table = (
    name: string,
    description: string,
    fetch: (ns: string | undefined) => Promise<{ header: string; rows: string[][]; json: unknown }>,
  ) =>
    alerts
      .command(name)
      .description(description)
      .option('-n, --namespace <department>', 'one department (default: every department you may read)')
      .option('-o, --output <format>', 'json')
      .action((opts: { namespace?: string; output?: string }) =>
        run(
          (async () => {
            const r = await fetch(opts.namespace);
            if (opts.output === 'json') println(ctx.io, JSON.stringify(r.json, null, 2));
            else {
              println(ctx.io, r.header);
              for (const row of r.rows) println(ctx.io, row.join('\t'));
            }
            return 0;
          })(),
        ),
      );
  examples(
    table('list', 'alerts now: pending, firing and recently resolved, with what holds them back', async (ns) => {
      const client = await ctx.connect();
      const r = await client.get<{ items: AlertItem[] }>(scoped(ns, 'alerts'));
      return {
        header: 'STATE\tSEVERITY\tDEPARTMENT\tRULE\tSINCE\tMESSAGE',
        rows: r.items.map((a) => [
          a.inhibitedBy ? `${a.state} (inhibited by ${a.inhibitedBy.rule} ${a.inhibitedBy.cluster})` : a.state,
          a.severity,
          a.tenant ?? '-',
          a.rule,
          new Date(a.activeAt).toISOString(),
          say(a.message),
        ]),
        json: r,
      };
    }),
    'polis alerts list\npolis alerts list -n edu -o json',
  );
  table(
    'rules',
    'alert rules (AlertRule objects; the built-in platform and SLO rules are in docs/observe.md)',
    async (ns) => {
      const client = await ctx.connect();
      const r = await client.get<ObjectList>(scoped(ns, 'alertrules'));
      return {
        header: 'DEPARTMENT\tNAME\tSEVERITY\tEXPRESSION\tFOR',
        rows: r.items.map((o) => {
          const s = o.spec as {
            severity: string;
            for?: string;
            threshold?: Record<string, unknown>;
            burnRate?: Record<string, unknown>;
            trend?: Record<string, unknown>;
          };
          const e = s.threshold
            ? `${String(s.threshold.aggregate ?? 'avg')}(${String(s.threshold.signal)}[${String(s.threshold.window)}]) ${String(s.threshold.op)} ${String(s.threshold.value)}`
            : s.trend
              ? `predict_linear(${String(s.trend.signal)}[${String(s.trend.window)}], ${String(s.trend.horizon)}) >= ${String(s.trend.threshold)}`
              : `burn(${String(s.burnRate?.sli)}) >= ${String(s.burnRate?.factor)}x over ${String(s.burnRate?.long)} and ${String(s.burnRate?.short)}`;
          return [o.metadata.tenant ?? '', o.metadata.name, s.severity, e, s.for ?? '0s'];
        }),
        json: r,
      };
    },
  );
  table('channels', 'notification channels (secrets never shown)', async (ns) => {
    const client = await ctx.connect();
    const r = await client.get<ObjectList>(scoped(ns, 'notificationchannels'));
    return {
      header: 'DEPARTMENT\tNAME\tTYPE\tSEVERITIES\tLANGUAGE',
      rows: r.items.map((o) => {
        const s = o.spec as { type: string; language?: string; route?: { severities?: string[] } };
        return [
          o.metadata.tenant ?? '',
          o.metadata.name,
          s.type,
          (s.route?.severities ?? ['page', 'ticket']).join(','),
          s.language ?? 'zh-en',
        ];
      }),
      json: r,
    };
  });
  table('silences', 'silences and maintenance windows', async (ns) => {
    const client = await ctx.connect();
    const r = await client.get<ObjectList>(scoped(ns, 'silences'));
    return {
      header: 'DEPARTMENT\tNAME\tMATCHERS\tFROM\tUNTIL\tSCHEDULE\tCOMMENT',
      rows: r.items.map((o) => {
        const s = o.spec as {
          matchers: Record<string, string>;
          startsAt?: string;
          endsAt?: string;
          maintenance?: { schedule: string; duration: string };
          comment: string;
        };
        return [
          o.metadata.tenant ?? '',
          o.metadata.name,
          Object.entries(s.matchers)
            .map(([k, v]) => `${k}=${v}`)
            .join(',') || '*',
          s.startsAt ?? '-',
          s.endsAt ?? '-',
          s.maintenance ? `${s.maintenance.schedule} for ${s.maintenance.duration}` : '-',
          s.comment,
        ];
      }),
      json: r,
    };
  });
  table('notifications', 'notifications recorded: sent, failed, silenced, inhibited', async (ns) => {
    const client = await ctx.connect();
    const r = await client.get<{
      items: Array<{
        at: string;
        outcome: string;
        channel?: string;
        attempts: number;
        notice: { rule?: string; status: string };
        detail?: AlertItem['message'];
      }>;
    }>(scoped(ns, 'notifications'));
    return {
      header: 'AT\tOUTCOME\tCHANNEL\tATTEMPTS\tRULE\tSTATUS\tDETAIL',
      rows: r.items.map((n) => [
        n.at,
        n.outcome,
        n.channel ?? '-',
        String(n.attempts),
        n.notice.rule ?? '-',
        n.notice.status,
        say(n.detail),
      ]),
      json: r,
    };
  });
  examples(
    alerts
      .command('export')
      .description('the rules as a Prometheus rule file (for Prometheus and Alertmanager)')
      .option('-n, --namespace <department>', "one department's (its SLOs and its rules)")
      .action((opts: { namespace?: string }) =>
        run(
          (async () => {
            const client = await ctx.connect();
            const r = await client.download(scoped(opts.namespace, 'prometheusrules'), { format: 'prometheus' });
            ctx.io.stdout.write(r.data.toString('utf8'));
            return 0;
          })(),
        ),
      ),
    'polis alerts export > polis-rules.yaml\npolis alerts export -n edu',
  );
}
