import { isObject } from './apply-merge.ts';

/** Whether every label in `want` is on `labels` with the same value (the equality-based selector polis uses). */
export function labelsMatch(
  labels: Readonly<Record<string, string>> | undefined,
  want: Readonly<Record<string, string>>,
): boolean {
  for (const k in want) if (labels?.[k] !== want[k]) return false;
  return true;
}

/** A Kubernetes `LabelSelector` (`matchLabels` and `matchExpressions`) against a set of labels. */
export function selectorMatches(selector: Record<string, unknown>, labels: Readonly<Record<string, string>>): boolean {
  if (isObject(selector.matchLabels) && !labelsMatch(labels, selector.matchLabels as Record<string, string>)) {
    return false;
  }
  const expressions = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  for (const e of expressions) {
    if (!isObject(e)) return false;
    const key = String(e.key);
    const values = Array.isArray(e.values) ? e.values.map(String) : [];
    const has = Object.hasOwn(labels, key);
    const ok =
      e.operator === 'In'
        ? has && values.includes(labels[key]!)
        : e.operator === 'NotIn'
          ? !has || !values.includes(labels[key]!)
          : e.operator === 'Exists'
            ? has
            : e.operator === 'DoesNotExist'
              ? !has
              : false;
    if (!ok) return false;
  }
  return true;
}
