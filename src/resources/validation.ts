import type { z } from 'zod';
import type { ErrorCause } from '../kernel/errors.ts';

/** Formats a path as `spec.components[1].traits[0].type`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out;
}

/** zod issues as causes with full paths, each saying what was wrong and what is accepted. */
export function zodCauses(error: z.ZodError, prefix: readonly PropertyKey[] = []): ErrorCause[] {
  const out: ErrorCause[] = [];
  for (const issue of error.issues) {
    const base = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({
          path: formatPath([...base, key]),
          message: `unknown field "${key}"; remove it or check its spelling`,
        });
      }
      continue;
    }
    out.push({ path: formatPath(base) || '(root)', message: humanMessage(issue.message) });
  }
  return out;
}

/** zod's wording made plainer: a missing field says "required", and the "Invalid input:" prefix goes. */
function humanMessage(message: string): string {
  const missing = /^Invalid input: expected (.+), received undefined$/.exec(message);
  if (missing) return `required (expected ${missing[1]})`;
  return message.replace(/^Invalid input: /, '');
}
