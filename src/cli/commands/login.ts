import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { EXIT, usageError } from '../cli-errors.ts';
import { normalizeServer, removeLogin, saveLogin } from '../cli-config.ts';
import { PolisClient } from '../client.ts';
import type { CliContext } from '../context.ts';
import { eprintln, println, readAll } from '../io.ts';
import { parseOutput, toJson, toYaml } from '../printers.ts';

export interface LoginOptions {
  readonly token?: string;
  readonly tokenFile?: string;
  readonly tenant?: string;
}

interface WhoAmI {
  readonly kind: 'WhoAmI';
  readonly user: string;
  readonly via?: string;
  readonly bindings: ReadonlyArray<{ role: string; tenant?: string }>;
}

/** `polis login SERVER --token T | --token-file F [--tenant T]`: checks the token, then saves it (mode 0600). */
export async function runLogin(ctx: CliContext, serverArg: string, opts: LoginOptions): Promise<number> {
  if ((opts.token === undefined) === (opts.tokenFile === undefined)) {
    throw usageError(
      'give the token with --token T or --token-file F (one of them)',
      'polis serve writes the first admin token to data/admin.token',
    );
  }
  const server = normalizeServer(serverArg);
  const token = (opts.token ?? (await readTokenFile(ctx, opts.tokenFile!))).trim();
  if (token === '')
    throw usageError(opts.token !== undefined ? '--token is empty' : `the token file ${opts.tokenFile} is empty`);
  const me = await new PolisClient(server, token, ctx.io.signal).get<WhoAmI>('/api/v1/whoami');
  const file = await saveLogin(ctx.io.env, {
    server,
    token,
    user: me.user,
    ...(opts.tenant ? { tenant: opts.tenant } : {}),
  });
  println(ctx.io, `logged in to ${server} as ${me.user} (${describeBindings(me.bindings)})`);
  if (opts.tenant) println(ctx.io, `default department: ${opts.tenant} (override with --tenant or -A)`);
  eprintln(ctx.io, `saved to ${file}`);
  if (ctx.io.env.POLIS_SERVER || ctx.io.env.POLIS_TOKEN)
    eprintln(ctx.io, 'note: POLIS_SERVER / POLIS_TOKEN are set and take precedence over the saved login');
  return EXIT.ok;
}

async function readTokenFile(ctx: CliContext, file: string): Promise<string> {
  if (file === '-') return readAll(ctx.io.stdin);
  try {
    return await readFile(resolve(ctx.io.cwd ?? process.cwd(), file), 'utf8');
  } catch (e) {
    throw usageError(
      `cannot read the token file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      'polis serve prints where it wrote the admin token (data/admin.token by default)',
    );
  }
}

/** `polis logout`: forgets the saved login (the token itself stays valid until revoked or expired). */
export async function runLogout(ctx: CliContext): Promise<number> {
  const conn = await ctx.connection();
  if (await removeLogin(ctx.io.env)) {
    println(ctx.io, `logged out: removed ${conn.configFile}`);
    eprintln(ctx.io, 'note: the token stays valid until it expires; polis token revoke ID ends it now');
  } else {
    println(ctx.io, `not logged in (no ${conn.configFile})`);
  }
  return EXIT.ok;
}

/** `polis whoami`: the user the server sees, how it authenticated, and its role bindings. */
export async function runWhoami(ctx: CliContext, opts: { output?: string }): Promise<number> {
  const format = parseOutput(opts.output, ['table', 'json', 'yaml']);
  const client = await ctx.connect();
  const conn = await ctx.connection();
  const me = await client.get<WhoAmI>('/api/v1/whoami');
  if (format === 'json' || format === 'yaml') {
    ctx.io.stdout.write(format === 'json' ? toJson(me) : toYaml(me));
    return EXIT.ok;
  }
  const roles =
    me.bindings.length === 0
      ? ['<none>']
      : me.bindings.map((b) => (b.tenant ? `${b.role} in ${b.tenant}` : `${b.role} (platform-wide)`));
  println(ctx.io, `user:     ${me.user}`);
  println(ctx.io, `server:   ${client.server}`);
  if (me.via) println(ctx.io, `via:      ${me.via}`);
  roles.forEach((r, i) => println(ctx.io, `${i === 0 ? 'roles:    ' : '          '}${r}`));
  if (conn.tenant) println(ctx.io, `tenant:   ${conn.tenant} (default department)`);
  return EXIT.ok;
}

function describeBindings(bindings: WhoAmI['bindings']): string {
  if (bindings.length === 0) return 'no role bindings yet: ask the platform admin or a department admin for one';
  return bindings.map((b) => (b.tenant ? `${b.role} in ${b.tenant}` : b.role)).join(', ');
}
