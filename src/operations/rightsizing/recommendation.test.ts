import { describe, expect, it } from 'vitest';
import { monthlyCost, recommend, vpaTarget, type ComponentHistory } from './recommendation.ts';
import { percentile, percentileProfile, type Sample } from './percentile-profile.ts';
import { riskOf } from './risk.ts';
import { VpaRecommender } from './vpa-recommender.ts';

/**
 * Worked examples, computed by hand from the VPA's documented algorithm (docs/operations.md, "The recommender"):
 * CPU buckets start at 0.01 × (1.05^n − 1) / 0.05 cores, memory buckets at 1e7 × (1.05^n − 1) / 0.05 bytes; a
 * percentile is the end of the bucket where the cumulative (decayed) weight reaches p × total; target = p90 × 1.15.
 */
const T0 = Date.UTC(2026, 10, 2);
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MIB = 2 ** 20;

function history(o: Partial<ComponentHistory> & { cpu: Sample[] }): ComponentHistory {
  return {
    component: 'web',
    replicas: 1,
    current: { cpuMilli: 500, memoryBytes: 512 * MIB },
    stepMs: MIN,
    memory: [],
    ...o,
  };
}

describe('the VPA-style recommendation', () => {
  it('puts a steady 0.2 core in bucket 14 and recommends the end of that bucket plus 15%: 249m', () => {
    // bucket(0.2) = floor(ln(0.2·0.05/0.01 + 1) / ln 1.05) = floor(ln 2 / ln 1.05) = floor(14.21) = 14
    // end of bucket 14 = start(15) = 0.2 · (1.05^15 − 1) = 0.2 · 1.078928 = 0.2157856 cores
    // target = 0.2157856 × 1.15 = 0.2481535 cores → 249m (whole millicores, rounded up)
    const cpu = Array.from({ length: 60 }, (_, i) => ({ at: T0 + i * MIN, value: 0.2 }));
    expect(vpaTarget(history({ cpu })).r.cpuMilli).toBe(249);
  });

  it('lets three-day-old samples count an eighth (half-life 24 h), so recent use wins the 90th percentile', () => {
    // 10 samples of 1.0 core, then 85 samples of 0.1 core 72 h later: old weights are 2^-3 = 1/8 of new ones.
    // total ≈ 10/8 + 85 = 86.25; 0.9 × total = 77.6 ≤ 85, so p90 is the end of 0.1's bucket:
    // bucket(0.1) = floor(ln 1.5 / ln 1.05) = 8; start(9) = 0.2 · (1.05^9 − 1) = 0.1102656; × 1.15 → 127m.
    // Without decay: total 95, 0.9 × 95 = 85.5 > 85, so p90 would be 1.0's bucket: start(37) × 1.15 → 1169m.
    const old = Array.from({ length: 10 }, (_, i) => ({ at: T0 + i * MIN, value: 1.0 }));
    const recent = Array.from({ length: 85 }, (_, i) => ({ at: T0 + 3 * DAY + i * MIN, value: 0.1 }));
    expect(vpaTarget(history({ cpu: [...old, ...recent] })).r.cpuMilli).toBe(127);
    const flat = Array.from({ length: 95 }, (_, i) => ({ at: T0 + i * MIN, value: i < 10 ? 1.0 : 0.1 }));
    expect(vpaTarget(history({ cpu: flat })).r.cpuMilli).toBe(1169);
  });

  it('keeps one memory peak per 24 h and recommends p90 of the peaks plus 15%, at least 250 MiB', () => {
    // Eight days, each with a peak of 5e8 bytes: bucket(5e8) = floor(ln 3.5 / ln 1.05) = 25;
    // start(26) = 2e8 · (1.05^26 − 1) = 511,134,538 bytes; × 1.15 = 587,804,718 → 561 MiB (rounded up).
    const cpu = [{ at: T0, value: 0.2 }];
    const memory: Sample[] = [];
    for (let d = 0; d < 8; d++)
      for (let h = 0; h < 24; h += 6) memory.push({ at: T0 + d * DAY + h * HOUR, value: h === 12 ? 5e8 : 3e8 });
    expect(vpaTarget(history({ cpu, memory })).r.memoryBytes).toBe(561 * MIB);
    // Tiny use is lifted to the VPA's minimums: 25 millicores and 250 MiB.
    const tiny = vpaTarget(history({ cpu: [{ at: T0, value: 0.001 }], memory: [{ at: T0, value: 1e6 }] })).r;
    expect(tiny).toEqual({ cpuMilli: 25, memoryBytes: 250 * MIB });
  });

  it('bumps memory after an OOM kill to max(used + 100 MiB, used × 1.2), used = max(request, peak)', () => {
    // Seven days of peaks at 5e8, then an OOM on the eighth day with a 600 MiB request:
    // used = max(629,145,600, 5e8) = 629,145,600; needed = max(734,003,200, 754,974,720) = 754,974,720 bytes.
    // Window weights double each day (1, 2, … 128; total 255): the older seven weigh 127 < 0.9 × 255, so p90 is in
    // the OOM peak's bucket: floor(ln(754,974,720 · 0.05 / 1e7 + 1) / ln 1.05) = 32; start(33) = 2e8 · (1.05^33 − 1)
    // = 800,637,708; × 1.15 = 920,733,365 bytes → 879 MiB.
    const memory: Sample[] = [];
    for (let d = 0; d < 8; d++) memory.push({ at: T0 + d * DAY, value: 5e8 });
    const h = history({
      cpu: [{ at: T0, value: 0.2 }],
      memory,
      ooms: [{ at: T0 + 7 * DAY + HOUR, requestBytes: 600 * MIB }],
    });
    const { r, oom } = vpaTarget(h);
    expect(r.memoryBytes).toBe(879 * MIB);
    expect(oom).toEqual({ seen: 1, bumps: 1, loop: false });
  });
});

