import { Tag } from 'antd';
import { useI18n } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/i18n.tsx';
import { STATE_COLOR, STATE_KEY, VERDICT_COLOR, verdictKey } from '../../observe/incident-model.ts';
import type { IncidentState } from '../../observe/types.ts';

/** 基础设施 / 应用 / 共享依赖 (or undetermined), coloured. */
export function VerdictTag(props: { kind: string | undefined; testId?: string }) {
  const { t } = useI18n();
  return (
    <Tag color={VERDICT_COLOR[props.kind ?? 'undetermined']} data-testid={props.testId} data-verdict={props.kind}>
      {t(verdictKey(props.kind))}
    </Tag>
  );
}

export function IncidentStateTag(props: { state: IncidentState; testId?: string }) {
  const { t } = useI18n();
  return (
    <Tag color={STATE_COLOR[props.state]} data-testid={props.testId} data-state={props.state}>
      {t(STATE_KEY[props.state])}
    </Tag>
  );
}

const ALERT_STATE_COLOR: Record<string, string> = { firing: 'red', pending: 'gold', resolved: 'green' };
const SEVERITY_COLOR: Record<string, string> = { page: 'red', ticket: 'orange', info: 'default' };

export function AlertStateTag(props: { state: string }) {
  const { t } = useI18n();
  const key = `alerts.state.${props.state}` as MessageKey;
  return <Tag color={ALERT_STATE_COLOR[props.state] ?? 'default'}>{t(key)}</Tag>;
}

export function SeverityTag(props: { severity: string }) {
  const { t } = useI18n();
  const key = `alerts.severity.${props.severity}` as MessageKey;
  return <Tag color={SEVERITY_COLOR[props.severity] ?? 'default'}>{t(key)}</Tag>;
}
