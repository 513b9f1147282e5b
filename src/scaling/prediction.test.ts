import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { skipTitle } from '../../test/support/skip.ts';
import { loadCraneSeries, type MeasuredSeries } from '../sim/index.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS, WEEK_MS } from './period-detection.ts';
import { detectPeriod, forecast, forecastWithDetail } from './prediction.ts';

/** mulberry32: seeded noise for synthetic series. */
function noise(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  };
}

const STEP = 5 * MINUTE_MS;
const PER_DAY = DAY_MS / STEP;
/** Office hours: low at night, a bell around 10:00 and 15:00 (in steps of 5 minutes). */
const officeDay = (i: number) => {
  const hour = ((i % PER_DAY) * 24) / PER_DAY;
  return 20 + 80 * Math.exp(-(((hour - 10) / 2) ** 2)) + 60 * Math.exp(-(((hour - 15) / 2) ** 2));
};
const series = (days: number, f: (i: number) => number) => Array.from({ length: days * PER_DAY }, (_, i) => f(i));

describe('detectPeriod on synthetic series', () => {
  it('finds a daily cycle under noise', () => {
    const r = noise(1);
    const p = detectPeriod(
      series(5, (i) => officeDay(i) + 10 * r()),
      STEP,
    );
    expect(p.periodMs).toBe(DAY_MS);
    expect(p.strength).toBeGreaterThan(0.9);
    expect(p.reason).toMatch(/^daily cycle: autocorrelation daily 0\.9\d/);
  });

  it('finds a weekly cycle when weekends differ', () => {
    const r = noise(2);
    const p = detectPeriod(
      series(21, (i) => (Math.floor(i / PER_DAY) % 7 >= 5 ? 25 : officeDay(i)) + 5 * r()),
      STEP,
    );
    expect(p.periodMs).toBe(WEEK_MS);
  });

  it('needs two weeks for a weekly cycle: with ten days the weekday pattern reads as daily', () => {
    const p = detectPeriod(
      series(10, (i) => (Math.floor(i / PER_DAY) % 7 >= 5 ? 25 : officeDay(i))),
      STEP,
    );
    expect(p.periodMs).toBe(DAY_MS);
  });

  it('finds nothing in noise, in a flat line, or in less than two days', () => {
    const r = noise(3);
    expect(
      detectPeriod(
        series(8, () => 50 + 20 * r()),
        STEP,
      ).periodMs,
    ).toBeUndefined();
    expect(
      detectPeriod(
        series(8, () => 50),
        STEP,
      ),
    ).toMatchObject({ strength: 0 });
    expect(detectPeriod(series(1, officeDay), STEP)).toMatchObject({
      strength: 0,
      reason: 'no cycle: needs two days of history, has 1 days',
      detail: { code: 'PeriodTooShort', params: { span: { code: 'SpanDays', params: { days: '1' } } } },
    });
  });

  it('leaves out a cycle that moves the load by less than 40% of its level', () => {
    const p = detectPeriod(
      series(6, (i) => 1000 + officeDay(i)),
      STEP,
    );
    expect(p.periodMs).toBeUndefined();
    expect(p.reason).toMatch(/daily profile swings \d+% of the mean \(needs 40%\)/);
  });

  it('reads missing samples as the previous one and refuses a step that is not positive', () => {
    const x = series(4, officeDay).map((v, i) => (i % 50 === 7 ? NaN : v));
    expect(detectPeriod(x, STEP).periodMs).toBe(DAY_MS);
    expect(() => detectPeriod(x, 0)).toThrow(RangeError);
  });
});

describe('forecast on synthetic series', () => {
  it('repeats an exact cycle, with the little margin that ±10-minute smoothing costs', () => {
    const x = series(4, officeDay);
    const f = forecastWithDetail(x, STEP, 24);
    expect(f.margin).toBeLessThan(0.5);
    expect(Math.abs(f.level)).toBeLessThan(0.5);
    f.values.forEach((v, h) => expect(Math.abs(v - officeDay(x.length + h))).toBeLessThan(1.5));
  });

  it('adjusts to the recent level without extrapolating a trend', () => {
    const x = series(4, officeDay).map((v, i, all) => (i >= all.length - 24 ? v + 50 : v));
    const f = forecastWithDetail(x, STEP, 12);
    expect(f.level).toBeCloseTo(50, 0);
    f.values.forEach((v, h) => expect(v - officeDay(x.length + h)).toBeGreaterThanOrEqual(49));
    f.values.forEach((v, h) => expect(v - officeDay(x.length + h)).toBeLessThanOrEqual(50 + f.margin + 1));
  });

  it('without a cycle, forecasts the recent level plus the margin of recent errors', () => {
    const r = noise(4);
    const x = series(3, () => 100 + 10 * r());
    const f = forecastWithDetail(x, STEP, 6);
    expect(f.period.periodMs).toBeUndefined();
    expect(new Set(f.values).size).toBe(1);
    expect(f.values[0]).toBeGreaterThan(100);
    expect(f.values[0]).toBeLessThan(110);
  });

  it('is deterministic, leaves its input alone and never goes below zero for a non-negative series', () => {
    const r = noise(5);
    const x = series(4, (i) => Math.max(0, officeDay(i) - 40 + 10 * r()));
    const copy = [...x];
    const a = forecast(x, STEP, 48);
    expect(forecast(x, STEP, 48)).toEqual(a);
    expect(x).toEqual(copy);
    expect(a.every((v) => v >= 0)).toBe(true);
    expect(forecast([], STEP, 3)).toEqual([0, 0, 0]);
    expect(forecast(x, STEP, 0)).toEqual([]);
  });
});