describe('the OOM-bump loop guard', () => {
  /** A container killed every hour, each time with the request raised to the last recommendation (as if applied). */
  function killedRepeatedly(guardOomLoop: boolean): { first: number; last: number; loop: boolean } {
    const vpa = new VpaRecommender({ guardOomLoop });
    let request = 600 * MIB;
    vpa.addMemory(T0, 5e8);
    vpa.addCpu(T0, 0.2, 0.5);
    let first = 0;
    for (let k = 1; k <= 10; k++) {
      vpa.recordOom(T0 + k * HOUR, request);
      request = vpa.target({ cpuMilli: 500, memoryBytes: request }).memoryBytes;
      if (k === 1) first = request;
    }
    return { first, last: request, loop: vpa.oom.loop };
  }

  it('without the guard, ten kills compound the bump (×1.2 each) into several times the memory', () => {
    const r = killedRepeatedly(false);
    expect(r.last / r.first).toBeGreaterThan(4);
    expect(r.loop).toBe(false);
  });

  it('with the guard, bumps are counted from the first kill’s request, at most two, and the loop is reported', () => {
    const r = killedRepeatedly(true);
    // Both bumps start from 600 MiB: needed = 600 MiB × 1.2 = 720 MiB each time, so the figure does not climb.
    expect(r.last).toBe(r.first);
    // The same figure as one kill's (the worked example above, before rounding): 920,733,365 bytes, however many
    // kills follow.
    expect(Math.round(r.last)).toBe(920_733_365);
    expect(r.loop).toBe(true);
    const notes = recommend(
      {
        component: 'leaky',
        replicas: 1,
        current: { cpuMilli: 500, memoryBytes: 600 * MIB },
        stepMs: MIN,
        cpu: [{ at: T0, value: 0.2 }],
        memory: [{ at: T0, value: 5e8 }],
        ooms: Array.from({ length: 5 }, (_, k) => ({ at: T0 + (k + 1) * HOUR, requestBytes: 600 * MIB * 1.2 ** k })),
      },
      { cpuCoreHour: 0.2, memoryGiBHour: 0.03 },
      T0 + DAY,
    ).notes;
    expect(notes.map((n) => n.code)).toContain('RightsizingOomLoop');
  });
});

