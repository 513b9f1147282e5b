import { Badge, Tag } from 'antd';
import type { ClusterHealth } from '../api/types.ts';
import type { MessageKey } from '../i18n/i18n.tsx';
import { useI18n } from '../i18n/i18n.tsx';

const HEALTH_COLOR: Record<string, string> = {
  Ready: 'success',
  Suspect: 'warning',
  Unreachable: 'error',
  PermissionDenied: 'error',
  Unknown: 'default',
};

/** Colours of application phases, shared with charts so that a slice and a tag of one phase look alike. */
export const PHASE_COLOR: Record<string, string> = {
  Running: '#52c41a',
  Progressing: '#1677ff',
  Pending: '#faad14',
  Suspended: '#722ed1',
  Degraded: '#fa8c16',
  Failed: '#f5222d',
  Deleting: '#8c8c8c',
  Unknown: '#bfbfbf',
};

export const HEALTH_HEX: Record<string, string> = {
  Ready: '#52c41a',
  Suspect: '#faad14',
  Unreachable: '#f5222d',
  PermissionDenied: '#cf1322',
  Unknown: '#bfbfbf',
};

export function phaseKey(phase: string | undefined): MessageKey {
  switch (phase) {
    case 'Running':
      return 'phase.Running';
    case 'Progressing':
      return 'phase.Progressing';
    case 'Pending':
      return 'phase.Pending';
    case 'Suspended':
      return 'phase.Suspended';
    case 'Degraded':
      return 'phase.Degraded';
    case 'Failed':
      return 'phase.Failed';
    case 'Deleting':
      return 'phase.Deleting';
    case 'Succeeded':
      return 'phase.Succeeded';
    default:
      return 'phase.Unknown';
  }
}

export function healthKey(health: string | undefined): MessageKey {
  switch (health) {
    case 'Ready':
      return 'health.Ready';
    case 'Suspect':
      return 'health.Suspect';
    case 'Unreachable':
      return 'health.Unreachable';
    case 'PermissionDenied':
      return 'health.PermissionDenied';
    default:
      return 'health.Unknown';
  }
}

export function HealthTag(props: { health: ClusterHealth | string | undefined }) {
  const { t } = useI18n();
  const h = props.health ?? 'Unknown';
  return (
    <Tag color={HEALTH_COLOR[h] ?? 'default'} data-health={h}>
      {t(healthKey(h))}
    </Tag>
  );
}

export function PhaseTag(props: { phase: string | undefined }) {
  const { t } = useI18n();
  const p = props.phase ?? 'Unknown';
  return (
    <Tag color={PHASE_COLOR[p] ?? PHASE_COLOR.Unknown} data-phase={p}>
      {t(phaseKey(p))}
    </Tag>
  );
}

/** A dot saying whether the page's data is live (the watch is connected) or reconnecting. */
export function LiveBadge(props: { live: boolean }) {
  const { t } = useI18n();
  return (
    <Badge
      status={props.live ? 'processing' : 'default'}
      text={
        <span style={{ color: '#8c8c8c', fontSize: 12 }}>
          {props.live ? t('common.live') : t('common.reconnecting')}
        </span>
      }
      data-testid="live-badge"
      data-live={props.live}
    />
  );
}

export function RoleTag(props: { role: string }) {
  const { t } = useI18n();
  const key = `role.${props.role}` as MessageKey;
  const color =
    props.role === 'platform-admin'
      ? 'geekblue'
      : props.role === 'tenant-admin'
        ? 'blue'
        : props.role === 'auditor'
          ? 'purple'
          : 'default';
  return <Tag color={color}>{t(key) === key ? props.role : t(key)}</Tag>;
}
