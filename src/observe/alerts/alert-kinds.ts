import { z } from 'zod';
import type { ErrorCause } from '../../kernel/errors.ts';
import { codedCause } from '../../kernel/errors.ts';
import { msg } from '../../kernel/messages/index.ts';
import type { StoredObject } from '../../resources/envelope.ts';
import { defineKind } from '../../resources/kind-schema.ts';
import type { KindDefinition } from '../../resources/registry.ts';
import { parseDuration } from './duration.ts';
import type { CompiledRule } from './rules.ts';
import { COMPARISONS, SEVERITIES } from './rules.ts';
import { AGGREGATES } from './signal-windows.ts';
import { ALERT_SIGNALS, isAlertSignal, SIGNAL_NAMES } from './signals.ts';

export const OBSERVE_GROUP = 'observe.polis.io';
export const OBSERVE_VERSION = 'v1';
export const OBSERVE_API_VERSION = `${OBSERVE_GROUP}/${OBSERVE_VERSION}`;

/**
 * The data bureau's own space (the same department the marketplace's shared instances run in): rules, channels
 * and silences there are platform-wide, reading and routing every department's alerts and the clusters'.
 */
export const PLATFORM_SPACE = 'platform';

const dnsLabel = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'a DNS label: lower-case letters, digits and "-", at most 63');
const duration = z.string().max(20);
export const bilingual = z.object({ zh: z.string().min(1).max(2000), en: z.string().min(1).max(2000) }).strict();

export interface AlertRuleSpec {
  readonly severity: (typeof SEVERITIES)[number];
  readonly for?: string;
  readonly selector?: {
    readonly department?: string;
    readonly application?: string;
    readonly component?: string;
    readonly cluster?: string;
  };
  readonly threshold?: {
    readonly signal: string;
    readonly aggregate?: (typeof AGGREGATES)[number];
    readonly window: string;
    readonly op: (typeof COMPARISONS)[number];
    readonly value: number;
  };
  readonly burnRate?: {
    readonly sli: 'availability' | 'latency';
    readonly objective?: number;
    readonly factor: number;
    readonly long: string;
    readonly short: string;
  };
  /**
   * A trend (Prometheus's `predict_linear`): the least-squares line through the samples of `window`, `horizon`
   * ahead, reaches `threshold` while rising (BUILTIN memory-leak-predicted is one).
   */
  readonly trend?: {
    readonly signal: string;
    readonly window: string;
    readonly horizon: string;
    readonly threshold: number;
    /** The newest sample at least this (absent: no floor). */
    readonly floor?: number;
    /** The samples of the last `rising` never fall and end above every one before them (default: a third of the window). */
    readonly rising?: string;
    /** Fewest samples (bucket averages, 20 per window at most) the line is fitted to (default 4). */
    readonly minSamples?: number;
  };
  readonly description?: { readonly zh: string; readonly en: string };
}

/** A trend's line is fitted to the window's bucket averages: a ring has 20 (RingSignalWindows' default). */
export const TREND_MAX_SAMPLES = 20;

const alertRuleSpec = z
  .object({
    severity: z.enum(SEVERITIES),
    for: duration.optional(),
    selector: z
      .object({
        department: dnsLabel.optional(),
        application: dnsLabel.optional(),
        component: dnsLabel.optional(),
        cluster: z.string().min(1).max(253).optional(),
      })
      .strict()
      .optional(),
    threshold: z
      .object({
        signal: z.string().min(1).max(64),
        aggregate: z.enum(AGGREGATES).optional(),
        window: duration,
        op: z.enum(COMPARISONS),
        value: z.number().finite(),
      })
      .strict()
      .optional(),
    burnRate: z
      .object({
        sli: z.enum(['availability', 'latency']),
        objective: z.number().min(50).lt(100).optional(),
        factor: z.number().positive().max(1000),
        long: duration,
        short: duration,
      })
      .strict()
      .optional(),
    trend: z
      .object({
        signal: z.string().min(1).max(64),
        window: duration,
        horizon: duration,
        threshold: z.number().finite(),
        floor: z.number().finite().optional(),
        rising: duration.optional(),
        minSamples: z.number().int().min(2).max(TREND_MAX_SAMPLES).optional(),
      })
      .strict()
      .optional(),
    description: bilingual.optional(),
  })
  .strict();

