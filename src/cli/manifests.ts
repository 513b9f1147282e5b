import { readFile, readdir, stat } from 'node:fs/promises';
import { extname, join, relative, resolve } from 'node:path';
import { parseDocuments } from '../kernel/documents.ts';
import { InputError } from '../kernel/errors.ts';
import type { Cause } from './cli-errors.ts';
import { usageError } from './cli-errors.ts';
import type { CliIo } from './io.ts';
import { readAll } from './io.ts';

/** One document of the files given with -f, and where it came from (for error messages). */
export interface Manifest {
  readonly source: string;
  /** 1-based position in its file. */
  readonly document: number;
  readonly object: unknown;
}

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/**
 * Reads every document of the files, folders (their *.yaml, *.yml, *.json, sorted by name; subfolders with
 * `recursive`) and `-` (standard input) given. Parses with the server's rules, so a malformed file fails here
 * (exit 2) with its name and line before anything is sent.
 */
export async function readManifests(
  io: CliIo,
  paths: readonly string[],
  opts: { recursive?: boolean } = {},
): Promise<Manifest[]> {
  if (paths.length === 0) throw usageError('no file given', 'pass -f FILE, -f FOLDER or -f - (standard input)');
  const cwd = io.cwd ?? process.cwd();
  const out: Manifest[] = [];
  let stdinUsed = false;
  for (const p of paths) {
    if (p === '-') {
      if (stdinUsed) throw usageError('-f - is given twice', 'standard input can be read once');
      stdinUsed = true;
      out.push(...parseSource('(stdin)', await readAll(io.stdin)));
      continue;
    }
    const full = resolve(cwd, p);
    const info = await stat(full).catch(() => undefined);
    if (!info) throw usageError(`"${p}" does not exist`, 'check the path given with -f');
    const files = info.isDirectory() ? await manifestFiles(full, opts.recursive ?? false) : [full];
    if (info.isDirectory() && files.length === 0) {
      throw usageError(
        `the folder "${p}" holds no *.yaml, *.yml or *.json file`,
        opts.recursive ? undefined : 'add -R to read its subfolders too',
      );
    }
    for (const f of files) {
      const shown = info.isDirectory() ? join(p, relative(full, f)) : p;
      let text: string;
      try {
        text = await readFile(f, 'utf8');
      } catch (e) {
        throw usageError(`cannot read "${shown}": ${(e as Error).message}`);
      }
      out.push(...parseSource(shown, text));
    }
  }
  if (out.length === 0)
    throw usageError(`no objects in ${paths.join(', ')}`, 'the files hold no YAML or JSON document');
  return out;
}

async function manifestFiles(dir: string, recursive: boolean): Promise<string[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  const files: string[] = [];
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.isDirectory() && recursive) files.push(...(await manifestFiles(full, true)));
    else if (e.isFile() && EXTENSIONS.has(extname(e.name).toLowerCase())) files.push(full);
  }
  return files;
}

function parseSource(source: string, text: string): Manifest[] {
  if (text.trim() === '') return [];
  let docs: unknown[];
  try {
    docs = parseDocuments(text);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    if (e.causes.every((c) => c.path === '(body)') && /holds no document|is empty/.test(e.message)) return [];
    const causes: Cause[] = e.causes.map((c) => ({ path: `${source}${documentSuffix(c.path)}`, message: c.message }));
    throw usageError(
      `${source} is not valid YAML or JSON`,
      'fix the file and run the command again',
      causes.length > 0 ? causes : [{ path: source, message: e.message }],
    );
  }
  return docs.map((object, i) => ({ source, document: i + 1, object }));
}

function documentSuffix(path: string): string {
  const m = /^documents\[(\d+)\](.*)$/.exec(path);
  return m ? ` (document ${Number(m[1]) + 1})${m[2] ? ` ${m[2].replace(/^\./, '')}` : ''}` : '';
}

/**
 * Says where a server-reported path such as `documents[3].spec.x` lies in the files: the message gains
 * `(in apps/b.yaml, document 2)`. A request of one document has paths without the `documents[i]` prefix.
 */
export function locateCauses(causes: readonly Cause[], manifests: readonly Manifest[]): Cause[] {
  return causes.map((c) => {
    const m = /^documents\[(\d+)\]/.exec(c.path);
    const where = manifests.length === 1 ? manifests[0] : m ? manifests[Number(m[1])] : undefined;
    if (!where) return c;
    const doc = manifestsIn(manifests, where.source) > 1 ? `, document ${where.document}` : '';
    return { path: c.path, message: `${c.message} (in ${where.source}${doc})` };
  });
}

function manifestsIn(manifests: readonly Manifest[], source: string): number {
  return manifests.filter((m) => m.source === source).length;
}
