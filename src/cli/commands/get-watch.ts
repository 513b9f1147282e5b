import type { ApiResource } from '../api-resources.ts';
import { collectionPath, qualifiedName } from '../api-resources.ts';
import { EXIT } from '../cli-errors.ts';
import type { PolisClient, WatchEvent } from '../client.ts';
import type { CliContext } from '../context.ts';
import { println } from '../io.ts';
import type { TenantScope } from '../lookup.ts';
import { scopeTenant } from '../lookup.ts';
import type { ObjectLike, TableShape } from '../object-table.ts';
import { objectHeader, objectRow } from '../object-table.ts';
import type { OutputFormat } from '../printers.ts';
import { columnWidths, tableLine, toYaml } from '../printers.ts';

export interface WatchOptions {
  readonly format: OutputFormat;
  readonly shape: TableShape;
  /** What exists now (printed first), and the revision it was read at (the watch starts after it). */
  readonly initial: readonly ObjectLike[];
  readonly resourceVersion?: string;
  readonly labelSelector?: string;
  readonly name?: string;
  readonly timeoutSeconds?: number;
}

/** How long a watch waits before reconnecting when the server ended the stream. */
export const RECONNECT_MS = 1000;

/**
 * Prints the current objects, then every change as it happens: table rows (widths fixed by the first screen, as
 * kubectl does), names, or events (`{type, object}`; one JSON line each, or YAML documents). Runs until the io's
 * signal aborts or --timeout passes (exit 0); reconnects from the last revision when the server ends the stream.
 */
export async function watchObjects(
  ctx: CliContext,
  client: PolisClient,
  r: ApiResource,
  scope: TenantScope,
  opts: WatchOptions,
): Promise<number> {
  const io = ctx.io;
  const signals = [io.signal, opts.timeoutSeconds ? AbortSignal.timeout(opts.timeoutSeconds * 1000) : undefined].filter(
    (s): s is AbortSignal => s !== undefined,
  );
  const stop = signals.length > 0 ? AbortSignal.any(signals) : new AbortController().signal;
  const header = objectHeader(r, opts.shape);
  const table = opts.format === 'table' || opts.format === 'wide';
  const widths = columnWidths(
    header,
    opts.initial.map((o) => objectRow(r, o, opts.shape, ctx.now())),
  );

  const print = (e: WatchEvent) => {
    if (e.type === 'BOOKMARK' || e.type === 'ERROR') return;
    const obj = e.object as ObjectLike;
    if (table) println(io, tableLine(objectRow(r, obj, opts.shape, ctx.now()), widths));
    else if (opts.format === 'name') println(io, qualifiedName(r.kind, r.apiVersion, String(obj.metadata?.name)));
    else if (opts.format === 'json') println(io, JSON.stringify({ type: e.type, object: obj }));
    else io.stdout.write(`---\n${toYaml({ type: e.type, object: obj })}`);
  };
  if (table) println(io, tableLine(header, widths));
  for (const o of opts.initial) print({ type: 'ADDED', object: o as Record<string, unknown> });

  const path = collectionPath(r, scopeTenant(scope));
  let rv = opts.resourceVersion;
  while (!stop.aborted) {
    try {
      rv = await client.watch(
        path,
        {
          labelSelector: opts.labelSelector,
          fieldSelector: opts.name ? `metadata.name=${opts.name}` : undefined,
          resourceVersion: rv,
        },
        print,
        stop,
      );
    } catch (e) {
      if (stop.aborted) break;
      throw e;
    }
    if (!stop.aborted) await delay(RECONNECT_MS, stop);
  }
  return EXIT.ok;
}

/** Resolves after `ms`, or at once when the signal aborts. */
export function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
