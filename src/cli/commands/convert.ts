import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { checkKubeVelaDocument, type ConvertVerdict } from '../../apps/convert-check.ts';
import { parseDocuments } from '../../kernel/documents.ts';
import { EXIT, usageError } from '../cli-errors.ts';
import type { CliContext } from '../context.ts';
import { println } from '../io.ts';
import { parseOutput, toJson } from '../printers.ts';

export interface ConvertOptions {
  readonly check?: boolean;
  readonly output?: string;
  readonly tenant?: string;
}

interface FileVerdict {
  readonly file: string;
  readonly documents: readonly ConvertVerdict[];
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = join(dir, e.name);
    if (e.isDirectory() && !e.name.startsWith('.')) out.push(...(await filesUnder(full)));
    else if (e.isFile() && /\.(ya?ml|json)$/.test(e.name)) out.push(full);
  }
  return out;
}

/**
 * `polis convert --check DIR`: reads every YAML and JSON file under DIR and says, per Application, whether polis
 * accepts it as KubeVela would, accepts it with changes (each named with its reason code), or refuses it (every
 * problem with its path and reason code). Checked locally, without a server. Exit status 1 when any is refused.
 */
export async function runConvert(ctx: CliContext, dir: string, opts: ConvertOptions): Promise<number> {
  const format = parseOutput(opts.output, ['table', 'json']);
  if (!opts.check)
    throw usageError('convert only checks for now: add --check', 'polis convert --check ./kubevela-apps');
  const root = resolve(ctx.io.cwd ?? process.cwd(), dir);
  const info = await stat(root).catch(() => undefined);
  if (!info) throw usageError(`"${dir}" does not exist`, 'give the folder holding the KubeVela Applications');
  const files = info.isDirectory() ? await filesUnder(root) : [root];
  const verdicts: FileVerdict[] = [];
  for (const f of files) {
    const file = info.isDirectory() ? relative(root, f) : dir;
    let docs: unknown[];
    try {
      docs = parseDocuments(await readFile(f, 'utf8')).filter((d) => d !== null && d !== undefined);
    } catch (e) {
      const causes = [{ path: '', code: 'DocumentUnreadable', message: (e as Error).message.split('\n')[0]! }];
      verdicts.push({ file, documents: [{ outcome: 'refused', name: '(file)', causes }] });
      continue;
    }
    verdicts.push({ file, documents: docs.map((d) => checkKubeVelaDocument(d, opts.tenant)) });
  }
  const all = verdicts.flatMap((v) => v.documents);
  const count = (o: ConvertVerdict['outcome']) => all.filter((d) => d.outcome === o).length;
  const refused = count('refused');
  if (format === 'json') {
    println(ctx.io, toJson({ kind: 'ConvertCheck', files: verdicts }));
  } else {
    for (const v of verdicts) {
      for (const d of v.documents) {
        println(ctx.io, `${d.outcome.padEnd(8)}  ${v.file}  ${d.name}`);
        if (d.outcome === 'changed')
          for (const c of d.changes) println(ctx.io, `  ${c.path}: [${c.code}] ${c.message}`);
        if (d.outcome === 'refused')
          for (const c of d.causes)
            println(ctx.io, `  ${c.path || '(document)'}: ${c.code ? `[${c.code}] ` : ''}${c.message}`);
        if (d.outcome === 'skipped') println(ctx.io, `  ${d.reason}`);
      }
    }
    println(
      ctx.io,
      `${files.length} file(s), ${all.length - count('skipped')} Application(s): ${count('accepted')} accepted, ${count('changed')} changed, ${refused} refused`,
    );
  }
  return refused > 0 ? EXIT.failure : EXIT.ok;
}
