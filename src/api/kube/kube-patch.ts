import { InputError, UnsupportedMediaTypeError } from '../../kernel/errors.ts';
import { codedCause } from '../../kernel/errors.ts';
import { msg } from '../../kernel/messages/index.ts';

/** The patch types PATCH takes, by Content-Type (docs/api.md, "Kubernetes API"). */
export type PatchType = 'merge' | 'json' | 'apply';

export const JSON_PATCH_TYPE = 'application/json-patch+json';
export const STRATEGIC_MERGE_PATCH_TYPE = 'application/strategic-merge-patch+json';
export const APPLY_PATCH_TYPE = 'application/apply-patch+yaml';

/**
 * Which patch a request sends (pure). Strategic merge patch needs Go struct tags polis's kinds do not have, as
 * Kubernetes custom resources do not: it is refused with 415 naming what to send instead, as Kubernetes does for CRDs.
 */
export function patchTypeOf(contentType: string | undefined, kind: string): PatchType {
  const type = String(contentType ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
  if (type === 'application/merge-patch+json' || type === 'application/json') return 'merge';
  if (type === JSON_PATCH_TYPE) return 'json';
  if (type === APPLY_PATCH_TYPE) return 'apply';
  const m =
    type === STRATEGIC_MERGE_PATCH_TYPE
      ? msg('StrategicMergePatchUnsupported', { kind })
      : msg('PatchTypeUnsupported', { type: type || 'an untyped body' });
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
