import { Card, Col, Descriptions, Empty, Row, Steps, Table, Tag, Tooltip, Typography } from 'antd';
import { useEffect, useMemo, useRef, useState } from 'react';
import { api } from '../../api/client.ts';
import { paths } from '../../api/paths.ts';
import type { Application, ApplicationMetrics, ComponentStatus, Condition } from '../../api/types.ts';
import { Link } from '../../app/router.tsx';
import type { ChartOption } from '../../charts/chart.tsx';
import { Chart } from '../../charts/chart.tsx';
import { PhaseTag } from '../../components/status-tags.tsx';
import { useClusters, useNow } from '../../data/hooks.ts';
import { exclusionsOf } from '../../data/exclusions.ts';
import { formatDateTime, formatNumber, formatPercent, formatRelative } from '../../format/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { PlacementView } from '../../topology/placement-view.tsx';
import { saturationReason } from './saturation-reason.ts';
import { AppSharing } from '../departments/department-share.tsx';
import { useServerText } from '../../i18n/server-messages.ts';

interface Sample {
  at: number;
  rps: number;
  cpu: number;
}

/** Golden signals, polled every 5 s while the tab is open, with the last few minutes kept for a chart. */
function useMetrics(tenant: string, name: string) {
  const [data, setData] = useState<ApplicationMetrics>();
  const history = useRef<Sample[]>([]);
  const [, bump] = useState(0);
  useEffect(() => {
    let stop = false;
    const ctrl = new AbortController();
    const read = async () => {
      try {
        const m = await api<ApplicationMetrics>(paths.appMetrics(tenant, name), { signal: ctrl.signal });
        if (stop) return;
        setData(m);
        const rps = m.components.reduce((a, c) => a + (c.signals?.requestsPerSecond ?? 0), 0);
        const cpus = m.components.map((c) => c.signals?.cpuUtilization).filter((x): x is number => x !== undefined);
        history.current = [...history.current, { at: Date.now(), rps, cpu: cpus.length ? Math.max(...cpus) : 0 }].slice(
          -60,
        );
        bump((n) => n + 1);
      } catch {
        // No metrics source (sandbox off, Prometheus unset): the tab shows status without signals.
      }
    };
    void read();
    const t = setInterval(read, 5000);
    return () => {
      stop = true;
      ctrl.abort();
      clearInterval(t);
    };
  }, [tenant, name]);
  return { data, history: history.current };
}

