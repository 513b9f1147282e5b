import { FORCE_CONFLICTS_ANNOTATION } from '../../../kernel/ownership.ts';
import type { KubeResponse } from './kube-http.ts';
import { statusMessage } from './kube-http.ts';

type Json = Record<string, unknown>;

/** A field another manager holds, as a 409 of server-side apply names it. */
export interface FieldConflict {
  readonly manager: string;
  readonly field: string;
}

/** The conflicts in a 409 answer of server-side apply (details.causes of type FieldManagerConflict). */
export function fieldConflicts(answer: KubeResponse): FieldConflict[] {
  if (answer.status !== 409) return [];
  const causes = ((answer.body as Json | undefined)?.details as Json | undefined)?.causes;
  if (!Array.isArray(causes)) return [];
  const out: FieldConflict[] = [];
  for (const c of causes as Json[]) {
    if (c.reason !== undefined && c.reason !== 'FieldManagerConflict' && c.type !== 'FieldManagerConflict') continue;
    const manager = /conflict with "([^"]+)"/.exec(String(c.message ?? ''))?.[1] ?? 'another manager';
    out.push({ manager, field: String(c.field ?? '') });
  }
  return out;
}

/**
 * What a person reads when the API server refuses one object: its own message (422 names the invalid field,
 * 403 the missing permission), and for a conflict of server-side apply the managers and fields, with the way out.
 */
export function failureMessage(answer: KubeResponse): string {
  const conflicts = fieldConflicts(answer);
  if (conflicts.length > 0) {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts) byManager.set(c.manager, [...(byManager.get(c.manager) ?? []), c.field]);
    const parts = [...byManager].map(([manager, fields]) => `field manager ${manager} on ${fields.join(', ')}`);
    return (
      `conflict with ${parts.join(' and with ')}; to take these fields over, set the annotation ` +
      `metadata.annotations["${FORCE_CONFLICTS_ANNOTATION}"]: "true" on the application and apply it again`
    );
  }
  return statusMessage(answer) || `the API server answered ${answer.status}`;
}
