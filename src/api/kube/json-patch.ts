import type { ErrorCause } from '../../kernel/errors.ts';
import { codedCause, InputError } from '../../kernel/errors.ts';
import type { Message } from '../../kernel/messages/index.ts';
import { msg } from '../../kernel/messages/index.ts';
import { isPlainObject, jsonEqual } from '../../resources/merge-patch.ts';

/**
 * JSON patch (RFC 6902), pure: `add`, `remove`, `replace`, `move`, `copy`, `test` applied in order to a copy of the
 * document. Any operation that cannot apply refuses the whole patch (nothing half-applied) with a 400 whose cause
 * names the operation's index (`patch[2].path`), the pointer and what went wrong.
 */
export function applyJsonPatch(doc: unknown, patch: unknown): unknown {
  if (!Array.isArray(patch)) {
    throw refuse('(body)', msg('JsonPatchNotArray'));
  }
  let root: unknown = structuredClone(doc);
  patch.forEach((raw, index) => {
    root = applyOne(root, raw, index);
  });
  return root;
}

const OPS = ['add', 'remove', 'replace', 'move', 'copy', 'test'];

function refuse(path: string, m: Message): InputError {
  const cause: ErrorCause = codedCause(path, m);
  return new InputError(m, [cause]);
}

function applyOne(root: unknown, raw: unknown, index: number): unknown {
  const at = `patch[${index}]`;
  if (!isPlainObject(raw) || typeof raw.op !== 'string' || !OPS.includes(raw.op)) {
    const op = isPlainObject(raw) && typeof raw.op === 'string' ? raw.op : '';
    throw refuse(`${at}.op`, msg('JsonPatchUnknownOp', { index, op }));
  }
  const op = raw.op;
  const need = (field: 'path' | 'from'): string => {
    const v = raw[field];
    if (typeof v !== 'string') throw refuse(`${at}.${field}`, msg('JsonPatchFieldMissing', { index, op, field }));
    if (v !== '' && !v.startsWith('/'))
      throw refuse(`${at}.${field}`, msg('JsonPatchBadPointer', { index, op, pointer: v }));
    return v;
  };
  const path = need('path');
  const value = (): unknown => {
    if (!('value' in raw)) throw refuse(`${at}.value`, msg('JsonPatchFieldMissing', { index, op, field: 'value' }));
    return structuredClone(raw.value);
  };
  const ctx = { index, op, at };
  switch (op) {
    case 'add':
      return put(root, path, value(), ctx, 'add');
    case 'replace':
      get(root, path, ctx);
      return put(root, path, value(), ctx, 'replace');
    case 'remove':
      return remove(root, path, ctx);
    case 'test': {
      if (!jsonEqual(get(root, path, ctx), value()))
        throw refuse(`${at}.path`, msg('JsonPatchTestFailed', { index, pointer: path }));
      return root;
    }
    case 'copy': {
      const from = need('from');
      return put(root, path, structuredClone(get(root, from, ctx)), ctx, 'add');
    }
    default: {
      const from = need('from');
      if (path !== from && path.startsWith(`${from}/`))
        throw refuse(`${at}.path`, msg('JsonPatchMoveIntoChild', { index, from, pointer: path }));
      const moved = get(root, from, ctx);
      return put(remove(root, from, ctx), path, moved, ctx, 'add');
    }
  }
}

interface OpContext {
  readonly index: number;
  readonly op: string;
  readonly at: string;
}

function segments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function missing(ctx: OpContext, pointer: string): InputError {
  return refuse(`${ctx.at}.path`, msg('JsonPatchPathMissing', { index: ctx.index, op: ctx.op, pointer }));
}

function arrayIndex(arr: unknown[], seg: string, ctx: OpContext, pointer: string, append: boolean): number {
  if (append && seg === '-') return arr.length;
  const max = append ? arr.length : arr.length - 1;
  if (!/^(0|[1-9][0-9]*)$/.test(seg) || Number(seg) > max)
    throw refuse(`${ctx.at}.path`, msg('JsonPatchBadIndex', { index: ctx.index, op: ctx.op, segment: seg, pointer }));
  return Number(seg);
}

/** The parent container of the pointer's last segment (which must exist). */
function parentOf(root: unknown, pointer: string, ctx: OpContext): { parent: unknown; last: string } {
  const segs = segments(pointer);
  const last = segs.pop()!;
  let node = root;
  for (const seg of segs) {
    if (Array.isArray(node)) node = node[arrayIndex(node, seg, ctx, pointer, false)];
    else if (isPlainObject(node) && Object.hasOwn(node, seg)) node = node[seg];
    else throw missing(ctx, pointer);
  }
  return { parent: node, last };
}

function get(root: unknown, pointer: string, ctx: OpContext): unknown {
  if (pointer === '') return root;
  const { parent, last } = parentOf(root, pointer, ctx);
  if (Array.isArray(parent)) return parent[arrayIndex(parent, last, ctx, pointer, false)];
  if (isPlainObject(parent) && Object.hasOwn(parent, last)) return parent[last];
  throw missing(ctx, pointer);
}

function put(root: unknown, pointer: string, value: unknown, ctx: OpContext, mode: 'add' | 'replace'): unknown {
  if (pointer === '') return value;
  const { parent, last } = parentOf(root, pointer, ctx);
  if (Array.isArray(parent)) {
    const i = arrayIndex(parent, last, ctx, pointer, mode === 'add');
    if (mode === 'add') parent.splice(i, 0, value);
    else parent[i] = value;
  } else if (isPlainObject(parent)) {
    if (last === '__proto__') throw missing(ctx, pointer);
    parent[last] = value;
  } else throw missing(ctx, pointer);
  return root;
}

function remove(root: unknown, pointer: string, ctx: OpContext): unknown {
  if (pointer === '') throw missing(ctx, pointer);
  const { parent, last } = parentOf(root, pointer, ctx);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, last, ctx, pointer, false), 1);
  else if (isPlainObject(parent) && Object.hasOwn(parent, last)) delete parent[last];
  else throw missing(ctx, pointer);
  return root;
}
