import { readFileSync } from 'node:fs';
import { EXIT } from '../cli-errors.ts';
import type { CliContext } from '../context.ts';
import { PolisClient } from '../client.ts';
import { eprintln, println } from '../io.ts';
import { parseOutput, toJson, toYaml } from '../printers.ts';

/** This CLI's version, from package.json (read here rather than importing the server, which starts slower). */
export function clientVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** `polis version`: the client's version, and the server's when one is configured and answers (public /version). */
export async function runVersion(ctx: CliContext, opts: { client?: boolean; output?: string }): Promise<number> {
  const format = parseOutput(opts.output, ['table', 'json', 'yaml']);
  const result: { client: string; server?: string; serverUrl?: string } = { client: clientVersion() };
  const conn = await ctx.connection();
  let problem: string | undefined;
  if (!opts.client && conn.server) {
    result.serverUrl = conn.server;
    try {
      result.server = (
        await new PolisClient(conn.server, undefined, ctx.io.signal).get<{ version: string }>('/version')
      ).version;
    } catch (e) {
      problem = (e as Error).message;
    }
  }
  if (format === 'json' || format === 'yaml') ctx.io.stdout.write(format === 'json' ? toJson(result) : toYaml(result));
  else {
    println(ctx.io, `client: ${result.client}`);
    if (result.server) println(ctx.io, `server: ${result.server} (${conn.server})`);
  }
  if (problem) eprintln(ctx.io, `note: no server version: ${problem}`);
  return EXIT.ok;
}
