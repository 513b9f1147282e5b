/**
 * The platform's maturity level, L1–L5 (issue 17 point 6; the whitepaper's ch. 5 标准和评估), from measured figures.
 * Each level needs every criterion of the levels below it and its own; each criterion is shown with the figure
 * measured, the threshold and whether it is met, so the level can be checked by hand.
 */

/** What is measured across the platform (or the departments a reader may see). */
export interface PlatformFigures {
  readonly applications: number;
  /** Applications passing every danger check (scorecard.ts inStandard). */
  readonly inStandard: number;
  /** Service components (webservice), and of them those autoscaled. */
  readonly services: number;
  readonly autoscaledServices: number;
  /** Applications with a failover policy. */
  readonly withFailover: number;
  /** Applications declaring an SLO, and of them those meeting it over the window (undefined: not measured). */
  readonly withSlo: number;
  readonly sloMet?: number;
  /** CPU in use and CPU requested by the placed replicas, cores (undefined: no metrics). */
  readonly cpuUsedCores?: number;
  readonly cpuRequestedCores: number;
  /** Of the clusters' capacity, the share requested by departments' applications (cost allocated to a department). */
  readonly allocatedShare?: number;
}

export interface Criterion {
  readonly level: number;
  /** Stable id: standard, automation, failover, slo, utilization, allocated. */
  readonly id: string;
  /** The figure measured (a share 0–1), or null when it could not be measured (counts as not met). */
  readonly value: number | null;
  readonly threshold: number;
  readonly met: boolean;
  /** The counts behind the share, e.g. "12 of 15 applications". */
  readonly evidence: Readonly<Record<string, number>>;
}

export interface MaturityLevel {
  /** 1–5. */
  readonly level: number;
  readonly criteria: readonly Criterion[];
}

const share = (n: number, of: number): number | null => (of > 0 ? n / of : null);

/**
 * The levels: L1 registered; L2 at least half the applications in the standard; L3 80% in the standard, half the
 * services autoscaled and half the applications with failover; L4 SLOs met by 90% of the applications declaring one
 * (at least half declare one) and CPU used/requested ≥ 30%; L5 95% in the standard, 80% autoscaled, utilization ≥ 50%
 * and ≥ 90% of capacity allocated to departments.
 */
export function maturityLevel(f: PlatformFigures): MaturityLevel {
  const standard = share(f.inStandard, f.applications);
  const automation = share(f.autoscaledServices, f.services);
  const failover = share(f.withFailover, f.applications);
  const sloDeclared = share(f.withSlo, f.applications);
  const sloMet = f.sloMet === undefined ? null : share(f.sloMet, f.withSlo);
  const utilization = f.cpuUsedCores === undefined ? null : share(f.cpuUsedCores, f.cpuRequestedCores);
  const allocated = f.allocatedShare ?? null;
  const c = (
    level: number,
    id: string,
    value: number | null,
    threshold: number,
    evidence: Record<string, number>,
  ): Criterion => ({
    level,
    id,
    value: value === null ? null : Math.round(value * 1000) / 1000,
    threshold,
    met: value !== null && value >= threshold,
    evidence,
  });
  const criteria: Criterion[] = [
    c(2, 'standard', standard, 0.5, { inStandard: f.inStandard, applications: f.applications }),
    c(3, 'standard', standard, 0.8, { inStandard: f.inStandard, applications: f.applications }),
    c(3, 'automation', automation, 0.5, { autoscaled: f.autoscaledServices, services: f.services }),
    c(3, 'failover', failover, 0.5, { withFailover: f.withFailover, applications: f.applications }),
    c(4, 'slo-declared', sloDeclared, 0.5, { withSlo: f.withSlo, applications: f.applications }),
    c(4, 'slo', sloMet, 0.9, { met: f.sloMet ?? 0, withSlo: f.withSlo }),
    c(4, 'utilization', utilization, 0.3, { usedCores: f.cpuUsedCores ?? 0, requestedCores: f.cpuRequestedCores }),
    c(5, 'standard', standard, 0.95, { inStandard: f.inStandard, applications: f.applications }),
    c(5, 'automation', automation, 0.8, { autoscaled: f.autoscaledServices, services: f.services }),
    c(5, 'utilization', utilization, 0.5, { usedCores: f.cpuUsedCores ?? 0, requestedCores: f.cpuRequestedCores }),
    c(5, 'allocated', allocated, 0.9, {}),
  ];
  let level = 1;
  for (let l = 2; l <= 5; l++) {
    if (criteria.filter((x) => x.level === l).every((x) => x.met)) level = l;
    else break;
  }
  return { level, criteria };
}
