import type { Labels } from './signals.ts';

/** A label matcher, as PromQL writes them. */
export interface Matcher {
  readonly label: string;
  readonly op: '=' | '!=' | '=~' | '!~';
  readonly value: string;
}

/**
 * Which series a caller may read: departments' (all, or a list) and whether the platform's own (clusters, nodes:
 * tenant '') too.
 */
export interface SeriesScope {
  readonly tenants: 'all' | readonly string[];
  readonly platform: boolean;
}

/** One series of a range answer: its labels and a value (NaN for none) per grid instant. */
export interface RangeSeries {
  readonly labels: Labels;
  readonly values: number[];
}

/** Where history is read from: polis's own store, or Prometheus. */
export interface HistoryBackend {
  readonly name: string;
  /** The series matching every matcher (one of them on `__name__` or not), within `scope`. */
  select(matchers: readonly Matcher[], scope: SeriesScope, fromMs: number, toMs: number): Promise<Labels[]>;
  /**
   * Values of the selected series on the grid `fromMs, fromMs + stepMs, … ≤ toMs`, and the spacing of the
   * stored points it read (ms).
   */
  range(
    matchers: readonly Matcher[],
    scope: SeriesScope,
    fromMs: number,
    toMs: number,
    stepMs: number,
  ): Promise<{ series: RangeSeries[]; resolutionMs: number }>;
}

/** Whether `labels` satisfy every matcher (an absent label is the empty string, as in PromQL). */
export function matches(labels: Labels, matchers: readonly Matcher[]): boolean {
  return matchers.every((m) => {
    const v = labels[m.label] ?? '';
    switch (m.op) {
      case '=':
        return v === m.value;
      case '!=':
        return v !== m.value;
      case '=~':
        return anchored(m.value).test(v);
      case '!~':
        return !anchored(m.value).test(v);
    }
  });
}

const compiled = new Map<string, RegExp>();

/** PromQL regexes are fully anchored. */
function anchored(source: string): RegExp {
  let re = compiled.get(source);
  if (re === undefined) {
    re = new RegExp(`^(?:${source})$`);
    if (compiled.size > 1000) compiled.clear();
    compiled.set(source, re);
  }
  return re;
}

/** The scope's tenants as a store filter (undefined: every one). Platform series have the tenant ''. */
export function scopeTenants(scope: SeriesScope): readonly string[] | undefined {
  if (scope.tenants === 'all') return undefined;
  return scope.platform ? [...scope.tenants, ''] : scope.tenants;
}

/** Whether a series of `tenant` ('' for the platform's) is in `scope`. */
export function inScope(tenant: string, scope: SeriesScope): boolean {
  if (tenant === '') return scope.platform;
  return scope.tenants === 'all' || scope.tenants.includes(tenant);
}
