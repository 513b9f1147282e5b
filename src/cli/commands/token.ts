import { ApiError, EXIT, usageError, withHint } from '../cli-errors.ts';
import type { CliContext } from '../context.ts';
import { parseDuration } from '../durations.ts';
import { eprintln, println } from '../io.ts';
import type { ObjectLike } from '../object-table.ts';
import { age, cell, formatTable, parseOutput, toJson, toYaml } from '../printers.ts';

const DEFAULT_TTL = '90d';

interface IssuedToken {
  readonly kind: 'IssuedToken';
  readonly id: string;
  readonly user: string;
  readonly expiresAt: string | null;
  readonly description: string | null;
  readonly token: string;
  readonly note?: string;
}

/**
 * `polis token create`: the token alone goes to standard output (so `> file` captures it), the rest to standard
 * error, with the warning that it is shown only once.
 */
export async function runTokenCreate(
  ctx: CliContext,
  opts: { user?: string; description?: string; ttl?: string; output?: string },
): Promise<number> {
  const format = parseOutput(opts.output, ['table', 'json', 'yaml']);
  const ttl = opts.ttl ?? DEFAULT_TTL;
  const ttlSeconds = ttl.toLowerCase() === 'never' ? undefined : parseDuration(ttl, '--ttl');
  if (ttlSeconds !== undefined && ttlSeconds > 10 * 365 * 86_400)
    throw usageError(`--ttl ${ttl} is longer than 10 years`, 'give at most 3650d, or --ttl never (discouraged)');
  const client = await ctx.connect();
  const issued = await client.request<IssuedToken>('POST', '/api/v1/tokens', {
    body: { user: opts.user, description: opts.description, ttlSeconds },
  });
  if (format === 'json' || format === 'yaml') {
    ctx.io.stdout.write(format === 'json' ? toJson(issued) : toYaml(issued));
  } else {
    println(ctx.io, issued.token);
    eprintln(
      ctx.io,
      `token ${issued.id} for ${issued.user}, ${issued.expiresAt ? `expires ${issued.expiresAt}` : 'never expires'}`,
    );
  }
  eprintln(
    ctx.io,
    `warning: this token is shown only once; store it now (e.g. in a file for polis login ${client.server} --token-file FILE)`,
  );
  return EXIT.ok;
}

/** `polis token list`: your tokens (a platform admin or auditor sees everyone's, or --user's). */
export async function runTokenList(ctx: CliContext, opts: { user?: string; output?: string }): Promise<number> {
  const format = parseOutput(opts.output, ['table', 'wide', 'json', 'yaml']);
  const client = await ctx.connect();
  const list = await client.get<{ items: ObjectLike[] }>('/api/v1/tokens', { user: opts.user });
  if (format === 'json' || format === 'yaml') {
    ctx.io.stdout.write(format === 'json' ? toJson(list) : toYaml(list));
    return EXIT.ok;
  }
  if (list.items.length === 0) {
    eprintln(ctx.io, 'No tokens found.');
    return EXIT.ok;
  }
  const now = ctx.now();
  const rows = list.items.map((t) => {
    const spec = (t.spec ?? {}) as { user?: string; description?: string; expiresAt?: string };
    const expires = spec.expiresAt
      ? Date.parse(spec.expiresAt) <= now.getTime()
        ? 'expired'
        : `in ${age(now.toISOString(), new Date(Date.parse(spec.expiresAt)))}`
      : 'never';
    return [
      cell(t.metadata?.name),
      cell(spec.user),
      expires,
      age(t.metadata?.creationTimestamp, now),
      cell(spec.description),
    ];
  });
  ctx.io.stdout.write(formatTable(['ID', 'USER', 'EXPIRES', 'AGE', 'DESCRIPTION'], rows));
  return EXIT.ok;
}

/** `polis token revoke ID...`. */
export async function runTokenRevoke(ctx: CliContext, ids: readonly string[]): Promise<number> {
  const client = await ctx.connect();
  let exitCode: number = EXIT.ok;
  for (const id of ids) {
    try {
      const r = await client.request<{ id: string; user: string }>(
        'DELETE',
        `/api/v1/tokens/${encodeURIComponent(id)}`,
      );
      println(ctx.io, `token ${r.id} of ${r.user} revoked`);
    } catch (e) {
      if (!(e instanceof ApiError) || ids.length === 1)
        throw e instanceof ApiError && e.status === 404
          ? withHint(e, 'polis token list shows the ids you may revoke')
          : e;
      eprintln(ctx.io, `error: token ${id}: ${e.message}`);
      if (exitCode === EXIT.ok) exitCode = e.exitCode;
    }
  }
  return exitCode;
}
