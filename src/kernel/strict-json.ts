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

/**
 * One linear pass over already-valid JSON, tracking the keys of each open object. A duplicate key is refused, or
 * reported to `onDuplicate` when given (Kubernetes' fieldValidation=Warn|Ignore: the last value stands).
 */
function checkKeys(text: string, onDuplicate?: (path: string) => void): void {
  const stack: Array<{ keys: Set<string>; path: string; isObject: boolean; index: number }> = [];
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
      if (expectKey && top?.isObject) {
        const raw = text.slice(i + 1, j);
        const key = hasEscape ? (JSON.parse(text.slice(i, j + 1)) as string) : raw;
        const path = top.path ? `${top.path}.${key}` : key;
        if (top.keys.has(key) && onDuplicate) onDuplicate(path);
        else if (top.keys.has(key))
          throw new InputError(`duplicate key "${key}" at ${path}`, [
            { path, message: 'appears twice in one object; keep one' },
          ]);
        if (FORBIDDEN_KEYS.has(key))
          throw new InputError(`forbidden key "${key}" at ${path}`, [
            { path, message: 'is not accepted as a field name' },
          ]);
        top.keys.add(key);
        (top as { lastKey?: string }).lastKey = key;
        expectKey = false;
      }
      i = j + 1;
      continue;
    }
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      const parent = stack[stack.length - 1] as
        { lastKey?: string; index: number; path: string; isObject: boolean } | undefined;
      const seg = parent
        ? parent.isObject
          ? parent.path
            ? `${parent.path}.${parent.lastKey}`
            : (parent.lastKey ?? '')
          : `${parent.path}[${parent.index}]`
        : '';
      if (stack.length >= MAX_BODY_DEPTH) throw depthError(seg);
      stack.push({ keys: new Set(), path: seg, isObject: c === 0x7b, index: 0 });
      expectKey = c === 0x7b;
    } else if (c === 0x7d || c === 0x5d) {
      stack.pop();
      expectKey = false;
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top?.isObject) expectKey = true;
      else if (top) top.index++;
    }
    i++;
  }
}
