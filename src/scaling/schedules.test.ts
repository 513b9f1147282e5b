import { describe, expect, it } from 'vitest';
import { InputError } from '../kernel/errors.ts';
import { scheduledFloor, type ScalingSchedule } from './schedules.ts';

const at = (iso: string) => new Date(iso).getTime();

// Weekday mornings in Shanghai (UTC+8, no daylight saving): 09:00–11:00 local is 01:00–03:00 UTC.
const morning: ScalingSchedule = {
  name: 'morning-rush',
  cron: '0 9 * * 1-5',
  timezone: 'Asia/Shanghai',
  durationMinutes: 120,
  minReplicas: 12,
};

describe('scheduledFloor', () => {
  it('opens a window at the cron fire in its time zone and closes it after the duration', () => {
    // 2026-03-02 is a Monday.
    expect(scheduledFloor([morning], at('2026-03-02T00:59:59Z'))).toEqual({ floor: 0 });
    expect(scheduledFloor([morning], at('2026-03-02T01:00:00Z'))).toEqual({
      floor: 12,
      window: 'morning-rush',
      until: at('2026-03-02T03:00:00Z'),
    });
    expect(scheduledFloor([morning], at('2026-03-02T02:59:59.999Z')).floor).toBe(12);
    expect(scheduledFloor([morning], at('2026-03-02T03:00:00Z'))).toEqual({ floor: 0 });
  });

  it('follows the weekdays of the time zone, not of UTC', () => {
    // Saturday 09:30 in Shanghai is Saturday 01:30 UTC: closed; the next Monday: open.
    expect(scheduledFloor([morning], at('2026-03-07T01:30:00Z')).floor).toBe(0);
    expect(scheduledFloor([morning], at('2026-03-09T01:30:00Z')).floor).toBe(12);
    // Monday 07:00 in Shanghai is Sunday 23:00 UTC.
    const early: ScalingSchedule = {
      cron: '0 7 * * MON',
      timezone: 'Asia/Shanghai',
      durationMinutes: 60,
      minReplicas: 5,
    };
    expect(scheduledFloor([early], at('2026-03-08T23:30:00Z'))).toEqual({
      floor: 5,
      window: '0 7 * * MON Asia/Shanghai for 60 min',
      until: at('2026-03-09T00:00:00Z'),
    });
    // Monday 23:30 UTC is Tuesday 07:30 in Shanghai: closed.
    expect(scheduledFloor([early], at('2026-03-09T23:30:00Z')).floor).toBe(0);
  });

  it('reads the schedule in UTC without a time zone', () => {
    const utc: ScalingSchedule = { cron: '0 9 * * *', durationMinutes: 30, minReplicas: 3 };
    expect(scheduledFloor([utc], at('2026-03-02T09:10:00Z'))).toEqual({
      floor: 3,
      window: '0 9 * * * UTC for 30 min',
      until: at('2026-03-02T09:30:00Z'),
    });
    expect(scheduledFloor([utc], at('2026-03-02T01:10:00Z')).floor).toBe(0);
  });

  it('keeps a window open across midnight', () => {
    const night: ScalingSchedule = {
      name: 'nightly-batch',
      cron: '0 23 * * *',
      timezone: 'Asia/Shanghai',
      durationMinutes: 180,
      minReplicas: 4,
    };
    // 01:00 Shanghai on the 3rd belongs to the window opened at 23:00 on the 2nd (15:00 UTC).
    expect(scheduledFloor([night], at('2026-03-02T17:00:00Z'))).toEqual({
      floor: 4,
      window: 'nightly-batch',
      until: at('2026-03-02T18:00:00Z'),
    });
  });

  it('takes the highest floor of the open windows', () => {
    const allDay: ScalingSchedule = {
      name: 'enrolment-week',
      cron: '0 0 * * *',
      timezone: 'Asia/Shanghai',
      durationMinutes: 24 * 60,
      minReplicas: 6,
    };
    const during = scheduledFloor([allDay, morning], at('2026-03-02T01:30:00Z'));
    expect(during).toMatchObject({ floor: 12, window: 'morning-rush' });
    const after = scheduledFloor([allDay, morning], at('2026-03-02T05:00:00Z'));
    expect(after).toMatchObject({ floor: 6, window: 'enrolment-week', until: at('2026-03-02T16:00:00Z') });
  });

  it('is a pure function of its arguments', () => {
    const now = at('2026-03-02T01:30:00Z');
    expect(scheduledFloor([morning], now)).toEqual(scheduledFloor([morning], now));
    expect(scheduledFloor([], now)).toEqual({ floor: 0 });
  });

  it('refuses a cron that does not parse, naming the field', () => {
    expect(() => scheduledFloor([{ ...morning, cron: '61 9 * * *' }], 0)).toThrow(InputError);
    expect(() => scheduledFloor([{ ...morning, cron: '61 9 * * *' }], 0)).toThrow(/minute: 61 is outside 0-59/);
  });
});
