import { Card, Col, Descriptions, Empty, Progress, Result, Row, Spin, Table, Tag, Tooltip, Typography } from 'antd';
import { useMemo } from 'react';
import type { Condition, Resources } from '../../api/types.ts';
import { Link } from '../../app/router.tsx';
import { useCan } from '../../auth/session.tsx';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { PageHeader } from '../../components/page.tsx';
import { HealthTag, LiveBadge, PhaseTag } from '../../components/status-tags.tsx';
import type { AppRow } from '../../data/app-rows.ts';
import { useApplicationRows, useClusters, useNow } from '../../data/hooks.ts';
import {
  formatBytes,
  formatCores,
  formatDateTime,
  formatNumber,
  formatRelative,
  formatYuan,
  percentOf,
} from '../../format/format.ts';
import type { MessageKey } from '../../i18n/i18n.tsx';
import { localName, useI18n } from '../../i18n/i18n.tsx';
import { ClusterAdminActions } from './cluster-admin.tsx';
import { networkZoneLabel } from './cluster-labels.ts';
import { useServerText } from '../../i18n/server-messages.ts';

function CapacityRow(props: {
  label: string;
  allocatable: number;
  requested: number;
  used: number;
  format: (n: number) => string;
}) {
  const { t } = useI18n();
  return (
    <div style={{ marginBottom: 12 }}>
      <Typography.Text strong>{props.label}</Typography.Text>
      <Tooltip
        title={`${t('overview.requested')} ${props.format(props.requested)} · ${t('overview.used')} ${props.format(props.used)} · ${t('overview.allocatable')} ${props.format(props.allocatable)}`}
      >
        <Progress
          percent={percentOf(props.requested, props.allocatable)}
          success={{ percent: percentOf(props.used, props.allocatable) }}
          format={() => `${props.format(props.requested)} / ${props.format(props.allocatable)}`}
        />
      </Tooltip>
    </div>
  );
}