const MAX_WINDOW_MS = 30 * 86_400_000;

/** Problems the schema cannot see: one expression, durations, and a department reading only its own series. */
export function alertRuleCauses(spec: AlertRuleSpec, tenant: string): ErrorCause[] {
  const causes: ErrorCause[] = [];
  const dur = (v: string | undefined, path: string) => {
    if (v === undefined) return undefined;
    const ms = parseDuration(v);
    if (ms === undefined || ms > MAX_WINDOW_MS)
      causes.push(codedCause(path, msg('AlertRuleDurationInvalid', { value: v })));
    return ms;
  };
  dur(spec.for, 'spec.for');
  const exprs = [spec.threshold, spec.burnRate, spec.trend].filter((x) => x !== undefined).length;
  if (exprs !== 1) causes.push(codedCause('spec', msg('AlertRuleNeedsOneExpr')));
  // A signal known, and (outside the platform space) one a department owns: a cluster's or a node's belongs to none.
  const signalCauses = (signal: string, path: string) => {
    if (!isAlertSignal(signal))
      causes.push(codedCause(path, msg('AlertRuleSignalUnknown', { signal, signals: SIGNAL_NAMES.join(', ') })));
    else if ((ALERT_SIGNALS[signal] === 'cluster' || ALERT_SIGNALS[signal] === 'node') && tenant !== PLATFORM_SPACE)
      causes.push(
        codedCause(
          path,
          msg('AlertRuleSignalPlatformOnly', { signal, scope: ALERT_SIGNALS[signal], space: PLATFORM_SPACE }),
        ),
      );
  };
  if (spec.threshold) {
    signalCauses(spec.threshold.signal, 'spec.threshold.signal');
    dur(spec.threshold.window, 'spec.threshold.window');
  }
  if (spec.burnRate) {
    const long = dur(spec.burnRate.long, 'spec.burnRate.long');
    const short = dur(spec.burnRate.short, 'spec.burnRate.short');
    if (long !== undefined && short !== undefined && short >= long)
      causes.push(
        codedCause(
          'spec.burnRate.short',
          msg('AlertRuleWindowOrder', { short: spec.burnRate.short, long: spec.burnRate.long }),
        ),
      );
  }
  if (spec.trend) {
    const t = spec.trend;
    signalCauses(t.signal, 'spec.trend.signal');
    const positive = (v: string, path: string) => {
      const ms = dur(v, path);
      if (ms === 0) causes.push(codedCause(path, msg('AlertRuleDurationZero', { value: v })));
      return ms;
    };
    const window = positive(t.window, 'spec.trend.window');
    positive(t.horizon, 'spec.trend.horizon');
    const rising = t.rising === undefined ? undefined : positive(t.rising, 'spec.trend.rising');
    if (window !== undefined && window > 0 && rising !== undefined && rising >= window)
      causes.push(
        codedCause('spec.trend.rising', msg('AlertRuleTrendRising', { rising: t.rising!, window: t.window })),
      );
  }
  const dept = spec.selector?.department;
  if (tenant !== PLATFORM_SPACE && dept !== undefined && dept !== tenant)
    causes.push(codedCause('spec.selector.department', msg('AlertRuleTenantSelector', { tenant: dept })));
  const signal = spec.threshold?.signal ?? spec.trend?.signal;
  if (
    tenant !== PLATFORM_SPACE &&
    spec.selector?.cluster !== undefined &&
    signal !== undefined &&
    isAlertSignal(signal) &&
    ALERT_SIGNALS[signal] !== 'component'
  )
    causes.push(
      codedCause(
        'spec.selector.cluster',
        msg('AlertRuleSignalPlatformOnly', { signal, scope: 'cluster', space: PLATFORM_SPACE }),
      ),
    );
  return causes;
}

