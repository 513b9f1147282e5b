/** Annotation holding approvals of workflow suspend steps: `{"<step>": <generation>}` (an approval is per generation). */
export const APPROVALS_ANNOTATION = 'polis.io/approvals';

export function parseApprovals(raw: string | undefined): Record<string, number> {
  try {
    const v = raw ? (JSON.parse(raw) as unknown) : {};
    return v && typeof v === 'object' && !Array.isArray(v) ? { ...(v as Record<string, number>) } : {};
  } catch {
    return {};
  }
}
