import { InputError } from './errors.ts';

/**
 * How deeply objects and arrays may nest in any JSON or YAML body (API bodies, apply documents, merge patches, CLI
 * files). Kubernetes manifests rarely pass 20 levels; the limit only has to stop bodies that would exhaust the stack
 * of every recursive walk behind the parser (validation, merge patch, hashing, rendering).
 */
export const MAX_BODY_DEPTH = 100;

/** The 400 for a body that nests past the limit at `path`. */
export function depthError(path: string, limit = MAX_BODY_DEPTH): InputError {
  const where = path === '' ? '(root)' : path;
  return new InputError(`the body nests deeper than ${limit} levels at ${where}`, [
    {
      path: where,
      code: 'MaxDepthExceeded',
      params: { limit },
      message: `objects and arrays may nest at most ${limit} levels deep; flatten this part of the document`,
    },
  ]);
}

/** `parent.key`, or `parent[index]` for array positions. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

/**
 * Throws `depthError` when `value` nests objects or arrays more than `limit` levels deep. Iterative, so it is safe
 * on the very values it refuses.
 */
export function checkDepth(value: unknown, root = '', limit = MAX_BODY_DEPTH): void {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: root, depth: 0 }];
  while (stack.length > 0) {
    const { value: v, path, depth } = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth + 1 > limit) throw depthError(path, limit);
    if (Array.isArray(v)) v.forEach((x, i) => stack.push({ value: x, path: childPath(path, i), depth: depth + 1 }));
    else
      for (const [k, x] of Object.entries(v as Record<string, unknown>))
        stack.push({ value: x, path: childPath(path, k), depth: depth + 1 });
  }
}