export function AppStatusTab(props: { app: Application }) {
  const { t, locale } = useI18n();
  const st = useServerText();
  const now = useNow(5000);
  const clusters = useClusters();
  const app = props.app;
  const s = app.status;
  const tenant = app.metadata.tenant!;
  const metrics = useMetrics(tenant, app.metadata.name);
  const components = s?.components ?? [];

  const metricsOption = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 48, right: 48, top: 32, bottom: 24 },
      xAxis: { type: 'time' },
      yAxis: [
        { type: 'value', name: t('app.rps') },
        { type: 'value', name: 'CPU', axisLabel: { formatter: (v: number) => `${Math.round(v * 100)}%` } },
      ],
      series: [
        {
          name: t('app.rps'),
          type: 'line',
          showSymbol: false,
          data: metrics.history.map((x) => [x.at, Math.round(x.rps * 10) / 10]),
        },
        {
          name: t('app.cpuUtilization'),
          type: 'line',
          yAxisIndex: 1,
          showSymbol: false,
          data: metrics.history.map((x) => [x.at, x.cpu]),
        },
      ],
    }),
    [metrics.history, t],
  );

  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} xl={14}>
        <Card title={t('app.placement')} size="small">
          {components.length > 0 ? (
            <PlacementView components={components} clusters={clusters.items} />
          ) : (
            <Empty description={t('app.notPlacedYet')} />
          )}
        </Card>
      </Col>
      <Col xs={24} xl={10}>
        <Card title={t('app.conditions')} size="small" style={{ marginBottom: 16 }}>
          <Table
            size="small"
            pagination={false}
            rowKey="type"
            dataSource={[...(s?.conditions ?? [])]}
            columns={[
              { title: t('common.type'), dataIndex: 'type' },
              {
                title: t('common.status'),
                dataIndex: 'status',
                render: (v: string) => (
                  <Tag color={v === 'True' ? 'success' : v === 'False' ? 'error' : 'default'}>{v}</Tag>
                ),
              },
              {
                title: t('common.reason'),
                dataIndex: 'reason',
                render: (r: string | undefined, c: Condition) => (
                  <Tooltip title={st.text(c)}>
                    <span data-testid={`condition-${c.type}`}>{st.reason(r)}</span>
                  </Tooltip>
                ),
              },
              {
                title: t('common.since'),
                dataIndex: 'lastTransitionTime',
                render: (v: string) => (
                  <Tooltip title={formatDateTime(v, locale)}>{formatRelative(v, now, locale)}</Tooltip>
                ),
              },
            ]}
          />
        </Card>
        {(s?.failover || s?.pendingRemoval || s?.scaling?.components || (s?.workflow?.steps?.length ?? 0) > 1) && (
          <Card size="small" title={t('app.lifecycle')}>
            <Descriptions
              size="small"
              column={1}
              items={[
                ...(s?.failover
                  ? [
                      {
                        key: 'failover',
                        label: t('app.failover'),
                        children: (
                          <span data-testid="app-failover">
                            {t('app.failoverFrom', { clusters: (s.failover.origins ?? []).join(', ') })}{' '}
                            <Tag color="orange">
                              {s.failover.phase === 'failing-back' ? t('app.failingBack') : t('app.failedOver')}
                            </Tag>
                            {s.failover.at && formatRelative(String(s.failover.at), now, locale)}
                          </span>
                        ),
                      },
                    ]
                  : []),
                ...(s?.pendingRemoval
                  ? [{ key: 'pending', label: t('app.pendingRemoval'), children: s.pendingRemoval.join(', ') }]
                  : []),
                ...(s?.scaling?.components
                  ? [
                      {
                        key: 'scaling',
                        label: t('app.autoscaler'),
                        children: Object.entries(s.scaling.components).map(([c, x], i) => (
                          <span key={c}>
                            {i > 0 && ' · '}
                            <Tooltip title={st.text({ code: x.code, params: x.params, message: x.reason })}>
                              {`${c}: ${x.desired}`}
                            </Tooltip>
                          </span>
                        )),
                      },
                    ]
                  : []),
              ]}
            />
            {s?.workflow?.steps && s.workflow.steps.length > 1 && (
              <Steps
                size="small"
                style={{ marginTop: 8 }}
                items={s.workflow.steps.map((st) => ({
                  title: st.name,
                  description: st.type,
                  status:
                    st.phase === 'succeeded'
                      ? 'finish'
                      : st.phase === 'running'
                        ? 'process'
                        : st.phase === 'suspending'
                          ? 'wait'
                          : 'wait',
                }))}
              />
            )}
          </Card>
        )}
      </Col>
      <Col xs={24}>
        <Card title={t('app.components')} size="small">
          <ComponentsTable components={components} />
        </Card>
      </Col>
      {s?.sharing && (
        <Col xs={24}>
          <Card title={t('share.appTitle')} size="small">
            <AppSharing sharing={s.sharing} />
          </Card>
        </Col>
      )}
      <Col xs={24}>
        <Card
          title={t('app.liveSignals')}
          size="small"
          extra={metrics.data?.source && <Tag>{metrics.data.source}</Tag>}
        >
          {metrics.data ? (
            <Row gutter={16}>
              <Col xs={24} lg={12}>
                <Table
                  size="small"
                  pagination={false}
                  rowKey="component"
                  dataSource={[...metrics.data.components]}
                  columns={[
                    { title: t('app.component'), dataIndex: 'component' },
                    { title: t('app.rps'), render: (_, c) => formatNumber(c.signals?.requestsPerSecond ?? 0, locale) },
                    {
                      title: t('app.cpuUtilization'),
                      render: (_, c) =>
                        c.signals?.cpuUtilization !== undefined ? formatPercent(c.signals.cpuUtilization, locale) : '—',
                    },
                    {
                      title: 'p99',
                      render: (_, c) =>
                        c.signals?.latencyP99Ms !== undefined
                          ? `${formatNumber(c.signals.latencyP99Ms, locale, 0)} ms`
                          : '—',
                    },
                    { title: t('app.readyPods'), render: (_, c) => c.signals?.readyPods ?? 0 },
                  ]}
                />
              </Col>
              <Col xs={24} lg={12}>
                {metrics.history.length > 1 ? (
                  <Chart option={metricsOption} height={200} />
                ) : (
                  <Typography.Text type="secondary">{t('common.loading')}</Typography.Text>
                )}
              </Col>
            </Row>
          ) : (
            <Empty description={t('app.noSignals')} />
          )}
        </Card>
      </Col>
    </Row>
  );
}

