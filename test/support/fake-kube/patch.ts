/** JSON merge patch (RFC 7386) and JSON patch (RFC 6902). */
import { isDeepStrictEqual } from 'node:util';
import { isMap } from './field-path.ts';
import { KubeError } from './status.ts';
import { copyJson } from './copy.ts';

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isMap(patch)) return copyJson(patch);
  const out: Record<string, unknown> = isMap(target) ? copyJson(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

interface Op {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

const unescape = (s: string): string => s.replaceAll('~1', '/').replaceAll('~0', '~');

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw invalidPatch(`invalid JSON pointer: ${path}`);
  return path.slice(1).split('/').map(unescape);
}

const invalidPatch = (message: string): KubeError =>
  new KubeError(422, 'Invalid', `the server rejected our request due to an error in our request: ${message}`);

function parentOf(doc: unknown, parts: string[]): { parent: unknown; last: string } {
  let cur = doc;
  for (const part of parts.slice(0, -1)) {
    cur = Array.isArray(cur) ? cur[Number(part)] : isMap(cur) ? cur[part] : undefined;
    if (cur === undefined) throw invalidPatch(`doc is missing path: ${'/' + parts.join('/')}`);
  }
  return { parent: cur, last: parts[parts.length - 1] ?? '' };
}

function getPointer(doc: unknown, path: string): unknown {
  let cur = doc;
  for (const part of pointer(path)) cur = Array.isArray(cur) ? cur[Number(part)] : isMap(cur) ? cur[part] : undefined;
  return cur;
}

function remove(doc: unknown, path: string): unknown {
  const { parent, last } = parentOf(doc, pointer(path));
  if (Array.isArray(parent)) return parent.splice(Number(last), 1)[0];
  if (isMap(parent) && last in parent) {
    const v = parent[last];
    delete parent[last];
    return v;
  }
  throw invalidPatch(`unable to remove nonexistent key: ${last}: missing value`);
}

function add(doc: unknown, path: string, value: unknown, replace: boolean): void {
  const { parent, last } = parentOf(doc, pointer(path));
  if (Array.isArray(parent)) {
    const idx = last === '-' ? parent.length : Number(last);
    parent.splice(idx, replace ? 1 : 0, copyJson(value));
  } else if (isMap(parent)) {
    if (replace && !(last in parent))
      throw invalidPatch(`replace operation does not apply: doc is missing key: ${path}`);
    parent[last] = copyJson(value);
  } else throw invalidPatch(`doc is missing path: ${path}`);
}

export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops))
    throw new KubeError(400, 'BadRequest', 'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  const doc = { root: copyJson(target) };
  const p = (s: string): string => `/root${s}`;
  for (const op of ops as Op[]) {
    switch (op.op) {
      case 'add':
        add(doc, p(op.path), op.value, false);
        break;
      case 'replace':
        add(doc, p(op.path), op.value, true);
        break;
      case 'remove':
        remove(doc, p(op.path));
        break;
      case 'move':
        add(doc, p(op.path), remove(doc, p(op.from ?? '')), false);
        break;
      case 'copy':
        add(doc, p(op.path), getPointer(doc, p(op.from ?? '')), false);
        break;
      case 'test':
        if (!isDeepStrictEqual(getPointer(doc, p(op.path)), op.value))
          throw invalidPatch(`testing value ${op.path} failed: test failed`);
        break;
      default:
        throw invalidPatch(`Unexpected kind: ${op.op}`);
    }
  }
  return doc.root;
}
