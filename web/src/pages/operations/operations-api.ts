import type { Coded } from '../../i18n/server-messages.ts';

/** The operations routes the console reads (docs/operations.md); amounts in fen unless named yuan. */
const enc = encodeURIComponent;

export const opsPaths = {
  bill: (t: string, month: string, format?: 'csv' | 'xlsx') =>
    `/api/v1/tenants/${enc(t)}/bill?month=${enc(month)}${format ? `&format=${format}` : ''}`,
  bills: (month: string) => `/api/v1/bills?month=${enc(month)}`,
  reconciliation: (month: string) => `/api/v1/cost-reconciliation?month=${enc(month)}`,
  budgets: (t?: string) => (t ? `/apis/polis.io/v1/tenants/${enc(t)}/budgets` : '/apis/polis.io/v1/budgets'),
  recommendations: (t?: string, limit = 100) =>
    t ? `/api/v1/tenants/${enc(t)}/recommendations` : `/api/v1/recommendations?limit=${limit}`,
  apply: (t: string, app: string, component: string) =>
    `/api/v1/tenants/${enc(t)}/applications/${enc(app)}/recommendations/${enc(component)}/apply`,
  assessment: (t?: string) => (t ? `/api/v1/tenants/${enc(t)}/assessment` : '/api/v1/assessment'),
  scorecard: (t: string, app: string) => `/api/v1/tenants/${enc(t)}/applications/${enc(app)}/assessment`,
  utilization: (hours: number, t?: string) =>
    t ? `/api/v1/tenants/${enc(t)}/utilization?hours=${hours}` : `/api/v1/utilization?hours=${hours}`,
  utilizationHistory: (range: string, t?: string) =>
    t
      ? `/api/v1/tenants/${enc(t)}/utilization/history?range=${enc(range)}`
      : `/api/v1/utilization/history?range=${enc(range)}`,
} as const;

/** GET /api/v1/tenants/{t}/bill: the server's own type. */
export type { Bill, BillLine } from '../../../../src/operations/billing/bill.ts';

export interface BillSummary {
  readonly tenant: string;
  readonly totalFen: number;
  readonly forecastFen: number;
  readonly closedDays: number;
  readonly byItem: Readonly<Record<string, number>>;
}

export interface ReconciliationItem {
  readonly day: string;
  readonly cluster: string;
  readonly totalFen: number;
  readonly linesFen: number;
  readonly allocatedFen: number;
  readonly idleFen: number;
  readonly sharedFen: number;
}

export interface BudgetObject {
  readonly metadata: { readonly name: string; readonly tenant?: string };
  readonly spec: { readonly amount: number; readonly thresholds?: readonly number[] };
}

export interface SizingOption {
  readonly cpuMilli: number;
  readonly memoryBytes: number;
  readonly yuanPerMonth: number;
  readonly risk: { readonly violationMinutes: number; readonly minutes: number; readonly share: number };
}

export interface ComponentRecommendation {
  readonly component: string;
  readonly replicas: number;
  readonly current: SizingOption;
  readonly recommended: SizingOption & { readonly profile: 'vpa' | 'percentile' | 'current' };
  readonly savingYuanPerMonth: number;
  readonly notes: readonly Coded[];
}

export interface ApplicationRecommendations {
  readonly tenant: string;
  readonly application: string;
  readonly components: readonly ComponentRecommendation[];
  readonly savingYuanPerMonth: number;
}

export interface RecommendationApplied {
  readonly application: string;
  readonly component: string;
  readonly generation: number;
  readonly message?: Coded;
}

export type Severity = 'danger' | 'warning' | 'info';

export interface CheckResult {
  readonly check: string;
  readonly severity: Severity;
  readonly component?: string;
  readonly passed: boolean;
  readonly mandatory: boolean;
  readonly reason?: Coded;
  readonly fix?: Coded;
}

export interface Scorecard {
  readonly score: number;
  readonly inStandard: boolean;
  readonly passed: number;
  readonly failed: number;
  readonly results: readonly CheckResult[];
}

export interface DepartmentScores {
  readonly tenant: string;
  readonly score: number | null;
  readonly inStandard: number;
  readonly applications: readonly {
    readonly application: string;
    readonly score: number;
    readonly inStandard: boolean;
    readonly failed: number;
  }[];
}

export interface Criterion {
  readonly level: number;
  readonly id: string;
  readonly value: number | null;
  readonly threshold: number;
  readonly met: boolean;
  readonly evidence: Readonly<Record<string, number>>;
}

export interface Assessment {
  readonly departments: readonly DepartmentScores[];
  readonly level?: { readonly level: number; readonly criteria: readonly Criterion[] };
}

export interface Utilization {
  readonly from: string;
  readonly to: string;
  readonly stepMs: number;
  readonly departments: readonly {
    readonly tenant: string;
    readonly requested: { readonly cpu: number; readonly memory: number };
    readonly used: { readonly cpu: readonly (number | null)[] };
  }[];
  readonly clusters?: readonly {
    readonly cluster: string;
    readonly capacity: { readonly cpu: number; readonly memory: number } | null;
    readonly requested: { readonly cpu: number; readonly memory: number };
  }[];
}

/** CPU in cores and memory in bytes per interval; null where the interval was not metered. */
export interface ResourceSeries {
  readonly cpu: readonly (number | null)[];
  readonly memory: readonly (number | null)[];
}

/** One department or cluster in GET …/utilization/history (src/operations/utilization/utilization-series.ts). */
export interface UtilizationLine {
  readonly requested: ResourceSeries;
  readonly used: ResourceSeries;
  /** A department's quota, a cluster's allocatable (absent: no quota, or a view that may not see it). */
  readonly capacity?: ResourceSeries;
}

/** GET /api/v1/utilization/history and /api/v1/tenants/{t}/utilization/history, from the metering roll-ups. */
export interface UtilizationHistory {
  readonly range: string;
  readonly step: 'hour' | 'day' | 'month';
  /** Interval keys in the city's time: 2026-12-06T08, 2026-12-06 or 2026-12. */
  readonly intervals: readonly string[];
  readonly departments: readonly ({ readonly tenant: string } & UtilizationLine)[];
  readonly clusters: readonly ({ readonly cluster: string } & UtilizationLine)[];
}
