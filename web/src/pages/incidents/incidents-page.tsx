import { Flex, Switch, Table, Tabs, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { paths } from '../../api/paths.ts';
import { Link, navigate, useSearchParam } from '../../app/router.tsx';
import { useCan } from '../../auth/session.tsx';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { PageHeader } from '../../components/page.tsx';
import { LiveBadge } from '../../components/status-tags.tsx';
import { useFetch, useNow } from '../../data/hooks.ts';
import { useDisplayName } from '../../data/names.ts';
import { formatDateTime } from '../../format/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useServerText } from '../../i18n/server-messages.ts';
import type { AlertRow, IncidentRow } from '../../observe/incident-model.ts';
import { alertRows, shortName } from '../../observe/incident-model.ts';
import { useIncidentRows } from '../../observe/use-incidents.ts';
import type { AlertItem } from '../../observe/types.ts';
import { AlertStateTag, IncidentStateTag, SeverityTag, VerdictTag } from './incident-tags.tsx';

/**
 * 告警与事件: incidents (one per cause, with the verdict and who should act) and the alerts (firing, pending,
 * recently resolved; inhibited and silenced ones marked, never hidden), of the departments the user reads.
 */
export function IncidentsPage() {
  const { t, locale } = useI18n();
  const st = useServerText();
  const can = useCan();
  const name = useDisplayName();
  const [tab, setTab] = useSearchParam('tab');
  const [showResolved, setShowResolved] = useState(false);
  const incidents = useIncidentRows(can.canMonitor);
  const tick = useNow(15_000);
  const alerts = useFetch<{ items: AlertItem[] }>(paths.allAlerts, [tick], 5000);
  const alertList = useMemo(() => alertRows(alerts.data?.items ?? []), [alerts.data]);
  const shown = showResolved ? incidents.rows : incidents.rows.filter((r) => r.state !== 'resolved');

  const incidentTable = (
    <>
      <Flex justify="end" align="center" gap={8} style={{ marginBottom: 8 }}>
        <span>{t('incidents.showResolved')}</span>
        <Switch checked={showResolved} onChange={setShowResolved} data-testid="show-resolved" />
      </Flex>
      <ErrorAlert error={incidents.error} />
      <Table<IncidentRow>
        data-testid="incident-table"
        rowKey="key"
        size="middle"
        loading={incidents.loading && incidents.rows.length === 0}
        dataSource={shown}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        locale={{ emptyText: t('incidents.none') }}
        onRow={(r) => ({
          onClick: () => navigate(`/incidents/${r.tenant}/${r.name}`),
          style: { cursor: 'pointer' },
          'data-testid': `incident-row-${r.name}`,
        })}
        columns={[
          {
            key: 'state',
            title: t('incidents.col.state'),
            width: 96,
            render: (_, r) => <IncidentStateTag state={r.state} testId={`incident-state-${r.name}`} />,
          },
          {
            key: 'verdict',
            title: t('incidents.col.verdict'),
            width: 120,
            render: (_, r) => (
              <>
                <VerdictTag kind={r.verdictKind} testId={`incident-verdict-${r.name}`} />
                {!r.final && <Typography.Text type="secondary">{t('incidents.provisional')}</Typography.Text>}
              </>
            ),
          },
          {
            key: 'reason',
            title: t('incidents.col.reason'),
            render: (_, r) => (
              <Link to={`/incidents/${r.tenant}/${r.name}`} data-testid={`incident-link-${r.name}`}>
                <span data-server-text>{st.text(r.reason) || (r.culprit ? shortName(r.culprit) : r.name)}</span>
              </Link>
            ),
          },
          {
            key: 'owner',
            title: t('incidents.col.owner'),
            width: 220,
            render: (_, r) => <span data-server-text>{st.text(r.owner)}</span>,
          },
          ...(can.readableDepartments === 'all' || can.readableDepartments.length > 1
            ? [
                {
                  key: 'tenant',
                  title: t('incidents.col.department'),
                  width: 120,
                  render: (_: unknown, r: IncidentRow) => name('tenant', r.tenant),
                },
              ]
            : []),
          {
            key: 'at',
            title: t('incidents.col.onset'),
            width: 170,
            render: (_, r) => formatDateTime(r.at, locale),
          },
          { key: 'symptoms', title: t('incidents.col.symptoms'), width: 72, dataIndex: 'symptoms' },
        ]}
      />
    </>
  );

  const alertTable = (
    <>
      <ErrorAlert error={alerts.error} />
      <Table<AlertRow>
        data-testid="alert-table"
        rowKey="key"
        size="middle"
        loading={alerts.loading && !alerts.data}
        dataSource={alertList}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        locale={{ emptyText: t('incidents.noAlerts') }}
        onRow={(r) => ({ 'data-testid': `alert-row-${r.rule}` }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          {
            key: 'state',
            title: t('alerts.col.state'),
            width: 96,
            render: (_, r) => <AlertStateTag state={r.state} />,
          },
          {
            key: 'severity',
            title: t('alerts.col.severity'),
            width: 80,
            render: (_, r) => <SeverityTag severity={r.severity} />,
          },
          { key: 'rule', title: t('alerts.col.rule'), dataIndex: 'rule', width: 200 },
          {
            key: 'target',
            title: t('alerts.col.target'),
            render: (_, r) => (
              <>
                {r.tenant ? name('tenant', r.tenant) : t('alerts.platform')}
                {r.target && <Typography.Text type="secondary"> · {r.target}</Typography.Text>}
              </>
            ),
          },
          {
            key: 'message',
            title: t('alerts.col.message'),
            render: (_, r) => (
              <Flex vertical gap={2}>
                <span data-server-text>
                  {r.description ? r.description[locale === 'en' ? 'en' : 'zh'] : st.text(r.message)}
                </span>
                {r.inhibitedBy && (
                  <Tag color="purple" data-testid="alert-inhibited">
                    {t('alerts.inhibited', { cluster: r.inhibitedBy })}
                  </Tag>
                )}
                {r.silencedBy && (
                  <Tag color="default" data-testid="alert-silenced">
                    {t('alerts.silenced', { silence: r.silencedBy })}
                  </Tag>
                )}
              </Flex>
            ),
          },
          {
            key: 'since',
            title: t('alerts.col.since'),
            width: 170,
            render: (_, r) => formatDateTime(r.since, locale),
          },
        ]}
      />
    </>
  );

  return (
    <div data-testid="incidents">
      <PageHeader
        title={t('incidents.title')}
        subtitle={t('incidents.subtitle')}
        extra={<LiveBadge live={incidents.live} />}
      />
      <Tabs
        activeKey={tab === 'alerts' ? 'alerts' : 'incidents'}
        onChange={(k) => setTab(k === 'incidents' ? undefined : k)}
        items={[
          {
            key: 'incidents',
            label: <span data-testid="tab-incidents">{t('incidents.tab.incidents')}</span>,
            children: incidentTable,
          },
          {
            key: 'alerts',
            label: (
              <span data-testid="tab-alerts">
                {t('incidents.tab.alerts')} ({alertList.filter((a) => a.state === 'firing').length})
              </span>
            ),
            children: alertTable,
          },
        ]}
      />
    </div>
  );
}
