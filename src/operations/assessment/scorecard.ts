import type { Message, Params } from '../../kernel/messages/index.ts';
import { isKnownCode, render } from '../../kernel/messages/index.ts';
import { CHECKS, componentViews, type CheckContext, type Severity } from './checks.ts';

/** How much a check weighs in the score, by severity. */
export const SEVERITY_WEIGHT: Readonly<Record<Severity, number>> = { danger: 3, warning: 2, info: 1 };

/** One check's outcome on one application (on one component, for a component check). */
export interface CheckResult {
  readonly check: string;
  readonly severity: Severity;
  readonly component?: string;
  readonly passed: boolean;
  /** The data bureau made this check mandatory: a failure refuses the application at apply. */
  readonly mandatory: boolean;
  /** Why it failed (absent when it passed), coded. */
  readonly reason?: Message;
  /** What to change, coded. */
  readonly fix?: Message;
}

export interface Scorecard {
  /** 0–100: the weight of passed checks over the weight of checks that apply. */
  readonly score: number;
  /** Every danger check passes (the application is "in the standard"). */
  readonly inStandard: boolean;
  readonly passed: number;
  readonly failed: number;
  /** Checks that did not apply to this application (no service component, no cron task …). */
  readonly notApplicable: readonly string[];
  readonly results: readonly CheckResult[];
  /** Failed mandatory checks. */
  readonly refusals: readonly CheckResult[];
}

function coded(code: string, params: Params): Message {
  const message = isKnownCode(code) ? (render(code, params, 'en') ?? code) : code;
  return { code, params, message };
}

/**
 * Runs every check on one application (CHECKS: component checks once per component they apply to). Pure. A check
 * whose id is in `mandatory` and fails is also listed in `refusals`.
 */
export function assess(ctx: CheckContext, mandatory: readonly string[] = []): Scorecard {
  const views = componentViews(ctx.spec);
  const results: CheckResult[] = [];
  const applied = new Set<string>();
  for (const check of CHECKS) {
    const targets = check.scope === 'component' ? views : [undefined];
    for (const view of targets) {
      const verdict = check.test(view, ctx);
      if (verdict === undefined) continue;
      applied.add(check.id);
      const params: Params = view ? { component: view.spec.name } : {};
      results.push({
        check: check.id,
        severity: check.severity,
        ...(view ? { component: view.spec.name } : {}),
        passed: verdict,
        mandatory: mandatory.includes(check.id),
        ...(verdict ? {} : { reason: coded(check.code, params), fix: coded(check.fix, params) }),
      });
    }
  }
  let got = 0;
  let total = 0;
  for (const r of results) {
    total += SEVERITY_WEIGHT[r.severity];
    if (r.passed) got += SEVERITY_WEIGHT[r.severity];
  }
  const failed = results.filter((r) => !r.passed);
  return {
    score: total > 0 ? Math.round((100 * got) / total) : 100,
    inStandard: failed.every((r) => r.severity !== 'danger'),
    passed: results.length - failed.length,
    failed: failed.length,
    notApplicable: CHECKS.map((c) => c.id).filter((id) => !applied.has(id)),
    results,
    refusals: failed.filter((r) => r.mandatory),
  };
}