function ComponentsTable(props: { components: readonly ComponentStatus[] }) {
  const { t, lang } = useI18n();
  const st = useServerText();
  return (
    <Table
      size="small"
      pagination={false}
      rowKey="name"
      dataSource={[...props.components]}
      data-testid="components-table"
      expandable={{
        defaultExpandAllRows: true,
        expandedRowRender: (c) => (
          <Table
            size="small"
            pagination={false}
            rowKey={(x) => x.cluster}
            data-testid={`placement-${c.name}`}
            dataSource={[
              ...c.clusters.map((x) => ({
                ...x,
                placed: true,
                why: x.reason
                  ? `${st.reason(x.reason)}${x.message ? `: ${st.text(x.detail ?? { message: x.message })}` : ''}`
                  : st.text(x.detail ?? { message: x.message }),
              })),
              ...exclusionsOf(c).map((x) => ({
                cluster: x.cluster,
                placed: false,
                desiredReplicas: 0,
                readyReplicas: 0,
                phase: '',
                why: st.text({ code: x.code, params: x.params, message: x.reason }),
              })),
            ]}
            columns={[
              {
                title: t('common.cluster'),
                dataIndex: 'cluster',
                render: (v: string, x) => (
                  <span data-testid={`placement-row-${c.name}-${v}`} data-placed={x.placed}>
                    <Link to={`/clusters/${v}`}>{v}</Link>
                  </span>
                ),
              },
              {
                title: t('app.replicas'),
                render: (_, x) => (x.placed ? `${x.readyReplicas}/${x.desiredReplicas}` : '—'),
              },
              {
                title: t('common.status'),
                render: (_, x) => (x.placed ? <PhaseTag phase={x.phase} /> : <Tag>{t('app.excluded')}</Tag>),
              },
              {
                title: t('app.reason'),
                dataIndex: 'why',
                render: (v?: string) => (
                  <Typography.Text type="secondary" data-server-text>
                    {v ?? ''}
                  </Typography.Text>
                ),
              },
            ]}
          />
        ),
      }}
      columns={[
        { title: t('app.component'), dataIndex: 'name' },
        {
          title: t('common.status'),
          dataIndex: 'phase',
          render: (p: string, c) => (
            <>
              <PhaseTag phase={p} />
              {c.reason === 'Saturated' && c.saturation && (
                <Typography.Text type="warning" data-testid={`saturated-${c.name}`}>
                  {saturationReason(c.saturation, lang)}
                </Typography.Text>
              )}
            </>
          ),
        },
        {
          title: t('app.readyReplicas'),
          render: (_, c) =>
            c.workload
              ? t('app.runs', {
                  last: c.runs?.lastResult ? t(`app.run${c.runs.lastResult}`) : t('app.runNone'),
                  next: c.runs?.nextScheduleTime ?? '—',
                })
              : `${c.readyReplicas}/${c.desiredReplicas}`,
        },
        { title: t('app.unplaced'), render: (_, c) => c.unplaced ?? 0 },
        {
          title: t('nav.clusters'),
          render: (_, c) =>
            c.clusters.map((x) => (
              <Tag key={x.cluster}>
                {x.cluster} ×{x.desiredReplicas}
              </Tag>
            )),
        },
      ]}
    />
  );
}
