import { depthError, MAX_BODY_DEPTH } from './depth-limit.ts';
import { InputError } from './errors.ts';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * JSON.parse that also refuses what it silently accepts: duplicate keys (the last one would win unseen) and
 * prototype-polluting keys, and nesting deeper than MAX_BODY_DEPTH. Errors name the path of the offending key.
 */
export function parseStrictJson(text: string, opts: { onDuplicate?: (path: string) => void } = {}): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new InputError(`the body is not valid JSON: ${(e as Error).message}`, [
      { path: '(body)', message: 'must be a JSON document' },
    ]);
  }
  if (typeof value === 'object' && value !== null) checkKeys(text, opts.onDuplicate);
  return value;
}

/** An open object or array of the pass; its path is built only when an error needs it. */
interface Frame {
  readonly keys: Set<string> | undefined;
  readonly parent: Frame | undefined;
  /** Where it sits in its parent: the parent's key, or its index in the parent array. */
  readonly at: string | number | undefined;
  /** For an object: its last key read; for an array: the index of the current element. */
  lastKey: string | undefined;
  index: number;
}

/** The path of a frame as errors name it (`spec.objects[0]`; '' for the document itself). */
function pathOf(frame: Frame): string {
  const parent = frame.parent;
  if (parent === undefined) return '';
  const base = pathOf(parent);
  if (parent.keys === undefined) return `${base}[${frame.at as number}]`;
  return base ? `${base}.${frame.at as string}` : ((frame.at as string | undefined) ?? '');
}

/**
 * One linear pass over already-valid JSON, tracking the keys of each open object. A duplicate key is refused, or
 * reported to `onDuplicate` when given (Kubernetes' fieldValidation=Warn|Ignore: the last value stands). Paths are
 * built only for an error or a report: the pass runs on every request body, and allocates a Set per object only.
 */
function checkKeys(text: string, onDuplicate?: (path: string) => void): void {
  const stack: Frame[] = [];
  let expectKey = false;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let j = i + 1;
      let hasEscape = false;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === 0x5c) {
          hasEscape = true;
          j += 2;
          continue;
        }
        if (d === 0x22) break;
        j++;
      }
      const top = stack[stack.length - 1];
      if (expectKey && top?.keys) {
        const key = hasEscape ? (JSON.parse(text.slice(i, j + 1)) as string) : text.slice(i + 1, j);
        const keyPath = (): string => {
          const base = pathOf(top);
          return base ? `${base}.${key}` : key;
        };
        if (top.keys.has(key) && onDuplicate) onDuplicate(keyPath());
        else if (top.keys.has(key)) {
          const path = keyPath();
          throw new InputError(`duplicate key "${key}" at ${path}`, [
            { path, message: 'appears twice in one object; keep one' },
          ]);
        }
        if (FORBIDDEN_KEYS.has(key)) {
          const path = keyPath();
          throw new InputError(`forbidden key "${key}" at ${path}`, [
            { path, message: 'is not accepted as a field name' },
          ]);
        }
        top.keys.add(key);
        top.lastKey = key;
        expectKey = false;
      }
      i = j + 1;
      continue;
    }
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      const parent = stack[stack.length - 1];
      const frame: Frame = {
        keys: c === 0x7b ? new Set() : undefined,
        parent,
        at: parent ? (parent.keys ? parent.lastKey : parent.index) : undefined,
        lastKey: undefined,
        index: 0,
      };
      if (stack.length >= MAX_BODY_DEPTH) throw depthError(pathOf(frame));
      stack.push(frame);
      expectKey = c === 0x7b;
    } else if (c === 0x7d || c === 0x5d) {
      stack.pop();
      expectKey = false;
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top?.keys) expectKey = true;
      else if (top) top.index++;
    }
    i++;
  }
}
