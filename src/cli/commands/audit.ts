import { fetchResources, resolveResource } from '../api-resources.ts';
import { CliError, EXIT } from '../cli-errors.ts';
import type { CliContext } from '../context.ts';
import { parseCount, parseTimeOrAgo } from '../durations.ts';
import { eprintln, println } from '../io.ts';
import { cell, formatTable, parseOutput, toJson, toYaml } from '../printers.ts';
import type { AuditEntry } from './describe.ts';
import { say } from '../cli-lang.ts';
import type { Params } from '../../kernel/messages/index.ts';

/** An entry's message in the CLI's language: a refusal recorded with its code, else the English as recorded. */
export function refusalText(a: AuditEntry): string {
  const refusal = (a.changes as { refusal?: { code?: unknown; params?: Params } } | null | undefined)?.refusal;
  if (!refusal || typeof refusal.code !== 'string') return a.message;
  return say({ code: refusal.code, ...(refusal.params ? { params: refusal.params } : {}), message: a.message });
}

export interface AuditListOptions {
  readonly tenant?: string;
  readonly actor?: string;
  readonly kind?: string;
  readonly name?: string;
  readonly verb?: string;
  readonly action?: string;
  readonly system?: boolean;
  readonly outcome?: string;
  readonly since?: string;
  readonly until?: string;
  readonly limit?: string;
  readonly after?: string;
  readonly before?: string;
  readonly output?: string;
}

const DEFAULT_LIMIT = 100;

/**
 * `polis audit list`: the newest entries matching the filters, shown in time order (older ones: --before SEQ), or
 * with --after SEQ the entries after SEQ, oldest first (the next ones: --after again). `--kind` takes the names `get`
 * takes (apps → Application); `--since`/`--until` take ISO times or durations ago (2h).
 */
export async function runAuditList(ctx: CliContext, opts: AuditListOptions): Promise<number> {
  const format = parseOutput(opts.output, ['table', 'wide', 'json', 'yaml']);
  const limit = opts.limit === undefined ? DEFAULT_LIMIT : parseCount(opts.limit, '--limit', 1, 5000);
  const after = opts.after === undefined ? undefined : parseCount(opts.after, '--after', 0, Number.MAX_SAFE_INTEGER);
  const before =
    opts.before === undefined ? undefined : parseCount(opts.before, '--before', 1, Number.MAX_SAFE_INTEGER);
  if (after !== undefined && before !== undefined) {
    throw new CliError('give --after or --before, not both', { exitCode: EXIT.usage });
  }
  const newest = after === undefined;
  const now = ctx.now();
  const since = opts.since === undefined ? undefined : parseTimeOrAgo(opts.since, '--since', now);
  const until = opts.until === undefined ? undefined : parseTimeOrAgo(opts.until, '--until', now);
  const client = await ctx.connect();
  let kind = opts.kind;
  if (kind !== undefined) {
    // Kinds are matched exactly by the server; accept what `get` accepts, and pass anything else (List) as given.
    try {
      kind = resolveResource(await fetchResources(client), kind).kind;
    } catch (e) {
      if (!(e instanceof CliError) || e.exitCode !== EXIT.usage) throw e;
    }
  }
  const page = await client.get<{ items: AuditEntry[]; next?: number }>('/api/v1/audit', {
    tenant: opts.tenant,
    actor: opts.actor,
    kind,
    name: opts.name,
    verb: opts.verb,
    action: opts.action,
    system: opts.system ? 'true' : undefined,
    outcome: opts.outcome,
    since,
    until,
    limit,
    after,
    before,
    order: newest ? 'desc' : 'asc',
  });
  // Newest first from the server; shown in time order, like the tail of a log.
  const items = newest ? [...page.items].reverse() : page.items;
  if (format === 'json' || format === 'yaml') {
    const shown = { ...page, items };
    ctx.io.stdout.write(format === 'json' ? toJson(shown) : toYaml(shown));
    return EXIT.ok;
  }
  if (items.length === 0) eprintln(ctx.io, 'No audit entries found.');
  else {
    const wide = format === 'wide';
    const header = [
      'SEQ',
      'TIME',
      'ACTOR',
      'VERB',
      ...(wide ? ['SUMMARY'] : []),
      'KIND',
      'TENANT',
      'NAME',
      'OUTCOME',
      'CODE',
      ...(wide ? ['REQUEST', 'MESSAGE'] : []),
    ];
    const rows = items.map((a) => [
      String(a.seq),
      a.time.replace(/\.\d+Z$/, 'Z'),
      a.actor,
      a.verb,
      ...(wide ? [a.summary?.message ?? ''] : []),
      a.kind,
      cell(a.tenant),
      cell(a.name),
      a.outcome,
      String(a.code),
      ...(wide ? [cell(a.requestId), cell(refusalText(a))] : []),
    ]);
    ctx.io.stdout.write(formatTable(header, rows));
  }
  if (page.next !== undefined && items.length === limit) {
    eprintln(
      ctx.io,
      newest ? `older entries: add --before ${items[0]!.seq}` : `more entries follow: add --after ${page.next}`,
    );
  }
  return EXIT.ok;
}

interface Verification {
  readonly ok: boolean;
  readonly entries: number;
  readonly headSeq: number;
  readonly headHash: string;
  readonly brokenAt?: { readonly seq: number; readonly problem: string };
  readonly anchor?: { readonly seq: number; readonly hash: string };
}

/** `polis audit verify`: checks the hash chain of the whole log; a broken chain exits 1 and says where. */
export async function runAuditVerify(ctx: CliContext, opts: { output?: string }): Promise<number> {
  const format = parseOutput(opts.output, ['table', 'json', 'yaml']);
  const client = await ctx.connect();
  const v = await client.get<Verification>('/api/v1/audit/verify');
  if (format === 'json' || format === 'yaml') ctx.io.stdout.write(format === 'json' ? toJson(v) : toYaml(v));
  if (v.ok) {
    if (format === 'table') {
      println(ctx.io, `audit log intact: ${v.entries} entries, head ${v.headSeq} (hash ${v.headHash})`);
      if (v.anchor && v.anchor.seq > 0)
        println(
          ctx.io,
          `entries up to ${v.anchor.seq} were archived by retention (last hash ${v.anchor.hash}): check them with polis audit verify ARCHIVE…`,
        );
    }
    return EXIT.ok;
  }
  const at = v.brokenAt;
  throw new CliError(`the audit chain is broken at entry ${at?.seq ?? '?'}: ${at?.problem ?? 'unknown problem'}`, {
    exitCode: EXIT.failure,
    hint: `entries 1..${v.headSeq} verify (hash ${v.headHash}); compare the log from entry ${at?.seq ?? v.headSeq + 1} with a backup or an exported copy`,
  });
}
