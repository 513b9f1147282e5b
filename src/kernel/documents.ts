import { CST, isMap, isScalar, Parser, parseAllDocuments, visit } from 'yaml';
import { checkDepth, childPath, depthError, MAX_BODY_DEPTH } from './depth-limit.ts';
import type { ErrorCause } from './errors.ts';
import { InputError } from './errors.ts';
import { parseStrictJson } from './strict-json.ts';

const MAX_DOCUMENTS = 1000;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Parses a body of YAML (one or many documents) or JSON (an object, an array, or a `List` with `items`) into
 * plain objects. Refuses malformed YAML with its line and column, duplicate keys, alias bombs (aliases that
 * would expand past 100 nodes), unknown YAML tags, prototype keys, nesting deeper than MAX_BODY_DEPTH (checked on
 * the YAML's syntax tree before composing it, since composing recurses), and more than 1,000 documents.
 */
export function parseDocuments(text: string, opts: { onDuplicate?: (path: string) => void } = {}): unknown[] {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return flatten(parseStrictJson(text, opts));
  checkYamlDepth(text);
  const docs = parseAllDocuments(text, { uniqueKeys: true, prettyErrors: true, strict: true });
  if (!Array.isArray(docs)) {
    throw new InputError('the body is empty', [
      { path: '(body)', message: 'expected one or more YAML or JSON documents' },
    ]);
  }
  if (docs.length > MAX_DOCUMENTS) {
    throw new InputError(`too many documents (${docs.length})`, [
      { path: '(body)', message: `at most ${MAX_DOCUMENTS} documents in one request` },
    ]);
  }
  const out: unknown[] = [];
  docs.forEach((doc, i) => {
    const errors = [...doc.errors, ...doc.warnings.filter((w) => w.code === 'TAG_RESOLVE_FAILED')];
    if (errors.length > 0) {
      const causes: ErrorCause[] = errors.map((e) => ({
        path: `documents[${i}]`,
        message: `line ${e.linePos?.[0]?.line ?? '?'}, column ${e.linePos?.[0]?.col ?? '?'}: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
      }));
      throw new InputError(`the YAML is malformed: ${causes[0]!.message}`, causes);
    }
    let badKey: string | undefined;
    visit(doc, {
      Pair: (_k, pair) => {
        const key = (pair.key as { value?: unknown } | null)?.value;
        if (typeof key === 'string' && FORBIDDEN_KEYS.has(key)) {
          badKey = key;
          return visit.BREAK;
        }
        return undefined;
      },
    });
    if (badKey !== undefined)
      throw new InputError(`forbidden key "${badKey}"`, [
        { path: `documents[${i}]`, message: `"${badKey}" is not accepted as a field name` },
      ]);
    if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) return; // an empty document
    if (!isMap(doc.contents)) {
      throw new InputError(`document ${i + 1} is not an object`, [
        { path: `documents[${i}]`, message: 'each document must be a mapping with apiVersion, kind, metadata' },
      ]);
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      throw new InputError(`document ${i + 1} expands too far: ${(e as Error).message}`, [
        { path: `documents[${i}]`, message: 'aliases may expand to at most 100 nodes; write the content out instead' },
      ]);
    }
    checkDepth(value, `documents[${i}]`); // aliases can deepen what the syntax tree showed
    out.push(...flatten(value));
  });
  if (out.length === 0)
    throw new InputError('the body holds no document', [
      { path: '(body)', message: 'expected one or more YAML or JSON documents' },
    ]);
  return out;
}

function flatten(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'List' &&
    Array.isArray((value as { items?: unknown }).items)
  ) {
    return (value as { items: unknown[] }).items;
  }
  return [value];
}

type CstToken = CST.Token | null | undefined;

/**
 * Refuses YAML whose collections nest deeper than MAX_BODY_DEPTH, naming the path (`documents[0].spec.a[3]`). Walks
 * the concrete syntax tree with an explicit stack: yaml's parser is iterative, its composer is not.
 */
function checkYamlDepth(text: string): void {
  let index = -1;
  for (const top of new Parser().parse(text)) {
    if (top.type !== 'document') continue;
    index++;
    const stack: Array<{ token: CstToken; path: string; depth: number }> = [
      { token: top.value, path: `documents[${index}]`, depth: 0 },
    ];
    while (stack.length > 0) {
      const { token, path, depth } = stack.pop()!;
      if (!token) continue;
      if (token.type !== 'block-map' && token.type !== 'block-seq' && token.type !== 'flow-collection') continue;
      if (depth + 1 > MAX_BODY_DEPTH) throw depthError(path);
      const isSeq = token.type === 'block-seq' || (token.type === 'flow-collection' && token.start.source === '[');
      token.items.forEach((item, i) => {
        const key = 'key' in item ? item.key : undefined;
        const name = isSeq || !key ? i : (keyText(key) ?? i);
        if (key) stack.push({ token: key, path: `${childPath(path, name)}(key)`, depth: depth + 1 });
        stack.push({ token: item.value, path: childPath(path, name), depth: depth + 1 });
      });
    }
  }
}

function keyText(token: CST.Token): string | undefined {
  const scalar = CST.isScalar(token) ? CST.resolveAsScalar(token) : null;
  return scalar ? scalar.value : undefined;
}
