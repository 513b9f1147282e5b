import type { AppTarget } from '../app-target.ts';
import { appNotFound, locateApp } from '../app-target.ts';
import { ApiError, EXIT, usageError, withHint } from '../cli-errors.ts';
import type { PolisClient } from '../client.ts';
import type { CliContext } from '../context.ts';
import { eprintln, println, useColour } from '../io.ts';
import type { ObjectLike } from '../object-table.ts';
import { parseOutput, toJson, toYaml } from '../printers.ts';
import type { RevisionHistory } from '../revision-history.ts';
import { colourDiff, historyTable, parseRevision, previousRevision } from '../revision-history.ts';

export interface RolloutOptions {
  readonly tenant?: string;
  readonly output?: string;
}

interface RollbackResult {
  readonly kind: 'RollbackResult';
  readonly revision: string;
  readonly object: ObjectLike;
}

interface RevisionDiff {
  readonly kind: 'RevisionDiff';
  readonly from: number;
  readonly to: number;
  readonly diff: string;
}

interface ResumeResult {
  readonly kind: 'ResumeResult';
  readonly step: string;
  readonly generation: number;
}

/** The kept revisions of an application, oldest first. */
export async function fetchHistory(client: PolisClient, target: AppTarget): Promise<RevisionHistory> {
  try {
    return await client.get<RevisionHistory>(`${target.path}/revisions`);
  } catch (e) {
    throw appNotFound(e, target);
  }
}

/** `polis rollout history APP`: REVISION, CREATED, CURRENT (*), ROLLBACK-OF, CHANGE-CAUSE. */
export async function runRolloutHistory(ctx: CliContext, app: string, opts: RolloutOptions): Promise<number> {
  const format = parseOutput(opts.output, ['table', 'json', 'yaml']);
  const client = await ctx.connect();
  const history = await fetchHistory(client, await locateApp(ctx, client, app, opts));
  if (format === 'json' || format === 'yaml') {
    ctx.io.stdout.write(format === 'json' ? toJson(history) : toYaml(history));
    return EXIT.ok;
  }
  if (history.items.length === 0) eprintln(ctx.io, `No revisions of ${app} are kept.`);
  else ctx.io.stdout.write(historyTable(history, ctx.now()));
  return EXIT.ok;
}

/**
 * `polis rollout undo APP [--to-revision N] [--dry-run]`: the application takes the spec of revision N (default: the
 * newest kept revision before the current one), which the server records as a new revision.
 */
export async function runRolloutUndo(
  ctx: CliContext,
  app: string,
  opts: RolloutOptions & { toRevision?: string; dryRun?: boolean },
): Promise<number> {
  const format = parseOutput(opts.output, ['table', 'json', 'yaml']);
  const wanted = opts.toRevision === undefined ? undefined : parseRevision(opts.toRevision, '--to-revision');
  const client = await ctx.connect();
  const target = await locateApp(ctx, client, app, opts);
  const revision = wanted ?? previousRevision(await fetchHistory(client, target));
  let result: RollbackResult;
  try {
    result = await client.request<RollbackResult>('POST', `${target.path}/rollback`, {
      body: { revision },
      query: { dryRun: opts.dryRun ? 'All' : undefined },
    });
  } catch (e) {
    if (e instanceof ApiError && e.exitCode === EXIT.usage)
      throw withHint(e, `polis rollout history ${app} -n ${target.tenant} lists the kept revisions`);
    if (e instanceof ApiError && e.status === 409)
      throw withHint(
        e,
        `nothing to undo; polis rollout history ${app} -n ${target.tenant} shows what each revision was`,
      );
    throw appNotFound(e, target);
  }
  if (format === 'json' || format === 'yaml') {
    ctx.io.stdout.write(format === 'json' ? toJson(result) : toYaml(result));
    return EXIT.ok;
  }
  println(
    ctx.io,
    `application/${app} rolled back to revision ${revision} (now ${result.revision})${opts.dryRun ? ' (dry run)' : ''}`,
  );
  return EXIT.ok;
}

/**
 * `polis rollout diff APP [--from N] [--to M]`: the unified diff of two kept revisions (default: the one before the
 * current, and the current), coloured on a terminal.
 */
export async function runRolloutDiff(
  ctx: CliContext,
  app: string,
  opts: RolloutOptions & { from?: string; to?: string },
): Promise<number> {
  const format = parseOutput(opts.output, ['table', 'json', 'yaml']);
  const from = opts.from === undefined ? undefined : parseRevision(opts.from, '--from');
  const to = opts.to === undefined ? undefined : parseRevision(opts.to, '--to');
  const client = await ctx.connect();
  const target = await locateApp(ctx, client, app, opts);
  let result: RevisionDiff;
  try {
    result = await client.get<RevisionDiff>(`${target.path}/diff`, { from, to });
  } catch (e) {
    if (e instanceof ApiError && e.exitCode === EXIT.usage)
      throw withHint(
        e,
        `give --from and --to among the kept revisions: polis rollout history ${app} -n ${target.tenant}`,
      );
    throw appNotFound(e, target);
  }
  if (format === 'json' || format === 'yaml') {
    ctx.io.stdout.write(format === 'json' ? toJson(result) : toYaml(result));
    return EXIT.ok;
  }
  if (result.diff === '') {
    eprintln(ctx.io, `no difference between revisions ${result.from} and ${result.to} of ${app}`);
    return EXIT.ok;
  }
  const text = result.diff.endsWith('\n') ? result.diff : `${result.diff}\n`;
  ctx.io.stdout.write(useColour(ctx.io) ? colourDiff(text) : text);
  return EXIT.ok;
}

/** `polis rollout resume APP [--step NAME]`: approves the suspend step the workflow waits at (or the one named). */
export async function runRolloutResume(
  ctx: CliContext,
  app: string,
  opts: RolloutOptions & { step?: string },
): Promise<number> {
  const format = parseOutput(opts.output, ['table', 'json', 'yaml']);
  if (opts.step !== undefined && opts.step.trim() === '')
    throw usageError('--step is empty', 'give the name of a suspend step, as polis rollout status APP lists them');
  const client = await ctx.connect();
  const target = await locateApp(ctx, client, app, opts);
  let result: ResumeResult;
  try {
    result = await client.request<ResumeResult>('POST', `${target.path}/resume`, {
      body: opts.step === undefined ? {} : { step: opts.step },
    });
  } catch (e) {
    if (e instanceof ApiError && e.exitCode === EXIT.usage)
      throw withHint(e, `polis rollout status ${app} -n ${target.tenant} shows the workflow steps and where it waits`);
    throw appNotFound(e, target);
  }
  if (format === 'json' || format === 'yaml') {
    ctx.io.stdout.write(format === 'json' ? toJson(result) : toYaml(result));
    return EXIT.ok;
  }
  println(ctx.io, `application/${app}: step ${result.step} approved`);
  return EXIT.ok;
}
