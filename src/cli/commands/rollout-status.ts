import type { RolloutVerdict } from '../app-status-view.ts';
import { rolloutVerdict, statusOf } from '../app-status-view.ts';
import type { AppTarget } from '../app-target.ts';
import { appsPath, locateApp, readApp } from '../app-target.ts';
import { CliError, EXIT, usageError } from '../cli-errors.ts';
import type { PolisClient } from '../client.ts';
import type { CliContext } from '../context.ts';
import { parseDuration } from '../durations.ts';
import { println } from '../io.ts';
import type { ObjectLike } from '../object-table.ts';
import { rolloutProgressLine, rolloutStatusReport } from '../rollout-report.ts';
import { delay, RECONNECT_MS } from './get-watch.ts';

export interface RolloutStatusOptions {
  readonly tenant?: string;
  readonly watch?: boolean;
  readonly timeout?: string;
}

const DEFAULT_TIMEOUT = '5m';

/**
 * `polis rollout status APP [-w] [--timeout 5m]`: where the application stands. With -w it then follows the
 * application's changes, a line each time its progress changes, and exits 0 once it is Running and healthy at its
 * current generation, 1 when it Failed or --timeout passed, 4 when it was deleted, 130 on Ctrl-C.
 */
export async function runRolloutStatus(ctx: CliContext, app: string, opts: RolloutStatusOptions): Promise<number> {
  if (opts.timeout !== undefined && !opts.watch)
    throw usageError('--timeout applies only with -w/--watch', 'add -w to follow the rollout until it is healthy');
  const timeout = opts.timeout ?? DEFAULT_TIMEOUT;
  const timeoutSeconds = parseDuration(timeout, '--timeout');
  const client = await ctx.connect();
  const target = await locateApp(ctx, client, app, opts);
  const obj = await readApp(client, target);
  ctx.io.stdout.write(rolloutStatusReport(obj));
  if (!opts.watch) return EXIT.ok;
  return follow(ctx, client, target, obj, { seconds: timeoutSeconds, text: timeout });
}

type Outcome = RolloutVerdict | 'deleted';

async function follow(
  ctx: CliContext,
  client: PolisClient,
  target: AppTarget,
  initial: ObjectLike,
  timeout: { seconds: number; text: string },
): Promise<number> {
  const io = ctx.io;
  // Written by the watch callback, so kept in an object (TypeScript's narrowing does not see callbacks).
  const state: { outcome: Outcome; last: ObjectLike } = { outcome: rolloutVerdict(initial), last: initial };
  if (state.outcome === 'waiting') {
    const finished = new AbortController();
    const timedOut = AbortSignal.timeout(timeout.seconds * 1000);
    const stop = AbortSignal.any([finished.signal, timedOut, ...(io.signal ? [io.signal] : [])]);
    let line = rolloutProgressLine(initial);
    println(io, line);
    let rv = initial.metadata?.resourceVersion as string | undefined;
    const onEvent = (e: { type: string; object: Record<string, unknown> }) => {
      if (e.type === 'DELETED') {
        state.outcome = 'deleted';
        finished.abort();
        return;
      }
      if (e.type !== 'ADDED' && e.type !== 'MODIFIED') return;
      state.last = e.object as ObjectLike;
      const next = rolloutProgressLine(state.last);
      if (next !== line) println(io, (line = next));
      state.outcome = rolloutVerdict(state.last);
      if (state.outcome !== 'waiting') finished.abort();
    };
    while (!stop.aborted) {
      try {
        rv = await client.watch(
          appsPath(target.tenant),
          { fieldSelector: `metadata.name=${target.name}`, resourceVersion: rv },
          onEvent,
          stop,
        );
      } catch (e) {
        if (stop.aborted) break;
        throw e;
      }
      if (!stop.aborted) await delay(RECONNECT_MS, stop);
    }
    if (state.outcome === 'waiting') {
      if (io.signal?.aborted) throw new CliError('interrupted', { exitCode: EXIT.interrupted });
      throw new CliError(
        `timed out after ${timeout.text} waiting for application/${target.name} to become healthy (${rolloutProgressLine(state.last)})`,
        {
          hint: `polis describe app ${target.name} -n ${target.tenant} shows its placement, conditions and events; --timeout waits longer`,
        },
      );
    }
  }
  if (state.outcome === 'deleted')
    throw new CliError(`application/${target.name} was deleted while its rollout was followed`, {
      exitCode: EXIT.notFound,
    });
  const s = statusOf(state.last);
  if (state.outcome === 'failed')
    throw new CliError(`application/${target.name} failed${s.message ? `: ${s.message}` : ''}`, {
      hint: `polis describe app ${target.name} -n ${target.tenant} shows its placement, conditions and events; polis rollout undo ${target.name} goes back a revision`,
    });
  println(io, `application/${target.name} successfully rolled out${s.revision ? ` (revision ${s.revision})` : ''}`);
  return EXIT.ok;
}
