import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { loadCraneSeries } from '../../src/sim/load-scenarios.ts';

/** ../shared/data, beside the project (see its README). */
export const DATA = new URL('../../../shared/data/', import.meta.url).pathname;

/** One PlanetLab VM-day: CPU in percent of the VM's allocation, every 5 minutes (288 values). */
export interface PlanetLabDay {
  readonly day: string;
  readonly vm: string;
  readonly percent: readonly number[];
}

export function planetLabDays(): PlanetLabDay[] {
  const text = gunzipSync(readFileSync(`${DATA}planetlab/planetlab-2011-cpu.csv.gz`)).toString('utf8');
  const out: PlanetLabDay[] = [];
  for (const line of text.split('\n').slice(1)) {
    const [day, vm, values] = line.split(',');
    if (!day || !vm || !values) continue;
    const percent = values.split(';').map(Number);
    if (percent.length !== 288 || percent.some((x) => !Number.isFinite(x))) continue;
    out.push({ day, vm, percent });
  }
  return out;
}

/** Epoch ms of a PlanetLab day (yyyymmdd). */
export function dayStart(day: string): number {
  return Date.UTC(Number(day.slice(0, 4)), Number(day.slice(4, 6)) - 1, Number(day.slice(6, 8)));
}

/** A Crane series on a 60-second grid (the 15-second series averaged per minute), NaN gaps filled with the last value. */
export function craneMinutes(n: number): { startMs: number; values: number[] } {
  const s = loadCraneSeries(`${DATA}crane/series${n}.csv.gz`);
  const per = Math.max(1, Math.round(60_000 / s.stepMs));
  const values: number[] = [];
  let last = 0;
  for (let i = 0; i + per <= s.points.length; i += per) {
    let sum = 0;
    let k = 0;
    for (let j = i; j < i + per; j++) {
      const v = s.points[j]!;
      if (Number.isFinite(v)) {
        sum += v;
        k++;
      }
    }
    last = k > 0 ? sum / k : last;
    values.push(Math.max(0, last));
  }
  return { startMs: s.startMs, values };
}
