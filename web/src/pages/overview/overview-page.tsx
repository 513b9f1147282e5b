import { WarningOutlined } from '@ant-design/icons';
import { Card, Col, Empty, Flex, Progress, Row, Segmented, Statistic, Table, Tag, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import type { Cluster } from '../../api/types.ts';
import { Link } from '../../app/router.tsx';
import { useCan } from '../../auth/session.tsx';
import type { ChartOption } from '../../charts/chart.tsx';
import { Chart } from '../../charts/chart.tsx';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { HoverTooltip } from '../../components/hover-tooltip.tsx';
import { PlatformWarnings, ShareBar } from '../departments/department-share.tsx';
import { PageHeader } from '../../components/page.tsx';
import { SimpleList } from '../../components/simple-list.tsx';
import { HEALTH_HEX, LiveBadge, PHASE_COLOR, PhaseTag, phaseKey } from '../../components/status-tags.tsx';
import { eventTime, useApplicationSummary, useClusters, useNow, useRecentEvents, useUsage } from '../../data/hooks.ts';
import { formatBytes, formatCores, formatPercent, formatRelative, formatYuan, percentOf } from '../../format/format.ts';
import { localName, useI18n } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/i18n.tsx';
import { ClusterMap } from '../../topology/lazy.tsx';
import { capacityTotals, clustersBy, usageTotals } from './overview-model.ts';
import { useServerText } from '../../i18n/server-messages.ts';
import { attentionIncidents } from '../../observe/incident-model.ts';
import { useIncidentRows } from '../../observe/use-incidents.ts';
import { IncidentStateTag, VerdictTag } from '../incidents/incident-tags.tsx';

let marked = false;

/**
 * The data bureau's view (a department's, for its users): clusters by vendor, region and network zone with health,
 * capacity against requested and used, applications by health, consumption per department, recent events. All
 * live over the watch API.
 */
export function OverviewPage() {
  const { t, locale, lang } = useI18n();
  const st = useServerText();
  const can = useCan();
  const now = useNow(5000);
  const clusters = useClusters();
  // Sums from the server (issue 13): the overview lists no application.
  const apps = useApplicationSummary(can.canReadApplications);
  const events = useRecentEvents(12, can.canReadApplications);
  const usage = useUsage(apps.revision, can.canReadApplications);
  const [resource, setResource] = useState<'cpu' | 'memory'>('cpu');

  const ready = !clusters.loading && (!can.canReadApplications || !apps.loading);
  useEffect(() => {
    // For bench/console: the overview's first render with data.
    if (ready && !marked) {
      marked = true;
      performance.mark('polis:overview-ready');
    }
  }, [ready]);

  const totals = useMemo(() => capacityTotals(clusters.items), [clusters.items]);
  const perCluster = useMemo(
    () => Object.fromEntries((apps.summary?.clusters ?? []).map((c) => [c.cluster, c.replicas])),
    [apps.summary],
  );
  const phases = useMemo(() => apps.summary?.byPhase ?? {}, [apps.summary]);
  const attention = useMemo(
    () => (apps.summary?.attention ?? []).slice(0, 6).map((r) => ({ ...r, key: `${r.tenant}/${r.name}` })),
    [apps.summary],
  );
  const appCount = apps.summary?.total ?? 0;
  const incidents = useIncidentRows(can.canMonitor);
  const openIncidents = useMemo(() => attentionIncidents(incidents.rows, 5), [incidents.rows]);
  const money = useMemo(() => usageTotals(usage.items), [usage.items]);
  const deptCpu = useMemo(
    () =>
      usage.items.reduce(
        (a, u) => ({ requested: a.requested + u.requested.cpu, quota: a.quota + (u.quota.cpu ?? 0) }),
        { requested: 0, quota: 0 },
      ),
    [usage.items],
  );
  const readyClusters = clusters.items.filter((c) => c.status?.health === 'Ready').length;
  const healthyApps = apps.summary?.healthy ?? 0;

  const capacityOption = useMemo<ChartOption>(() => {
    const names = clusters.items.map((c) => c.metadata.name);
    const pick = (c: Cluster, k: 'allocatable' | 'requested' | 'used') =>
      resource === 'cpu' ? (c.status?.[k]?.cpuMilli ?? 0) / 1000 : (c.status?.[k]?.memoryBytes ?? 0) / 1024 ** 3;
    const unit = resource === 'cpu' ? t('unit.cores') : 'GiB';
    return {
      tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => `${Math.round(Number(v) * 10) / 10} ${unit}` },
      legend: { top: 0 },
      grid: { left: 48, right: 16, top: 36, bottom: 28 },
      xAxis: { type: 'category', data: names, axisLabel: { interval: 0, fontSize: 11 } },
      yAxis: { type: 'value', name: unit },
      series: [
        {
          name: t('overview.allocatable'),
          type: 'bar',
          data: clusters.items.map((c) => pick(c, 'allocatable')),
          itemStyle: { color: '#d6e4ff' },
        },
        {
          name: t('overview.requested'),
          type: 'bar',
          data: clusters.items.map((c) => pick(c, 'requested')),
          itemStyle: { color: '#1d4ed8' },
        },
        {
          name: t('overview.used'),
          type: 'bar',
          data: clusters.items.map((c) => pick(c, 'used')),
          itemStyle: { color: '#13c2c2' },
        },
      ],
    };
  }, [clusters.items, resource, t]);

  const healthOption = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'item' },
      legend: { bottom: 0, type: 'scroll' },
      series: [
        {
          type: 'pie',
          radius: ['45%', '70%'],
          center: ['50%', '45%'],
          label: { formatter: '{c}' },
          data: Object.entries(phases).map(([phase, n]) => ({
            name: t(phaseKey(phase)),
            value: n,
            itemStyle: { color: PHASE_COLOR[phase] ?? PHASE_COLOR.Unknown },
          })),
        },
      ],
    }),
    [phases, t],
  );

  const deptOption = useMemo<ChartOption>(() => {
    const items = [...usage.items].sort((a, b) => a.placed.cpu - b.placed.cpu);
    return {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      legend: { top: 0 },
      grid: { left: 96, right: 24, top: 32, bottom: 24 },
      xAxis: { type: 'value', name: t('unit.cores') },
      yAxis: { type: 'category', data: items.map((u) => localName(u.displayName, lang, u.tenant)) },
      series: [
        {
          name: t('departments.quota'),
          type: 'bar',
          data: items.map((u) => u.quota.cpu ?? 0),
          itemStyle: { color: '#f0f0f0' },
          barGap: '-100%',
        },
        {
          name: t('departments.requested'),
          type: 'bar',
          data: items.map((u) => u.requested.cpu),
          itemStyle: { color: '#91caff' },
          barGap: '-100%',
          barWidth: '40%',
        },
        {
          name: t('departments.placed'),
          type: 'bar',
          data: items.map((u) => u.placed.cpu),
          itemStyle: { color: '#1d4ed8' },
          barWidth: '20%',
        },
      ],
    };
  }, [usage.items, lang, t]);

  return (
    <div data-testid="overview">
      <PageHeader
        title={t('overview.title')}
        subtitle={can.allDepartments ? t('overview.subtitlePlatform') : t('overview.subtitleDepartment')}
        extra={<LiveBadge live={clusters.live && (!can.canReadApplications || apps.live)} />}
      />
      <ErrorAlert error={clusters.error ?? apps.error} />
      {can.allDepartments && <PlatformWarnings warnings={usage.warnings} />}
      <Row gutter={[16, 16]}>
        <Col xs={12} lg={6}>
          <Card>
            <Statistic
              title={t('overview.clusters')}
              value={readyClusters}
              suffix={`/ ${clusters.items.length} ${t('overview.ready')}`}
              loading={clusters.loading}
              data-testid="stat-clusters"
            />
          </Card>
        </Col>
        <Col xs={12} lg={6}>
          <Card>
            <Statistic
              title={t('overview.applications')}
              value={healthyApps}
              suffix={`/ ${appCount} ${t('overview.healthy')}`}
              loading={can.canReadApplications && apps.loading}
              data-testid="stat-applications"
            />
          </Card>
        </Col>
        <Col xs={12} lg={6}>
          {can.allDepartments || !can.canReadApplications ? (
            <Card>
              <Statistic
                title={t('overview.cpuRequested')}
                value={formatPercent(totals.allocatableCpu ? totals.requestedCpu / totals.allocatableCpu : 0, locale)}
                suffix={
                  <Typography.Text type="secondary" style={{ fontSize: 13 }}>
                    {formatCores(totals.requestedCpu, locale)} / {formatCores(totals.allocatableCpu, locale)}{' '}
                    {t('unit.cores')}
                  </Typography.Text>
                }
                loading={clusters.loading}
              />
              {totals.unreachable.clusters > 0 && (
                <Typography.Text type="warning" style={{ fontSize: 12 }} data-testid="stat-unreachable-capacity">
                  {t('overview.unreachableApart', {
                    clusters: totals.unreachable.clusters,
                    nodes: totals.unreachable.nodes,
                    requested: formatCores(totals.unreachable.requestedCpu, locale),
                    allocatable: formatCores(totals.unreachable.allocatableCpu, locale),
                  })}
                </Typography.Text>
              )}
            </Card>
          ) : (
            // A department's overview: its own quota use, never the city's capacity (本部门 means its figures only).
            <Card data-testid="stat-department-cpu">
              <Statistic
                title={t('overview.departmentCpu')}
                value={formatPercent(deptCpu.quota ? deptCpu.requested / deptCpu.quota : 0, locale)}
                suffix={
                  <Typography.Text type="secondary" style={{ fontSize: 13 }}>
                    {formatCores(deptCpu.requested, locale)} /{' '}
                    {deptCpu.quota ? formatCores(deptCpu.quota, locale) : '—'} {t('unit.cores')}
                  </Typography.Text>
                }
                loading={usage.loading}
              />
            </Card>
          )}
        </Col>
        <Col xs={12} lg={6}>
          <Card>
            <Statistic
              title={t('overview.costPerHour')}
              value={formatYuan(money.costPerHour, locale)}
              suffix={
                <Typography.Text type="secondary" style={{ fontSize: 13 }}>
                  {t('overview.burstReplicas', { n: money.burstReplicas })}
                  {money.unreachableReplicas > 0 &&
                    ` · ${t('overview.unreachableReplicas', { n: money.unreachableReplicas })}`}
                </Typography.Text>
              }
              loading={can.canReadApplications && usage.loading}
            />
          </Card>
        </Col>

        <Col xs={24} xl={14}>
          <Card title={t('overview.whereThingsRun')} extra={<Link to="/clusters">{t('common.all')}</Link>}>
            {clusters.items.length > 0 ? (
              // The map (xyflow) once the overview's figures are shown (issue 13: first render).
              <ClusterMap clusters={clusters.items} replicas={perCluster} height={300} deferUntil={ready} />
            ) : (
              <Empty />
            )}
            <Flex gap={24} wrap style={{ marginTop: 12 }}>
              {(['networkZone', 'region', 'vendor'] as const).map((dim) => (
                <div key={dim} data-testid={`clusters-by-${dim}`}>
                  <Typography.Text type="secondary">{t(`overview.by.${dim}` as MessageKey)}</Typography.Text>
                  <div>
                    {clustersBy(clusters.items, dim).map((g) => (
                      <HoverTooltip key={g.value} title={t('overview.readyOf', { ready: g.ready, total: g.total })}>
                        <Tag
                          color={g.ready === g.total ? 'success' : g.ready === 0 ? 'error' : 'warning'}
                          style={{ marginTop: 4 }}
                        >
                          {g.value} {g.ready}/{g.total}
                        </Tag>
                      </HoverTooltip>
                    ))}
                  </div>
                </div>
              ))}
            </Flex>
          </Card>
        </Col>
        <Col xs={24} xl={10}>
          <Card
            title={t('overview.applicationsByHealth')}
            extra={can.canReadApplications && <Link to="/applications">{t('common.all')}</Link>}
          >
            {appCount > 0 ? (
              <Chart option={healthOption} height={220} testId="chart-health" deferUntil={ready} />
            ) : (
              <Empty
                description={
                  apps.loading && can.canReadApplications ? t('common.loading') : t('overview.noApplications')
                }
              />
            )}
            <Typography.Text strong>{t('overview.needsAttention')}</Typography.Text>
            {can.canMonitor && (
              <SimpleList
                header={<Typography.Text type="secondary">{t('overview.openIncidents')}</Typography.Text>}
                empty={t('overview.noIncidents')}
                items={openIncidents}
                itemKey={(r) => r.key}
                loading={incidents.loading}
                testId="attention-incidents"
                render={(r) => (
                  <Flex justify="space-between" align="center" gap={8}>
                    <Link to={`/incidents/${r.tenant}/${r.name}`} data-testid={`attention-incident-${r.name}`}>
                      <span data-server-text>{st.text(r.reason) || r.name}</span>
                    </Link>
                    <Flex gap={4}>
                      <VerdictTag kind={r.verdictKind} />
                      <IncidentStateTag state={r.state} />
                    </Flex>
                  </Flex>
                )}
              />
            )}
            <SimpleList
              header={<Typography.Text type="secondary">{t('overview.unhealthyApps')}</Typography.Text>}
              empty={t('overview.allHealthy')}
              items={attention}
              itemKey={(r) => r.key}
              testId="needs-attention"
              render={(r) => (
                <Flex justify="space-between" align="center">
                  <span>
                    <Link to={`/applications/${r.tenant}/${r.name}`}>
                      {r.tenant}/{r.name}
                    </Link>
                    <Typography.Text type="secondary" style={{ marginLeft: 8 }}>
                      {r.ready}/{r.desired}
                    </Typography.Text>
                  </span>
                  <PhaseTag phase={r.phase} />
                </Flex>
              )}
            />
          </Card>
        </Col>

        <Col xs={24} xl={12}>
          <Card
            title={t('overview.capacity')}
            extra={
              <Segmented<'cpu' | 'memory'>
                size="small"
                value={resource}
                onChange={setResource}
                options={[
                  { label: t('common.cpu'), value: 'cpu' },
                  { label: t('common.memory'), value: 'memory' },
                ]}
              />
            }
          >
            <Chart option={capacityOption} height={260} testId="chart-capacity" deferUntil={ready} />
            <Flex gap={24} wrap>
              <Typography.Text type="secondary">
                {t('common.cpu')}:{' '}
                {t('overview.usedOfRequested', {
                  used: formatCores(totals.usedCpu, locale),
                  requested: formatCores(totals.requestedCpu, locale),
                })}
              </Typography.Text>
              <Typography.Text type="secondary">
                {t('common.memory')}: {formatBytes(totals.requestedMemory, locale)} /{' '}
                {formatBytes(totals.allocatableMemory, locale)}
              </Typography.Text>
            </Flex>
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card title={t('overview.consumption')} extra={<Link to="/departments">{t('common.all')}</Link>}>
            <ErrorAlert error={usage.error} compact />
            {usage.items.length > 0 && (
              <Chart
                option={deptOption}
                height={Math.max(180, usage.items.length * 36 + 60)}
                testId="chart-departments"
                deferUntil={ready}
              />
            )}
            <Table
              size="small"
              rowKey="tenant"
              pagination={false}
              dataSource={usage.items}
              loading={usage.loading && can.canReadApplications}
              data-testid="consumption-table"
              columns={[
                {
                  title: t('common.department'),
                  render: (_, u) => (
                    <Link to={`/departments/${u.tenant}`}>{localName(u.displayName, lang, u.tenant)}</Link>
                  ),
                },
                {
                  title: t('departments.cpuPlacedOfQuota'),
                  render: (_, u) => (
                    <HoverTooltip
                      title={`${formatCores(u.placed.cpu, locale)} / ${u.quota.cpu ?? '∞'} ${t('unit.cores')}`}
                    >
                      <Progress percent={percentOf(u.placed.cpu, u.quota.cpu)} size="small" style={{ minWidth: 100 }} />
                    </HoverTooltip>
                  ),
                },
                {
                  title: t('share.ofGuarantee'),
                  render: (_, u) => <ShareBar sharing={u.sharing} compact testId={`overview-share-${u.tenant}`} />,
                },
                { title: t('departments.replicas'), render: (_, u) => u.placed.replicas },
                {
                  title: t('overview.costPerHour'),
                  align: 'right',
                  render: (_, u) => formatYuan(u.costPerHour, locale),
                },
              ]}
            />
          </Card>
        </Col>

        <Col xs={24}>
          <Card title={t('overview.recentEvents')}>
            <SimpleList
              items={events.items}
              itemKey={(e) => `${e.metadata.tenant}/${e.metadata.name}`}
              loading={events.loading && can.canReadApplications}
              empty={t('overview.noEvents')}
              testId="recent-events"
              render={(e) => (
                <Flex gap={8} align="baseline" style={{ width: '100%' }}>
                  {e.spec.type === 'Warning' ? (
                    <WarningOutlined style={{ color: HEALTH_HEX.Suspect }} />
                  ) : (
                    <span style={{ width: 14, display: 'inline-block' }} />
                  )}
                  <Tag color={e.spec.type === 'Warning' ? 'warning' : 'default'}>{st.reason(e.spec.reason)}</Tag>
                  <Link
                    to={`/applications/${e.metadata.tenant}/${e.spec.involvedObject.name}`}
                    style={{ whiteSpace: 'nowrap' }}
                  >
                    {e.metadata.tenant}/{e.spec.involvedObject.name}
                  </Link>
                  <Typography.Text
                    ellipsis={{ tooltip: st.text(e.spec) }}
                    style={{ flex: 1, minWidth: 0 }}
                    data-server-text
                  >
                    {st.text(e.spec)}
                  </Typography.Text>
                  <Typography.Text type="secondary" style={{ whiteSpace: 'nowrap' }}>
                    {formatRelative(eventTime(e), now, locale)}
                  </Typography.Text>
                </Flex>
              )}
            />
          </Card>
        </Col>
      </Row>
    </div>
  );
}
