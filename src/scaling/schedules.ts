import { nextFire, parseCron, type CronSchedule } from '../kernel/cron.ts';

/** A scheduled window, as the `autoscaling` policy carries it. */
export interface ScalingSchedule {
  readonly name?: string;
  /** Five-field cron of the window's start, read in `timezone` (UTC when absent). */
  readonly cron: string;
  readonly timezone?: string;
  readonly durationMinutes: number;
  /** The floor while the window is open. */
  readonly minReplicas: number;
}

export interface ScheduledFloor {
  /** The highest minReplicas of the windows open at `now`; 0 when none is open. */
  readonly floor: number;
  /** The window that sets the floor: its name, or its cron and time zone. */
  readonly window?: string;
  /** When that window closes (epoch ms). */
  readonly until?: number;
}

/**
 * The replica floor that schedules set at `now` (epoch ms). A window opens at each fire time of its cron (in its
 * time zone) and stays open for `durationMinutes`: open at `now` when it fired in (now − duration, now]. The floor is
 * the highest minReplicas of the open windows (on a tie, the one that stays open longer). Schedules only raise the floor; the
 * metric decision may go higher. Throws InputError for a cron that does not parse (admission has refused those).
 */
export function scheduledFloor(schedules: readonly ScalingSchedule[], now: number): ScheduledFloor {
  let best: ScheduledFloor = { floor: 0 };
  for (const s of schedules) {
    const durationMs = s.durationMinutes * 60_000;
    const fired = nextFire(parsed(s.cron), now - durationMs, s.timezone);
    if (fired === undefined || fired > now) continue;
    const until = fired + durationMs;
    if (
      best.window === undefined ||
      s.minReplicas > best.floor ||
      (s.minReplicas === best.floor && until > best.until!)
    ) {
      best = { floor: s.minReplicas, window: label(s), until };
    }
  }
  return best;
}

function label(s: ScalingSchedule): string {
  return s.name ?? `${s.cron}${s.timezone ? ` ${s.timezone}` : ' UTC'} for ${s.durationMinutes} min`;
}

// Parsing is pure, so its result can be kept; schedules are few and rarely change.
const cache = new Map<string, CronSchedule>();

function parsed(expression: string): CronSchedule {
  let c = cache.get(expression);
  if (c === undefined) {
    c = parseCron(expression, 'schedules[].cron');
    if (cache.size > 1000) cache.clear();
    cache.set(expression, c);
  }
  return c;
}