describe("Crane's percentile profile, the risk and the saving", () => {
  it('takes the 99th percentile of 168 h and adds 15%', () => {
    // Use 0.01 … 1.00 cores: nearest rank ⌈0.99 × 100⌉ = 99 → 0.99 core; × 1.15 = 1.1385 cores.
    const samples = Array.from({ length: 100 }, (_, i) => ({ at: T0 + i * MIN, value: (i + 1) / 100 }));
    expect(
      percentile(
        samples.map((s) => s.value),
        0.99,
      ),
    ).toBe(0.99);
    expect(percentileProfile(samples, T0 + 100 * MIN)).toBeCloseTo(1.1385, 10);
    // Samples older than 168 h do not count.
    expect(
      percentileProfile(
        [{ at: T0, value: 9 }, ...samples.map((s) => ({ ...s, at: s.at + 8 * DAY }))],
        T0 + 8 * DAY + 100 * MIN,
      ),
    ).toBeCloseTo(1.1385, 10);
  });

  it('counts the minutes a request would have been short on the component’s own history', () => {
    const samples = Array.from({ length: 100 }, (_, i) => ({ at: T0 + i * 5 * MIN, value: (i + 1) / 100 }));
    // 0.95 core: samples 0.96 … 1.00 are above: 5 samples × 5 minutes = 25 of 500 minutes.
    expect(riskOf(samples, 0.95, 5 * MIN)).toEqual({ violationMinutes: 25, minutes: 500, share: 0.05 });
  });

  it('prices requests by the month: 3 replicas of 2 cores and 4 GiB at 0.2 and 0.03 yuan an hour', () => {
    // (2 × 0.2 + 4 × 0.03) × 3 × 730 h = 0.52 × 3 × 730 = 1138.80 yuan
    expect(
      monthlyCost({ cpuMilli: 2000, memoryBytes: 4 * 2 ** 30 }, 3, { cpuCoreHour: 0.2, memoryGiBHour: 0.03 }),
    ).toBe(1138.8);
  });

  it('recommends the cheaper profile whose risk is at most 1%, with its saving', () => {
    // 0.1 core 95% of the minutes, spikes of 1.0 core 5%: the VPA's p90 + 15% (end of 0.1's bucket × 1.15 = 127m)
    // is short 5% of the time, the p99 profile (1.0 × 1.15 = 1150m) never: polis recommends the percentile profile.
    const cpu = Array.from({ length: 1000 }, (_, i) => ({ at: T0 + i * MIN, value: i % 100 < 95 ? 0.1 : 1.0 }));
    const rec = recommend(
      history({ cpu, replicas: 2, current: { cpuMilli: 4000, memoryBytes: 512 * MIB } }),
      { cpuCoreHour: 0.2, memoryGiBHour: 0 },
      T0 + 1000 * MIN,
    );
    expect(rec.vpa.cpuMilli).toBe(127);
    expect(rec.vpa.risk.share).toBeCloseTo(0.05, 10);
    expect(rec.recommended.profile).toBe('percentile');
    expect(rec.recommended.cpuMilli).toBe(1150);
    expect(rec.recommended.risk.violationMinutes).toBe(0);
    // (4 − 1.15) cores × 0.2 yuan × 2 replicas × 730 h = 832.20 yuan a month
    expect(rec.savingYuanPerMonth).toBeCloseTo(832.2, 2);
    expect(rec.notes.map((n) => n.code)).toEqual(['RightsizingNoMemoryHistory']);
  });
});