/**
 * An alert rule (docs/observe.md, Rule format): a threshold on a signal's window aggregate, an SLO burn rate, or a
 * signal's trend (the least-squares line over a window, projected ahead), with a `for` duration and a severity. In a department it reads that department's series only; in the platform
 * space every department's and the clusters'.
 */
export const alertRuleKind: KindDefinition = defineKind({
  group: OBSERVE_GROUP,
  version: OBSERVE_VERSION,
  kind: 'AlertRule',
  plural: 'alertrules',
  shortNames: ['ar'],
  scope: 'tenant',
  category: 'config',
  description:
    'An alert rule: a threshold on a signal, an SLO burn rate or a signal’s trend, with a for duration and a severity.',
  spec: alertRuleSpec,
  status: z.record(z.string(), z.unknown()),
  validate: (obj) => alertRuleCauses(obj.spec as AlertRuleSpec, (obj.metadata as { tenant?: string }).tenant ?? ''),
  printColumns: [
    { name: 'SEVERITY', path: 'spec.severity' },
    { name: 'SIGNAL', path: 'spec.threshold.signal' },
    { name: 'SLI', path: 'spec.burnRate.sli' },
    { name: 'TREND', path: 'spec.trend.signal' },
    { name: 'FOR', path: 'spec.for' },
  ],
});

/** An AlertRule object as the evaluator takes it (the object passed validation). */
export function compileRule(obj: StoredObject): CompiledRule | undefined {
  const spec = obj.spec as AlertRuleSpec;
  const tenant = obj.metadata.tenant ?? '';
  const platform = tenant === PLATFORM_SPACE;
  const sel = spec.selector ?? {};
  const selector = {
    ...(sel.application ? { app: sel.application } : {}),
    ...(sel.component ? { component: sel.component } : {}),
    ...(sel.cluster ? { cluster: sel.cluster } : {}),
    ...(platform && sel.department ? { tenant: sel.department } : {}),
  };
  const base = {
    id: `${tenant}/${obj.metadata.name}`,
    name: obj.metadata.name,
    ...(platform ? {} : { tenant }),
    severity: spec.severity,
    forMs: parseDuration(spec.for ?? '0s') ?? 0,
    selector,
    ...(spec.description ? { description: spec.description } : {}),
  };
  if (spec.threshold && isAlertSignal(spec.threshold.signal)) {
    const windowMs = parseDuration(spec.threshold.window);
    if (windowMs === undefined) return undefined;
    const signal = spec.threshold.signal;
    return {
      ...base,
      symptom: ALERT_SIGNALS[signal] === 'component',
      expr: {
        kind: 'threshold',
        signal,
        aggregate: spec.threshold.aggregate ?? 'avg',
        windowMs,
        op: spec.threshold.op,
        threshold: spec.threshold.value,
      },
    };
  }
  if (spec.trend && isAlertSignal(spec.trend.signal)) {
    const t = spec.trend;
    const signal = spec.trend.signal;
    const windowMs = parseDuration(t.window);
    const horizonMs = parseDuration(t.horizon);
    const risingMs = t.rising === undefined ? undefined : parseDuration(t.rising);
    if (windowMs === undefined || horizonMs === undefined || (t.rising !== undefined && risingMs === undefined))
      return undefined;
    return {
      ...base,
      symptom: ALERT_SIGNALS[signal] === 'component',
      expr: {
        kind: 'trend',
        signal,
        windowMs,
        horizonMs,
        risingMs: risingMs ?? Math.round(windowMs / 3),
        threshold: t.threshold,
        floor: t.floor ?? -Infinity,
        minSamples: t.minSamples ?? 4,
      },
    };
  }
  if (spec.burnRate) {
    const longMs = parseDuration(spec.burnRate.long);
    const shortMs = parseDuration(spec.burnRate.short);
    if (longMs === undefined || shortMs === undefined) return undefined;
    return {
      ...base,
      symptom: true,
      expr: {
        kind: 'burnRate',
        sli: spec.burnRate.sli,
        ...(spec.burnRate.objective !== undefined ? { objective: spec.burnRate.objective / 100 } : {}),
        factor: spec.burnRate.factor,
        longMs,
        shortMs,
      },
    };
  }
  return undefined;
}
