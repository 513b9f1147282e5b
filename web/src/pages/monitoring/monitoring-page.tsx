import { Flex, Select, Tabs, Typography } from 'antd';
import { useMemo } from 'react';
import { paths } from '../../api/paths.ts';
import { useSearchParam } from '../../app/router.tsx';
import { useCan } from '../../auth/session.tsx';
import { PageHeader } from '../../components/page.tsx';
import { useApplicationRows, useClusters } from '../../data/hooks.ts';
import { useDisplayName } from '../../data/names.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import type { Range } from '../../observe/history-model.ts';
import { CLUSTER_SIGNALS, COMPONENT_SIGNALS, NODE_SIGNALS, isRange } from '../../observe/history-model.ts';
import { DepartmentTopology } from './department-topology.tsx';
import { ChartGrid, HistoryChart, RangePicker } from './history-chart.tsx';

/**
 * 监控: the golden signals over a chosen range, from the history API. Applications and components of the
 * departments the user reads; department sums; and, for platform-wide readers, clusters and their nodes.
 */
export function MonitoringPage() {
  const { t } = useI18n();
  const can = useCan();
  const name = useDisplayName();
  const [tabParam, setTab] = useSearchParam('tab');
  const [rangeParam, setRange] = useSearchParam('range');
  const [tenantParam, setTenant] = useSearchParam('department');
  const [app, setApp] = useSearchParam('app');
  const [cluster, setCluster] = useSearchParam('cluster');
  const range: Range = isRange(rangeParam) ? rangeParam : '1h';
  const rows = useApplicationRows(can.canMonitor);
  const clusters = useClusters();

  const departments = useMemo(() => [...new Set(rows.rows.map((r) => r.tenant))].sort(), [rows.rows]);
  const tenant = tenantParam ?? departments[0];
  const apps = useMemo(
    () =>
      rows.rows
        .filter((r) => r.tenant === tenant)
        .map((r) => r.name)
        .sort(),
    [rows.rows, tenant],
  );
  const tab =
    tabParam === 'departments' || tabParam === 'topology' || (tabParam === 'clusters' && can.canReadPlatformHistory)
      ? tabParam
      : 'applications';

  const topology = tenant && (
    <>
      <Flex gap={12} wrap style={{ marginBottom: 12 }} align="center">
        <span>{t('monitoring.department')}</span>
        <Select
          data-testid="topology-department"
          style={{ minWidth: 180 }}
          value={tenant}
          onChange={(v: string) => setTenant(v)}
          options={departments.map((d) => ({ value: d, label: name('tenant', d) }))}
        />
      </Flex>
      <DepartmentTopology tenant={tenant} />
    </>
  );

  const appCharts = tenant && (
    <>
      <Flex gap={12} wrap style={{ marginBottom: 12 }} align="center">
        <span>{t('monitoring.department')}</span>
        <Select
          data-testid="monitor-department"
          style={{ minWidth: 180 }}
          value={tenant}
          onChange={(v: string) => {
            setApp(undefined);
            setTenant(v);
          }}
          options={departments.map((d) => ({ value: d, label: name('tenant', d) }))}
        />
        <span>{t('monitoring.application')}</span>
        <Select
          data-testid="monitor-app"
          style={{ minWidth: 240 }}
          value={app ?? ''}
          onChange={(v: string) => setApp(v || undefined)}
          options={[
            { value: '', label: t('monitoring.allApplications') },
            ...apps.map((a) => ({ value: a, label: a })),
          ]}
        />
      </Flex>
      <ChartGrid>
        {COMPONENT_SIGNALS.map((s) => (
          <HistoryChart
            key={`${tenant}/${app ?? ''}/${s.signal}`}
            signal={s}
            range={range}
            groupBy={app ? 'component' : 'app'}
            total
            path={(signal, r) => paths.tenantHistory(tenant, { signal, range: r, app })}
            testId={`chart-${s.signal}`}
          />
        ))}
      </ChartGrid>
    </>
  );

  const departmentCharts = can.canReadPlatformHistory ? (
    <>
      <Typography.Paragraph type="secondary">{t('monitoring.departmentSums')}</Typography.Paragraph>
      <ChartGrid>
        {COMPONENT_SIGNALS.map((s) => (
          <HistoryChart
            key={s.signal}
            signal={s}
            range={range}
            groupBy="tenant"
            label={(d) => name('tenant', d)}
            path={(signal, r) => paths.platformHistory({ signal, range: r })}
            testId={`dept-chart-${s.signal}`}
          />
        ))}
      </ChartGrid>
    </>
  ) : (
    tenant && (
      <>
        <Typography.Paragraph type="secondary">{t('monitoring.ownDepartmentSums')}</Typography.Paragraph>
        <ChartGrid>
          {COMPONENT_SIGNALS.map((s) => (
            <HistoryChart
              key={`${tenant}/${s.signal}`}
              signal={s}
              range={range}
              groupBy="app"
              totalOnly={name('tenant', tenant)}
              path={(signal, r) => paths.tenantHistory(tenant, { signal, range: r })}
              testId={`dept-chart-${s.signal}`}
            />
          ))}
        </ChartGrid>
      </>
    )
  );

  const clusterCharts = can.canReadPlatformHistory && (
    <>
      <ChartGrid>
        {CLUSTER_SIGNALS.map((s) => (
          <HistoryChart
            key={s.signal}
            signal={s}
            range={range}
            groupBy="cluster"
            path={(signal, r) => paths.platformHistory({ signal, range: r })}
            testId={`cluster-chart-${s.signal}`}
          />
        ))}
      </ChartGrid>
      <Flex gap={12} align="center" style={{ margin: '16px 0 12px' }}>
        <span>{t('monitoring.cluster')}</span>
        <Select
          data-testid="monitor-cluster"
          style={{ minWidth: 200 }}
          value={cluster}
          placeholder={t('monitoring.pickCluster')}
          onChange={(v: string) => setCluster(v)}
          options={clusters.items.map((c) => ({ value: c.metadata.name, label: c.metadata.name }))}
        />
      </Flex>
      {cluster && (
        <ChartGrid>
          {NODE_SIGNALS.map((s) => (
            <HistoryChart
              key={`${cluster}/${s.signal}`}
              signal={s}
              range={range}
              groupBy="node"
              path={(signal, r) => paths.platformHistory({ signal, range: r, cluster })}
              testId={`node-chart-${s.signal}`}
            />
          ))}
        </ChartGrid>
      )}
    </>
  );

  return (
    <div data-testid="monitoring">
      <PageHeader
        title={t('monitoring.title')}
        subtitle={can.allDepartments ? t('monitoring.subtitlePlatform') : t('monitoring.subtitleDepartment')}
        extra={<RangePicker value={range} onChange={(r) => setRange(r === '1h' ? undefined : r)} />}
      />
      <Tabs
        activeKey={tab}
        onChange={(k) => setTab(k === 'applications' ? undefined : k)}
        destroyOnHidden
        items={[
          { key: 'applications', label: t('monitoring.tab.applications'), children: appCharts },
          { key: 'departments', label: t('monitoring.tab.departments'), children: departmentCharts },
          { key: 'topology', label: t('monitoring.tab.topology'), children: topology },
          ...(can.canReadPlatformHistory
            ? [{ key: 'clusters', label: t('monitoring.tab.clusters'), children: clusterCharts }]
            : []),
        ]}
      />
    </div>
  );
}
