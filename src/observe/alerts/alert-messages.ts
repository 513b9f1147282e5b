import type { Message } from '../../kernel/messages/index.ts';
import { msg } from '../../kernel/messages/index.ts';
import { formatDuration } from './duration.ts';
import type { Trend } from './evaluate.ts';
import type { CompiledRule } from './rules.ts';
import type { AlertTarget, SeriesLabels } from './signals.ts';

/** What a target is called in a message: `edu/portal/web`, cluster `gov-east`, node `gov-east/node-1`, department `edu`. */
export function targetName(labels: SeriesLabels): string {
  if (labels.component !== undefined) return `${labels.tenant}/${labels.app}/${labels.component}`;
  if (labels.node !== undefined) return `${labels.cluster ?? ''}/${labels.node}`;
  if (labels.cluster !== undefined) return labels.cluster;
  return labels.tenant ?? '';
}

const pct = (v: number) => Math.round(v * 1000) / 10;
const round = (v: number) => Math.round(v * 100) / 100;
const sig = (v: number) => Number(v.toPrecision(3));

/** The coded message of an alert of `rule` on `target` at `value` (the objective too, for a burn rate). */
export function alertMessage(
  rule: CompiledRule,
  target: AlertTarget,
  value: number,
  objective?: number,
  baseline?: number,
  trend?: Trend,
  load?: number,
): Message {
  const l = target.labels;
  const e = rule.expr;
  if (e.kind === 'burnRate')
    return msg(e.sli === 'latency' ? 'AlertLatencyBudgetBurn' : 'AlertAvailabilityBudgetBurn', {
      target: targetName(l),
      rate: round(value),
      factor: e.factor,
      long: formatDuration(e.longMs),
      short: formatDuration(e.shortMs),
      objective: pct(objective ?? 0),
      ...(e.sli === 'latency' ? { thresholdMs: target.slo?.latency.thresholdMs ?? 0 } : {}),
    } as never);
  if (e.kind === 'baseline' && e.signal === 'errorRatio')
    return msg('AlertErrorRatioElevated', {
      target: targetName(l),
      percent: pct(value),
      window: formatDuration(e.windowMs),
      baseline: pct(baseline ?? 0),
      baselineWindow: formatDuration(e.baselineMs),
      factor: e.factor,
      floor: pct(e.floor),
    });
  if (e.kind === 'baseline' && e.signal === 'nodeCpu') {
    const base = baseline ?? 0;
    return msg('AlertNodeCpuAboveNormal', {
      node: l.node ?? '',
      cluster: l.cluster ?? '',
      percent: pct(value),
      window: formatDuration(e.windowMs),
      ratio: base > 0 ? round(value / base) : 0,
      baseline: pct(base),
      baselineWindow: formatDuration(e.baselineMs),
      loadRatio: round(load ?? 1),
      factor: e.factor,
      floor: pct(e.floor),
    });
  }
  if (e.kind === 'baseline' && e.loadRelative && (e.signal === 'cpuUtilization' || e.signal === 'latencyP99Ms')) {
    const base = baseline ?? 0;
    const common = {
      target: targetName(l),
      window: formatDuration(e.windowMs),
      ratio: base > 0 ? round(value / base) : 0,
      baselineWindow: formatDuration(e.baselineMs),
      loadRatio: round(load ?? 1),
      factor: e.factor,
    };
    return e.signal === 'cpuUtilization'
      ? msg('AlertCpuAboveNormal', { ...common, percent: pct(value), baseline: pct(base), floor: pct(e.floor) })
      : msg(e.statistic === 'max' ? 'AlertLatencyAboveRange' : 'AlertLatencyShifted', {
          ...common,
          value: Math.round(value),
          baseline: Math.round(base),
          floor: e.floor,
        });
  }
  if (e.kind === 'trend' && !(rule.id.startsWith('builtin:') && e.signal === 'memoryOfLimit'))
    // An AlertRule's trend, on any signal: in the signal's own unit, to three significant digits.
    return msg('AlertTrendPredicted', {
      rule: rule.name,
      target: targetName(l),
      signal: e.signal,
      value: sig(trend?.last ?? 0),
      window: formatDuration(e.windowMs),
      perMinute: sig(trend?.perMinute ?? 0),
      threshold: e.threshold,
      minutes: Math.round((trend?.minutesToThreshold ?? 0) * 10) / 10,
      horizon: formatDuration(e.horizonMs),
    });
  if (e.kind === 'trend' && e.abovePeak)
    return msg('AlertMemoryGrowing', {
      target: targetName(l),
      percent: pct(trend?.last ?? 0),
      peak: pct(trend?.normalPeak ?? 0),
      peakWindow: formatDuration(e.abovePeak.windowMs),
      perMinute: pct(trend?.perMinute ?? 0),
      window: formatDuration(e.windowMs),
      minutes: Math.round((trend?.minutesToThreshold ?? 0) * 10) / 10,
      over: pct(e.abovePeak.over),
      horizon: formatDuration(e.horizonMs),
    });
  if (e.kind === 'trend')
    return msg('AlertMemoryLeakPredicted', {
      target: targetName(l),
      percent: pct(trend?.last ?? 0),
      perMinute: pct(trend?.perMinute ?? 0),
      window: formatDuration(e.windowMs),
      minutes: Math.round((trend?.minutesToThreshold ?? 0) * 10) / 10,
      horizon: formatDuration(e.horizonMs),
    });
  if (e.kind === 'baseline')
    return msg('AlertBaselineDeparted', {
      rule: rule.name,
      target: targetName(l),
      signal: e.signal,
      value: Math.round(value),
      window: formatDuration(e.windowMs),
      baseline: Math.round(baseline ?? 0),
      baselineWindow: formatDuration(e.baselineMs),
      factor: e.factor,
      floor: e.floor,
    });
  const threshold = e.threshold;
  switch (rule.id) {
    case 'builtin:cluster-unreachable':
      return msg('AlertClusterUnreachable', { cluster: l.cluster ?? '' });
    case 'builtin:node-not-ready':
      return msg('AlertNodesNotReady', { cluster: l.cluster ?? '', count: value });
    case 'builtin:cluster-cpu-requested':
    case 'builtin:cluster-memory-requested':
      return msg('AlertClusterRequested', {
        cluster: l.cluster ?? '',
        resource: e.signal === 'clusterCpuRequested' ? 'cpu' : 'memory',
        percent: pct(value),
        threshold: pct(threshold),
      });
    case 'builtin:quota-cpu-used':
    case 'builtin:quota-memory-used':
      return msg('AlertQuotaUsed', {
        tenant: l.tenant ?? '',
        resource: e.signal === 'quotaCpuUsed' ? 'cpu' : 'memory',
        percent: pct(value),
        threshold: pct(threshold),
      });
    case 'builtin:component-saturated':
      return msg('AlertSaturated', {
        target: targetName(l),
        percent: pct(value),
        window: formatDuration(e.windowMs),
        threshold: pct(threshold),
      });
    case 'builtin:node-cpu-saturated':
      return msg('AlertNodeCpuSaturated', {
        cluster: l.cluster ?? '',
        percent: pct(value),
        window: formatDuration(e.windowMs),
        threshold: pct(threshold),
      });
    case 'builtin:memory-near-limit':
      return msg('AlertMemoryNearLimit', {
        target: targetName(l),
        percent: pct(value),
        window: formatDuration(e.windowMs),
        threshold: pct(threshold),
      });
    case 'builtin:cpu-throttled':
      return msg('AlertCpuThrottled', {
        target: targetName(l),
        percent: pct(value),
        window: formatDuration(e.windowMs),
        threshold: pct(threshold),
      });
    case 'builtin:crash-loop':
      return msg('AlertCrashLoop', { target: targetName(l) });
    case 'builtin:job-failed':
      return msg('AlertJobFailed', { target: targetName(l) });
    case 'builtin:burst-budget-nearly-spent':
      return msg('AlertBurstBudget', { tenant: l.tenant ?? '', percent: pct(value), threshold: pct(threshold) });
    default:
      return msg('AlertThreshold', {
        rule: rule.name,
        target: targetName(l),
        signal: e.signal,
        aggregate: e.aggregate,
        window: formatDuration(e.windowMs),
        value: round(value),
        op: e.op,
        threshold,
      });
  }
}
