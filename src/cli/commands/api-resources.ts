import { fetchResources } from '../api-resources.ts';
import { EXIT } from '../cli-errors.ts';
import type { CliContext } from '../context.ts';
import { formatTable, parseOutput, toJson, toYaml } from '../printers.ts';

/** `polis api-resources`: the kinds the server serves, with the names `get` accepts for them. */
export async function runApiResources(ctx: CliContext, opts: { output?: string }): Promise<number> {
  const format = parseOutput(opts.output, ['table', 'wide', 'name', 'json', 'yaml']);
  const client = await ctx.connect();
  const resources = [...(await fetchResources(client))].sort((a, b) => (a.plural < b.plural ? -1 : 1));
  if (format === 'json' || format === 'yaml') {
    ctx.io.stdout.write(format === 'json' ? toJson({ resources }) : toYaml({ resources }));
  } else if (format === 'name') {
    ctx.io.stdout.write(resources.map((r) => `${r.plural}.${r.group}\n`).join(''));
  } else {
    const wide = format === 'wide';
    const header = ['NAME', 'SHORTNAMES', 'APIVERSION', 'SCOPE', 'KIND', ...(wide ? ['VERBS'] : [])];
    const rows = resources.map((r) => [
      r.plural,
      r.shortNames.join(','),
      r.apiVersion,
      r.scope,
      r.kind,
      ...(wide ? [r.verbs.join(',')] : []),
    ]);
    ctx.io.stdout.write(formatTable(header, rows));
  }
  return EXIT.ok;
}