/** One cluster: health and conditions, heartbeat, nodes, capacity (allocatable, requested, used), what runs on it. */
export function ClusterDetailPage(props: { params: Record<string, string> }) {
  const name = props.params.name!;
  const { t, locale, lang } = useI18n();
  const can = useCan();
  const st = useServerText();
  const now = useNow(1000);
  const clusters = useClusters();
  const apps = useApplicationRows(can.canReadApplications);
  const c = clusters.items.find((x) => x.metadata.name === name);
  const onIt = useMemo(() => apps.rows.filter((r) => (r.clusters[name] ?? 0) > 0), [apps.rows, name]);

  if (!c) {
    if (clusters.loading) return <Spin size="large" style={{ display: 'block', margin: '120px auto' }} />;
    return clusters.error ? (
      <ErrorAlert error={clusters.error} />
    ) : (
      <Result
        status="404"
        title={t('clusters.notFound', { name })}
        extra={<Link to="/clusters">{t('nav.clusters')}</Link>}
      />
    );
  }
  const s = c.status;
  const r = (k: 'allocatable' | 'requested' | 'used'): Resources => s?.[k] ?? { cpuMilli: 0, memoryBytes: 0, pods: 0 };
  return (
    <div data-testid="cluster-detail">
      <PageHeader
        crumbs={[{ label: t('nav.clusters'), to: '/clusters' }, { label: name }]}
        title={
          <>
            {name} <HealthTag health={s?.health} />
          </>
        }
        subtitle={localName(c.spec.displayName, lang)}
        extra={
          <>
            {can.isPlatformAdmin && <ClusterAdminActions cluster={c} />}
            <LiveBadge live={clusters.live} />
          </>
        }
      />
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <Card title={t('clusters.about')} size="small">
            <Descriptions
              size="small"
              column={2}
              items={[
                { key: 'vendor', label: t('clusters.vendor'), children: c.spec.vendor },
                {
                  key: 'provider',
                  label: t('clusters.provider'),
                  children: c.spec.provider === 'simulated' ? t('clusters.simulated') : 'Kubernetes',
                },
                { key: 'region', label: t('clusters.region'), children: `${c.spec.region} / ${c.spec.zone}` },
                { key: 'nz', label: t('clusters.networkZone'), children: networkZoneLabel(c.spec.networkZone, t) },
                { key: 'role', label: t('clusters.role'), children: t(`role.cluster.${c.spec.role}` as MessageKey) },
                { key: 'version', label: t('clusters.version'), children: s?.version ?? '—' },
                {
                  key: 'labels',
                  label: t('admin.cluster.labels'),
                  span: 2,
                  children: (
                    <span data-testid="cluster-labels">
                      {Object.entries((c.metadata as { labels?: Record<string, string> }).labels ?? {}).map(
                        ([k, v]) => (
                          <Tag key={k}>
                            {k}={v}
                          </Tag>
                        ),
                      )}
                    </span>
                  ),
                },
                {
                  key: 'prices',
                  label: t('clusters.prices'),
                  children: c.spec.prices
                    ? `${formatYuan(c.spec.prices.cpuCoreHour ?? 0, locale)}/${t('unit.coreHour')} · ${formatYuan(c.spec.prices.memoryGiBHour ?? 0, locale)}/${t('unit.gibHour')}`
                    : '—',
                },
                {
                  key: 'heartbeat',
                  label: t('clusters.heartbeat'),
                  children: (
                    <Tooltip title={formatDateTime(s?.lastHeartbeat, locale)}>
                      <span data-testid="cluster-heartbeat">
                        {formatRelative(s?.lastHeartbeat, now, locale) || '—'}
                      </span>
                    </Tooltip>
                  ),
                },
                ...(c.spec.draining
                  ? [
                      {
                        key: 'draining',
                        label: t('clusters.draining'),
                        children: <Tag data-testid="cluster-draining">{t('clusters.drainingHelp')}</Tag>,
                      },
                    ]
                  : c.spec.cordoned
                    ? [
                        {
                          key: 'cordoned',
                          label: t('clusters.cordoned'),
                          children: <Tag data-testid="cluster-cordoned">{t('clusters.cordonedKeeps')}</Tag>,
                        },
                      ]
                    : []),
              ]}
            />
            {s?.message && <Typography.Paragraph type="warning">{s.message}</Typography.Paragraph>}
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card title={t('clusters.capacity')} size="small">
            <CapacityRow
              label={t('common.cpu')}
              allocatable={r('allocatable').cpuMilli / 1000}
              requested={r('requested').cpuMilli / 1000}
              used={r('used').cpuMilli / 1000}
              format={(n) => `${formatCores(n, locale)} ${t('unit.cores')}`}
            />
            <CapacityRow
              label={t('common.memory')}
              allocatable={r('allocatable').memoryBytes}
              requested={r('requested').memoryBytes}
              used={r('used').memoryBytes}
              format={(n) => formatBytes(n, locale)}
            />
            <CapacityRow
              label={t('clusters.pods')}
              allocatable={r('allocatable').pods}
              requested={r('requested').pods}
              used={r('used').pods}
              format={(n) => formatNumber(n, locale, 0)}
            />
            <Typography.Text type="secondary">{t('clusters.capacityLegend')}</Typography.Text>
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card title={t('clusters.nodes')} size="small">
            <Descriptions
              size="small"
              column={2}
              items={[
                {
                  key: 'ready',
                  label: t('clusters.nodesReady'),
                  children: (
                    <span data-testid="cluster-nodes">{s?.nodes ? `${s.nodes.ready}/${s.nodes.total}` : '—'}</span>
                  ),
                },
                ...(c.spec.simulation
                  ? [
                      {
                        key: 'shape',
                        label: t('clusters.nodeShape'),
                        children: `${c.spec.simulation.nodes} × ${c.spec.simulation.nodeCpu} ${t('unit.cores')} / ${c.spec.simulation.nodeMemory} / ${c.spec.simulation.nodePods} pods`,
                      },
                    ]
                  : []),
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card title={t('app.conditions')} size="small">
            <Table
              size="small"
              rowKey="type"
              pagination={false}
              dataSource={[...(s?.conditions ?? [])]}
              data-testid="cluster-conditions"
              columns={[
                { title: t('common.type'), dataIndex: 'type' },
                {
                  title: t('common.status'),
                  dataIndex: 'status',
                  render: (v: string) => (
                    <Tag color={v === 'True' ? 'success' : v === 'False' ? 'error' : 'default'}>{v}</Tag>
                  ),
                },
                { title: t('common.reason'), dataIndex: 'reason', render: (r?: string) => st.reason(r) },
                {
                  title: t('event.message'),
                  dataIndex: 'message',
                  render: (_: unknown, c: Condition) => <span data-server-text>{st.text(c)}</span>,
                },
                {
                  title: t('common.since'),
                  dataIndex: 'lastTransitionTime',
                  render: (v: string) => formatRelative(v, now, locale),
                },
              ]}
            />
          </Card>
        </Col>
        {can.canReadApplications && (
          <Col xs={24}>
            <Card title={t('clusters.applicationsOn', { n: onIt.length })} size="small">
              {onIt.length === 0 ? (
                <Empty description={t('clusters.nothingRuns')} />
              ) : (
                <Table<AppRow>
                  size="small"
                  rowKey="key"
                  dataSource={onIt}
                  pagination={{ pageSize: 20, hideOnSinglePage: true }}
                  data-testid="cluster-apps"
                  columns={[
                    {
                      title: t('common.name'),
                      render: (_, a) => <Link to={`/applications/${a.tenant}/${a.name}`}>{a.name}</Link>,
                    },
                    { title: t('common.department'), dataIndex: 'tenant' },
                    { title: t('common.health'), render: (_, a) => <PhaseTag phase={a.phase} /> },
                    { title: t('clusters.replicasHere'), render: (_, a) => a.clusters[name] ?? 0 },
                  ]}
                />
              )}
            </Card>
          </Col>
        )}
        {s?.pendingCleanup && s.pendingCleanup.length > 0 && (
          <Col xs={24}>
            <Card title={t('clusters.pendingCleanup')} size="small">
              {s.pendingCleanup.map((p) => (
                <Tag key={p.namespace}>
                  {p.tenant}/{p.app}
                </Tag>
              ))}
            </Card>
          </Col>
        )}
      </Row>
    </div>
  );
}
