import type { Document, Node as YamlNode } from 'yaml';
import { LineCounter, isMap, isPair, isScalar, isSeq, parseAllDocuments } from 'yaml';
import type { Cause } from '../api/api-error.ts';

/** A problem at a place in the YAML text: 1-based line and column, character range, and the API path if any. */
export interface YamlProblem {
  readonly line: number;
  readonly column: number;
  readonly from: number;
  readonly to: number;
  readonly message: string;
  readonly path?: string;
  /** The server's code and params for the problem, when it coded it (rendered in the reader's language). */
  readonly code?: string;
  readonly params?: Cause['params'];
}

/** `documents[2].spec.components[0].type` → document 2 and `['spec', 'components', 0, 'type']` (pure). */
export function splitPath(path: string): { doc?: number; segments: (string | number)[] } {
  const segments: (string | number)[] = [];
  let doc: number | undefined;
  let rest = path.trim();
  const docMatch = /^documents\[(\d+)\]\.?/.exec(rest);
  if (docMatch) {
    doc = Number(docMatch[1]);
    rest = rest.slice(docMatch[0].length);
  }
  const re = /([^.[\]]+)|\[(\d+)\]/g;
  for (let m = re.exec(rest); m; m = re.exec(rest)) segments.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  return { ...(doc !== undefined ? { doc } : {}), segments };
}

type Located = { node: YamlNode | null | undefined; at: [number, number] };

function rangeOf(node: YamlNode | null | undefined): [number, number] | undefined {
  const r = (node as { range?: [number, number, number] } | null | undefined)?.range;
  return r ? [r[0], r[1]] : undefined;
}

/**
 * The deepest node of `segments` that exists in the document, and where to point: a map entry points at its key
 * (the line where a person sees the field), a list item at the item. Keys that contain dots
 * (`metadata.labels.app.oam.dev/name`) are matched greedily against the keys the map has.
 */
function locate(doc: Document, segments: readonly (string | number)[]): { at: [number, number]; resolved: number } {
  let current: Located = { node: doc.contents as YamlNode, at: rangeOf(doc.contents as YamlNode) ?? [0, 0] };
  let i = 0;
  while (i < segments.length) {
    const node = current.node;
    const seg = segments[i]!;
    if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as YamlNode | undefined;
      const at = rangeOf(item);
      if (!item || !at) break;
      current = { node: item, at };
      i++;
      continue;
    }
    if (isMap(node)) {
      let found: { pair: unknown; used: number } | undefined;
      for (let n = segments.length - i; n >= 1 && !found; n--) {
        const key = segments.slice(i, i + n).join('.');
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === key);
        if (pair) found = { pair, used: n };
      }
      if (!found || !isPair(found.pair)) break;
      const pair = found.pair;
      const keyAt = rangeOf(pair.key as YamlNode);
      const valueAt = rangeOf(pair.value as YamlNode);
      current = {
        node: pair.value as YamlNode,
        at: keyAt && valueAt ? [keyAt[0], scalarEnd(pair.value as YamlNode) ?? keyAt[1]] : (keyAt ?? current.at),
      };
      i += found.used;
      continue;
    }
    break;
  }
  return { at: current.at, resolved: i };
}

/** For a scalar value, its end (so the mark covers `key: value`); for a block, undefined (mark the key only). */
function scalarEnd(node: YamlNode | null | undefined): number | undefined {
  return isScalar(node) ? rangeOf(node)?.[1] : undefined;
}

function position(
  text: string,
  counter: LineCounter,
  from: number,
  to: number,
  message: string,
  path?: string,
): YamlProblem {
  const { line, col } = counter.linePos(Math.min(from, text.length));
  return { line, column: col, from, to: Math.max(from, to), message, ...(path !== undefined ? { path } : {}) };
}

/** Syntax errors of the text itself, found before anything is sent (yaml's own parser, with positions). */
export function syntaxProblems(text: string): YamlProblem[] {
  const counter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: counter, prettyErrors: false });
  const list = Array.isArray(docs) ? docs : [];
  const out: YamlProblem[] = [];
  for (const d of list)
    for (const e of d.errors) out.push(position(text, counter, e.pos[0], e.pos[1], e.message.split('\n')[0]!));
  return out;
}

const LINE_COL = /line (\d+), column (\d+)/;

/**
 * The API's causes (`{path, message}`, docs/api.md "Errors") placed on the lines of the YAML that was sent: each
 * path is followed through the document (`documents[N].` selects one of several); a part that does not exist
 * (a missing field) points at the deepest part that does, and says which field. A malformed-YAML cause carries its
 * own `line L, column C`. Sorted by line, then column (a stable sort: causes at one place keep the server's order).
 */
export function problemsFromCauses(text: string, causes: readonly Cause[]): YamlProblem[] {
  const counter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: counter });
  const list = Array.isArray(docs) ? docs : [];
  // In the order of the text, as a reader goes down the file (the server lists them in the order it checked them).
  return causes
    .map((c) => ({
      ...placed(c),
      ...(c.code ? { code: c.code, ...(c.params ? { params: c.params } : {}) } : {}),
    }))
    .sort((a, b) => a.line - b.line || a.column - b.column);

  function placed(c: Cause): YamlProblem {
    const lc = LINE_COL.exec(c.message);
    if (lc) {
      const line = Number(lc[1]);
      const from = (counter.lineStarts[line - 1] ?? 0) + Number(lc[2]) - 1;
      return position(text, counter, from, from + 1, c.message, c.path || undefined);
    }
    const { doc, segments } = splitPath(c.path);
    const d = list[doc ?? 0];
    if (!d) return position(text, counter, 0, 0, c.message, c.path);
    const { at } = locate(d, segments);
    return position(text, counter, at[0], at[1], c.message, c.path);
  }
}
