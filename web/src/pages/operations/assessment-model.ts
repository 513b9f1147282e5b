import type { CheckResult, Criterion, Severity } from './operations-api.ts';

const SEVERITY_ORDER: Readonly<Record<Severity, number>> = { danger: 0, warning: 1, info: 2 };

/** A scorecard's results as a reader wants them: failed first, the most severe first, then by check and component. */
export function orderedResults(results: readonly CheckResult[]): CheckResult[] {
  return [...results].sort(
    (a, b) =>
      Number(a.passed) - Number(b.passed) ||
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      a.check.localeCompare(b.check) ||
      (a.component ?? '').localeCompare(b.component ?? ''),
  );
}

/** The maturity criteria grouped by level (L2–L5), in level order. */
export function criteriaByLevel(criteria: readonly Criterion[]): { level: number; criteria: Criterion[] }[] {
  const levels = [...new Set(criteria.map((c) => c.level))].sort((a, b) => a - b);
  return levels.map((level) => ({ level, criteria: criteria.filter((c) => c.level === level) }));
}
