/**
 * The same-run baseline for bench/rca-nezha: the largest robust z-score of change after the fault, in BARO's manner
 * (Pham et al., FSE'24): per service, the largest over its metrics and the points after the fault of
 * |x − median(before)| / IQR(before), where an IQR of 0 falls back to the MAD, and a MAD of 0 to 1 (as scikit-learn's
 * RobustScaler, which BARO uses, treats a zero scale). It reads the data set's own units, every pod-level metric.
 */
import { median, quantile } from '../../src/observe/demarcation/robust.ts';
import { POD_COLUMNS, type RawPod } from './nezha.ts';

/** Services ranked by the baseline, highest first (ties by name). */
export function baroRanking(pods: readonly RawPod[], at: number, preSeconds: number, postSeconds: number): string[] {
  const best = new Map<string, number>();
  for (const p of pods) {
    let score = best.get(p.service) ?? 0;
    for (const col of POD_COLUMNS) {
      const values = p.columns[col];
      if (!values) continue;
      const pre: number[] = [];
      const post: number[] = [];
      p.times.forEach((t, i) => {
        const v = values[i]!;
        if (!Number.isFinite(v)) return;
        if (t >= at - preSeconds && t < at) pre.push(v);
        else if (t >= at && t <= at + postSeconds) post.push(v);
      });
      if (pre.length === 0 || post.length === 0) continue;
      const m = median(pre);
      let scale = quantile(pre, 0.75) - quantile(pre, 0.25);
      if (!(scale > 0)) scale = median(pre.map((v) => Math.abs(v - m)));
      if (!(scale > 0)) scale = 1;
      for (const v of post) score = Math.max(score, Math.abs(v - m) / scale);
    }
    best.set(p.service, score);
  }
  return [...best.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([s]) => s);
}