const CRANE = fileURLToPath(new URL('../../../shared/data/crane/', import.meta.url));
const LABELS = ['daily', 'daily', 'weekly', 'none', 'none', 'none', 'none', 'none', 'weekly', 'daily', 'weekly'];
LABELS.push('daily', 'weekly', 'weekly', 'weekly', 'weekly');
const crane = (i: number): MeasuredSeries => loadCraneSeries(`${CRANE}series${i}.csv.gz`);
const kind = (periodMs: number | undefined) =>
  periodMs === DAY_MS ? 'daily' : periodMs === WEEK_MS ? 'weekly' : periodMs === undefined ? 'none' : 'other';

describe.skipIf(!existsSync(`${CRANE}series0.csv.gz`))(
  skipTitle(
    'prediction on Crane production series',
    !existsSync(`${CRANE}series0.csv.gz`) &&
      `no Crane series at ${CRANE} (the shared data folder is not beside this checkout)`,
  ),
  () => {
    it.each(LABELS.map((label, i) => [i, label] as const))('series %i is %s, as Crane expects', (i, label) => {
      const s = crane(i);
      expect(kind(detectPeriod(s.points, s.stepMs).periodMs)).toBe(label);
    });

    it('detects the period of all 16 series correctly', () => {
      const right = LABELS.filter((label, i) => {
        const s = crane(i);
        return kind(detectPeriod(s.points, s.stepMs).periodMs) === label;
      }).length;
      expect(right).toBe(16);
    });

    // Over each periodic series' last day: a forecast every hour of the next 60 minutes.
    it.each(LABELS.flatMap((label, i) => (label === 'none' ? [] : [i])))(
      'series %i: beats persistence and covers the next hour',
      (i) => {
        const s = crane(i);
        const perMinute = MINUTE_MS / s.stepMs;
        const horizon = 60 * perMinute;
        const block = 5 * perMinute;
        let error = 0;
        let persistence = 0;
        let covered = 0;
        let blocks = 0;
        for (let o = s.points.length - DAY_MS / s.stepMs; o + horizon <= s.points.length; o += HOUR_MS / s.stepMs) {
          const f = forecastWithDetail(s.points.slice(0, o), s.stepMs, horizon);
          for (let h = 0; h < horizon; h++) {
            const actual = s.points[o + h]!;
            error += Math.abs(actual - (f.values[h]! - f.margin));
            persistence += Math.abs(actual - s.points[o - 1]!);
          }
          for (let h = 0; h + block <= horizon; h += block) {
            let actual = 0;
            let forecasted = 0;
            for (let k = h; k < h + block; k++) {
              actual += s.points[o + k]!;
              forecasted += f.values[k]!;
            }
            blocks++;
            if (actual <= forecasted) covered++;
          }
        }
        // The seasonal forecast (without its margin) errs less than "the next hour is like the last minute" …
        expect(error / persistence).toBeLessThan(0.95);
        // … and with its margin, covers at least 85% of the 5-minute load averages of the next hour.
        expect(covered / blocks).toBeGreaterThanOrEqual(0.85);
      },
    );

    it('raises ahead of the morning ramp (series 9, 23:00 UTC)', () => {
      const s = crane(9);
      const origin = (Date.parse('2021-10-22T23:00:00Z') - s.startMs) / s.stepMs;
      const now = s.points.slice(origin - 10, origin).reduce((a, b) => a + b, 0) / 10;
      const f = forecast(s.points.slice(0, origin), s.stepMs, 60);
      const comingPeak = Math.max(...s.points.slice(origin, origin + 60));
      expect(comingPeak).toBeGreaterThan(1.5 * now);
      expect(Math.max(...f)).toBeGreaterThanOrEqual(comingPeak);
      expect(Math.max(...f)).toBeLessThan(1.2 * comingPeak);
    });
  },
);
