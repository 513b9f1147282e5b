import type { RangeSeries } from './history-backend.ts';
import type { SubsetQuery } from './promql-subset.ts';
import type { Labels } from './signals.ts';

/**
 * A PromQL aggregation over range series, point by point: groups by the kept labels (`by`) or by all but the
 * dropped ones and `__name__` (`without`); `sum`, `avg`, `max`, `min` of the finite values, `count` of them; NaN
 * where a group has none. Groups come out ordered by their labels.
 */
export function aggregateSeries(
  series: readonly RangeSeries[],
  agg: NonNullable<SubsetQuery['aggregate']>,
  length: number,
): RangeSeries[] {
  const groups = new Map<string, { labels: Labels; members: RangeSeries[] }>();
  for (const s of series) {
    const labels = groupLabels(s.labels, agg);
    const key = JSON.stringify(Object.entries(labels).sort());
    const g = groups.get(key) ?? { labels, members: [] };
    g.members.push(s);
    groups.set(key, g);
  }
  const out: RangeSeries[] = [];
  for (const key of [...groups.keys()].sort()) {
    const g = groups.get(key)!;
    const values = new Array<number>(length);
    for (let i = 0; i < length; i++) {
      let n = 0;
      let acc = agg.op === 'max' ? -Infinity : agg.op === 'min' ? Infinity : 0;
      for (const m of g.members) {
        const v = m.values[i]!;
        if (!Number.isFinite(v)) continue;
        n++;
        if (agg.op === 'max') acc = Math.max(acc, v);
        else if (agg.op === 'min') acc = Math.min(acc, v);
        else acc += v;
      }
      values[i] = n === 0 ? NaN : agg.op === 'avg' ? acc / n : agg.op === 'count' ? n : acc;
    }
    out.push({ labels: g.labels, values });
  }
  return out;
}

function groupLabels(labels: Labels, agg: NonNullable<SubsetQuery['aggregate']>): Labels {
  if (agg.mode === 'by') {
    return Object.fromEntries(agg.labels.filter((l) => labels[l] !== undefined).map((l) => [l, labels[l]!]));
  }
  const drop = new Set([...agg.labels, '__name__']);
  return Object.fromEntries(Object.entries(labels).filter(([k]) => !drop.has(k)));
}
