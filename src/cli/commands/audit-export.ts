import { cliLang } from '../cli-lang.ts';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { Archive } from '../../audit/archive.ts';
import { checkArchives, readArchive } from '../../audit/archive.ts';
import { parseExport } from '../../audit/export-format.ts';
import type { ExportProblem } from '../../audit/export-verify.ts';
import { checkExport } from '../../audit/export-verify.ts';
import type { AuditAnchor } from '../../resources/audit-log.ts';
import { CliError, EXIT } from '../cli-errors.ts';
import type { CliContext } from '../context.ts';
import { parseTimeOrAgo } from '../durations.ts';
import { println } from '../io.ts';

export interface AuditExportOptions {
  readonly tenant?: string;
  readonly actor?: string;
  readonly kind?: string;
  readonly name?: string;
  readonly action?: string;
  readonly outcome?: string;
  readonly since?: string;
  readonly until?: string;
  readonly system?: boolean;
  readonly format?: string;
  readonly lang?: string;
  readonly file?: string;
}

/** `polis audit export`: the filtered entries as CSV or XLSX, with the chain head, written to a file. */
export async function runAuditExport(ctx: CliContext, opts: AuditExportOptions): Promise<number> {
  const format = opts.format ?? (opts.file?.endsWith('.xlsx') ? 'xlsx' : 'csv');
  if (format !== 'csv' && format !== 'xlsx')
    throw new CliError(`--format ${format} is not valid: expected csv or xlsx`, { exitCode: EXIT.usage });
  const now = ctx.now();
  const client = await ctx.connect();
  // The global --lang (or the locale) chooses the summaries' language, as it does every message of the CLI.
  const lang = opts.lang ?? (cliLang() === 'zh' ? 'zh-CN' : 'en');
  const { data, filename, headers } = await client.download('/api/v1/audit/export', {
    tenant: opts.tenant,
    actor: opts.actor,
    kind: opts.kind,
    name: opts.name,
    action: opts.action,
    outcome: opts.outcome,
    since: opts.since === undefined ? undefined : parseTimeOrAgo(opts.since, '--since', now),
    until: opts.until === undefined ? undefined : parseTimeOrAgo(opts.until, '--until', now),
    system: opts.system ? 'true' : undefined,
    format,
    lang,
  });
  const file = opts.file ?? filename ?? `polis-audit.${format}`;
  await writeFile(resolve(ctx.io.cwd ?? process.cwd(), file), data);
  const parsed = parseExport(data);
  const [seq, hash] = (headers.get('x-polis-audit-head') ?? ':').split(':');
  println(ctx.io, `${parsed.entries.length} entries written to ${file} (chain head ${seq}, hash ${hash})`);
  println(ctx.io, `check it later with: polis audit verify ${file}`);
  return EXIT.ok;
}

/**
 * `polis audit verify FILE…`: checks exports (CSV, XLSX) and archives (.jsonl.gz). Offline: every export row's
 * hash is recomputed from its fields, archives chain from the first entry. Then, unless --offline, against the
 * server: each export row's hash is the live entry's (or the archive's, for pruned entries), the export's head is
 * in the chain, and the archives end exactly at the anchor the live chain starts from, which verifies on.
 */
