import type { ComponentStatus } from '../../api/types.ts';
import { translate, type Lang } from '../../i18n/i18n.tsx';

/** The `Saturated` reason code with its parameters (signal, value, threshold, since), in the console's language. */
export function saturationReason(s: NonNullable<ComponentStatus['saturation']>, lang: Lang): string {
  const cpu = s.signal === 'cpu';
  const since = new Date(s.since);
  const hhmm = `${String(since.getHours()).padStart(2, '0')}:${String(since.getMinutes()).padStart(2, '0')}`;
  return translate(lang, cpu ? 'reason.Saturated.cpu' : 'reason.Saturated.latency', {
    value: cpu ? Math.round(s.value * 100) : Math.round(s.value),
    threshold: cpu ? Math.round(s.threshold * 100) : s.threshold,
    since: hhmm,
  });
}
