import { InputError, UnsupportedMediaTypeError } from '../../kernel/errors.ts';
import { codedCause } from '../../kernel/errors.ts';
import { msg } from '../../kernel/messages/index.ts';

/** The patch types PATCH takes, by Content-Type (docs/api.md, "Kubernetes API"). */
export type PatchType = 'merge' | 'strategic' | 'json' | 'apply';

export const JSON_PATCH_TYPE = 'application/json-patch+json';
export const STRATEGIC_MERGE_PATCH_TYPE = 'application/strategic-merge-patch+json';
export const APPLY_PATCH_TYPE = 'application/apply-patch+yaml';

/**
 * Which patch a request sends (pure); any other Content-Type is refused with 415 naming what to send instead.
 * Strategic merge patch merges the lists kube-list-keys.ts names by their keys (strategic-merge-patch.ts).
 */
export function patchTypeOf(contentType: string | undefined): PatchType {
  const type = String(contentType ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
  if (type === 'application/merge-patch+json' || type === 'application/json') return 'merge';
  if (type === JSON_PATCH_TYPE) return 'json';
  if (type === APPLY_PATCH_TYPE) return 'apply';
  if (type === STRATEGIC_MERGE_PATCH_TYPE) return 'strategic';
  const m = msg('PatchTypeUnsupported', { type: type || 'an untyped body' });
  throw new UnsupportedMediaTypeError(m, [codedCause('(content-type)', m)]);
}

/** The `fieldManager` of an apply patch (required, as Kubernetes requires it; at most 128 characters). */
export function fieldManagerOf(value: string | undefined): string {
  if (!value || value.length > 128) {
    const m = msg('FieldManagerRequired');
    throw new InputError(m, [codedCause('query.fieldManager', m)]);
  }
  return value;
}
