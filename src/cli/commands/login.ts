import { EXIT } from '../cli-errors.ts';
import { normalizeServer, removeLogin, saveLogin } from '../cli-config.ts';
import { PolisClient } from '../client.ts';
import type { CliContext } from '../context.ts';
import { eprintln, println } from '../io.ts';
import type { TokenSource } from '../login-token.ts';
import { loginToken } from '../login-token.ts';
import { parseOutput, toJson, toYaml } from '../printers.ts';

export interface LoginOptions extends TokenSource {
  readonly tenant?: string;
}

interface WhoAmI {
  readonly kind: 'WhoAmI';
  readonly user: string;
  readonly via?: string;
  readonly bindings: ReadonlyArray<{ role: string; tenant?: string }>;
}

/**
 * `polis login SERVER [--token-stdin | --token-file F | --token T] [--tenant T]`: checks the token, then saves it
 * (mode 0600). Without a token flag on a terminal it asks for the token without echoing it.
 */
export async function runLogin(ctx: CliContext, serverArg: string, opts: LoginOptions): Promise<number> {
  const server = normalizeServer(serverArg);
  const token = await loginToken(ctx.io, server, opts);
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
  if (opts.token !== undefined)
    eprintln(
      ctx.io,
      'note: --token shows the token in the command line (npm run prints it, ps lists it); --token-stdin keeps it out',
    );
  if (ctx.io.env.POLIS_SERVER || ctx.io.env.POLIS_TOKEN)
    eprintln(ctx.io, 'note: POLIS_SERVER / POLIS_TOKEN are set and take precedence over the saved login');
  return EXIT.ok;
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
