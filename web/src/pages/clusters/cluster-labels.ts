import type { I18n } from '../../i18n/i18n.tsx';

export function networkZoneLabel(zone: string, t: I18n['t']): string {
  if (zone === 'e-gov-extranet') return t('networkZone.e-gov-extranet');
  if (zone === 'internet') return t('networkZone.internet');
  return zone;
}