export async function runAuditVerifyFiles(
  ctx: CliContext,
  files: readonly string[],
  opts: { offline?: boolean },
): Promise<number> {
  const archives: Archive[] = [];
  const exports: Array<{ file: string; data: Buffer }> = [];
  for (const f of files) {
    const path = resolve(ctx.io.cwd ?? process.cwd(), f);
    if (f.endsWith('.jsonl.gz')) archives.push(readArchive(path));
    else exports.push({ file: f, data: await readFile(path) });
  }
  const failures: string[] = [];
  let archived: ReturnType<typeof checkArchives> | undefined;
  if (archives.length > 0) {
    archived = checkArchives(archives);
    if (!archived.ok)
      failures.push(
        `archives: ${archived.problem?.file}: ${archived.problem?.message} (entry ${archived.problem?.seq ?? '-'})`,
      );
    else
      println(
        ctx.io,
        `archives: ${archived.archives} files, entries ${archived.from.seq + 1}..${archived.through.seq} chain ${archived.complete ? 'from the first entry' : `from entry ${archived.from.seq}`}`,
      );
  }
  const archivedHash = new Map(archives.flatMap((a) => a.entries.map((e) => [e.seq, e.hash] as const)));
  const client = opts.offline ? undefined : await ctx.connect();
  if (client && archived?.ok) {
    const live = await client.get<{ ok: boolean; headSeq: number; anchor: AuditAnchor; brokenAt?: { seq: number } }>(
      '/api/v1/audit/verify',
    );
    if (live.anchor.seq !== archived.through.seq || live.anchor.hash !== archived.through.hash)
      failures.push(
        `the archives end at entry ${archived.through.seq}, but the live chain starts after entry ${live.anchor.seq}: ${live.anchor.seq > archived.through.seq ? 'archives are missing' : 'they do not meet'}`,
      );
    else if (!live.ok) failures.push(`the live chain breaks at entry ${live.brokenAt?.seq}`);
    else
      println(
        ctx.io,
        `live chain: entries ${live.anchor.seq + 1}..${live.headSeq} verify from the archives' last entry`,
      );
  }
  for (const { file, data } of exports) {
    const parsed = parseExport(data);
    const check = checkExport(parsed);
    const problems: ExportProblem[] = [...check.problems];
    if (client && check.head) {
      const h = await client.get<{ anchor: AuditAnchor; entry?: { hash: string; archived?: boolean } }>(
        '/api/v1/audit/head',
        { seq: check.head.seq },
      );
      const known = h.entry?.archived ? archivedHash.get(check.head.seq) : h.entry?.hash;
      if (check.head.seq > h.anchor.seq || known !== undefined) {
        if (known !== check.head.hash)
          problems.push({
            code: 'HeadMismatch',
            message: `the chain's entry ${check.head.seq} has another hash than the export's head`,
          });
      }
      problems.push(...(await compareWithServer(client, parsed.entries, h.anchor, archivedHash)));
    }
    if (problems.length > 0) {
      failures.push(...problems.slice(0, 20).map((p) => `${basename(file)}: ${p.message}`));
      continue;
    }
    println(
      ctx.io,
      `${basename(file)}: ${check.entries} entries verify${check.notRecomputed ? ` (${check.notRecomputed} with changes too long for a cell: checked against the server only)` : ''}; chain head ${check.head?.seq} ${client ? 'is in the live chain' : '(offline: not compared with the server)'}`,
    );
  }
  if (failures.length > 0)
    throw new CliError(`verification failed:\n  ${failures.join('\n  ')}`, {
      exitCode: EXIT.failure,
      hint: 'compare the entries named with a backup or an earlier export',
    });
  return EXIT.ok;
}

/** Each row's hash against the server's entry of that seq (read in pages the caller may see), or the archive's. */
async function compareWithServer(
  client: Awaited<ReturnType<CliContext['connect']>>,
  rows: ReadonlyArray<{ seq: number; hash: string }>,
  anchor: AuditAnchor,
  archived: ReadonlyMap<number, string>,
): Promise<ExportProblem[]> {
  const problems: ExportProblem[] = [];
  const live = rows.filter((r) => r.seq > anchor.seq);
  for (const r of rows.filter((x) => x.seq <= anchor.seq)) {
    const h = archived.get(r.seq);
    if (h === undefined)
      problems.push({
        seq: r.seq,
        code: 'ArchivedEntry',
        message: `entry ${r.seq} was archived: give its archive file too`,
      });
    else if (h !== r.hash)
      problems.push({ seq: r.seq, code: 'NotInChain', message: `entry ${r.seq} differs from its archive` });
  }
  if (live.length === 0) return problems;
  const server = new Map<number, string>();
  let after = live[0]!.seq - 1;
  const last = live[live.length - 1]!.seq;
  while (after < last) {
    const page = await client.get<{ items: Array<{ seq: number; hash: string }>; next?: number }>('/api/v1/audit', {
      after,
      before: last + 1,
      limit: 5000,
      system: 'true',
    });
    for (const e of page.items) server.set(e.seq, e.hash);
    if (page.next === undefined) break;
    after = page.next;
  }
  for (const r of live) {
    const h = server.get(r.seq);
    if (h !== r.hash)
      problems.push({
        seq: r.seq,
        code: 'NotInChain',
        message:
          h === undefined ? `entry ${r.seq} is not in the live chain` : `entry ${r.seq} differs from the live chain`,
      });
  }
  return problems;
}
