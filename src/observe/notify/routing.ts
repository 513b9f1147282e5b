import { nextFire, parseCron } from '../../kernel/cron.ts';
import type { StoredObject } from '../../resources/envelope.ts';
import { PLATFORM_SPACE } from '../alerts/alert-kinds.ts';
import { parseDuration } from '../alerts/duration.ts';
import type { Notice } from './notice.ts';
import type { ChannelSpec, SilenceSpec } from './notify-kinds.ts';

/** Whether a silence holds at `now`: between startsAt and endsAt, or inside a maintenance window. */
export function silenceActive(spec: SilenceSpec, now: number): boolean {
  if (spec.startsAt && Date.parse(spec.startsAt) > now) return false;
  if (spec.endsAt && Date.parse(spec.endsAt) <= now) return false;
  if (!spec.maintenance) return true;
  const duration = parseDuration(spec.maintenance.duration);
  if (duration === undefined) return false;
  try {
    // The window that began last, at or after now − duration, holds if it began by now.
    const start = nextFire(parseCron(spec.maintenance.schedule), now - duration - 1, spec.maintenance.timeZone);
    return start !== undefined && start <= now;
  } catch {
    return false;
  }
}

/** Whether a silence (of the department `space`, or the platform's) matches the notice. */
export function silenceMatches(space: string, spec: SilenceSpec, n: Notice): boolean {
  if (space !== PLATFORM_SPACE && n.tenant !== space) return false;
  const m = spec.matchers;
  return (
    (m.department === undefined || m.department === n.tenant) &&
    (m.application === undefined || m.application === n.labels.app) &&
    (m.component === undefined || m.component === n.labels.component) &&
    (m.cluster === undefined || m.cluster === n.labels.cluster) &&
    (m.rule === undefined || m.rule === n.rule) &&
    (m.severity === undefined || m.severity === n.severity)
  );
}

/** The first silence in force that matches, as `tenant/name`. */
export function silencedBy(silences: readonly StoredObject[], n: Notice, now: number): string | undefined {
  const s = silences.find(
    (o) =>
      silenceActive(o.spec as SilenceSpec, now) && silenceMatches(o.metadata.tenant ?? '', o.spec as SilenceSpec, n),
  );
  return s ? `${s.metadata.tenant}/${s.metadata.name}` : undefined;
}

/**
 * Whether a channel takes the notice. A department's channels take its own notices; the platform space's take the
 * platform's (a cluster's) and those of the departments in `route.departments` (`*`: all). Then severity (default
 * page and ticket), owner (default any) and whether resolutions are sent (default yes).
 */
export function channelTakes(space: string, spec: ChannelSpec, n: Notice): boolean {
  const r = spec.route ?? {};
  if (space === PLATFORM_SPACE) {
    if (n.tenant !== undefined && !(r.departments ?? []).some((d) => d === '*' || d === n.tenant)) return false;
  } else if (n.tenant !== space) return false;
  if (!(r.severities ?? ['page', 'ticket']).includes(n.severity)) return false;
  if (r.owners && !r.owners.includes(n.owner)) return false;
  if (n.status === 'resolved' && r.resolved === false) return false;
  return true;
}
