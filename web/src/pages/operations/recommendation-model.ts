import type { ApplicationRecommendations, ComponentRecommendation } from './operations-api.ts';

/** One row of the recommendations table: a component of an application. */
export interface RecommendationRow extends ComponentRecommendation {
  readonly key: string;
  readonly tenant: string;
  readonly application: string;
  /** Whether there is something to apply (a profile other than the current requests, with different figures). */
  readonly applicable: boolean;
}

/**
 * The components of the listed applications, largest saving first (then department, application, component), as
 * the API orders applications but per component: a big application's small component does not sit above a small
 * application's big saving.
 */
export function recommendationRows(lists: readonly ApplicationRecommendations[]): RecommendationRow[] {
  const rows: RecommendationRow[] = [];
  for (const a of lists)
    for (const c of a.components)
      rows.push({
        ...c,
        key: `${a.tenant}/${a.application}/${c.component}`,
        tenant: a.tenant,
        application: a.application,
        applicable:
          c.recommended.profile !== 'current' &&
          (c.recommended.cpuMilli !== c.current.cpuMilli || c.recommended.memoryBytes !== c.current.memoryBytes),
      });
  return rows.sort(
    (a, b) =>
      b.savingYuanPerMonth - a.savingYuanPerMonth ||
      a.tenant.localeCompare(b.tenant) ||
      a.application.localeCompare(b.application) ||
      a.component.localeCompare(b.component),
  );
}

/** Σ savings in yuan a month, to the fen. */
export function totalSaving(rows: readonly { savingYuanPerMonth: number }[]): number {
  return Math.round(rows.reduce((s, r) => s + Math.max(0, r.savingYuanPerMonth), 0) * 100) / 100;
}

/** Millicores as people write them: 250m under a core, cores above (1.5). */
export function cpuText(milli: number): string {
  return milli % 1000 === 0 ? String(milli / 1000) : milli < 1000 ? `${milli}m` : String(milli / 1000);
}

/** Bytes as a Kubernetes quantity (Mi, Gi). */
export function memoryText(bytes: number): string {
  const gi = bytes / 2 ** 30;
  if (Number.isInteger(gi) && gi >= 1) return `${gi}Gi`;
  return `${Math.round(bytes / 2 ** 20)}Mi`;
}
