import { Card, Empty, Segmented, Select } from 'antd';
import { useMemo, useState } from 'react';
import type { ChartOption } from '../../charts/chart.tsx';
import { Chart } from '../../charts/chart.tsx';
import { useCan } from '../../auth/session.tsx';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { PageHeader } from '../../components/page.tsx';
import { useFetch } from '../../data/hooks.ts';
import { useDisplayName } from '../../data/names.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/zh.ts';
import type { Utilization, UtilizationHistory } from './operations-api.ts';
import { opsPaths } from './operations-api.ts';
import { historyChart, utilizationSeries, type HistoryChart } from './utilization-model.ts';
import { useDepartmentChoice } from './use-operations.ts';

const WINDOWS = [6, 24, 72, 168];
const ALL = '*';
/** The metered ranges (the server draws up to two days per hour, longer ones per day). */
const RANGES = ['1h', '24h', '7d', '30d', '90d'] as const;

/**
 * 利用率 (issue 17 point 7): per department, CPU requested (placed now) and used over the window; for platform-wide
 * readers also per cluster its capacity and the requests placed on it (GET /api/v1/utilization).
 */
export function UtilizationPage() {
  const { t } = useI18n();
  const can = useCan();
  const name = useDisplayName();
  const [hours, setHours] = useState(24);
  const { departments, tenant, setTenant } = useDepartmentChoice();
  const [scope, setScope] = useState<string>(can.canReadCityCosts ? ALL : '');
  const chosen = scope === ALL ? undefined : scope || tenant;
  const path = scope === ALL ? opsPaths.utilization(hours) : chosen ? opsPaths.utilization(hours, chosen) : undefined;
  const data = useFetch<Utilization>(path, [hours], 0);
  const series = useMemo(() => (data.data ? utilizationSeries(data.data) : undefined), [data.data]);

  const deptOption = useMemo<ChartOption | undefined>(() => {
    if (!series) return undefined;
    return {
      tooltip: { trigger: 'axis' },
      legend: { type: 'scroll', top: 0 },
      grid: { left: 56, right: 24, top: 40, bottom: 28 },
      xAxis: { type: 'category', data: series.times },
      yAxis: { type: 'value', name: t('util.cores', { n: '' }).trim() },
      series: series.departments.flatMap((d) => [
        {
          name: `${name('tenant', d.tenant)} · ${t('util.used')}`,
          type: 'line',
          showSymbol: false,
          connectNulls: false,
          data: d.used,
        },
        {
          name: `${name('tenant', d.tenant)} · ${t('util.requested')}`,
          type: 'line',
          showSymbol: false,
          lineStyle: { type: 'dashed' },
          data: d.requested,
        },
      ]),
    };
  }, [series, name, t]);

  const clusterOption = useMemo<ChartOption | undefined>(() => {
    const clusters = data.data?.clusters;
    if (!clusters || clusters.length === 0) return undefined;
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 56, right: 24, top: 40, bottom: 28 },
      xAxis: { type: 'category', data: clusters.map((c) => c.cluster) },
      yAxis: { type: 'value', name: t('util.cores', { n: '' }).trim() },
      series: [
        { name: t('util.capacity'), type: 'bar', data: clusters.map((c) => c.capacity?.cpu ?? 0) },
        { name: t('util.requested'), type: 'bar', data: clusters.map((c) => c.requested.cpu) },
      ],
    };
  }, [data.data, t]);

  // Metered over time (GET …/utilization/history): requested, used and capacity (a department's quota, or the
  // clusters' allocatable for the city), CPU and memory.
  const [range, setRange] = useState<(typeof RANGES)[number]>('7d');
  const history = useFetch<UtilizationHistory>(
    scope === ALL
      ? opsPaths.utilizationHistory(range)
      : chosen
        ? opsPaths.utilizationHistory(range, chosen)
        : undefined,
    [range],
    0,
  );
  const historyOption = (resource: 'cpu' | 'memory'): ChartOption | undefined => {
    if (!history.data || history.data.intervals.length === 0) return undefined;
    const c: HistoryChart = historyChart(history.data, resource, scope === ALL ? undefined : chosen);
    const line = (key: MessageKey, data: (number | null)[], dashed = false) => ({
      name: t(key),
      type: 'line',
      showSymbol: data.length <= 31,
      connectNulls: false,
      ...(dashed ? { lineStyle: { type: 'dashed' } } : {}),
      data,
    });
    const capacity = c.capacity?.some((v) => v !== null) ? c.capacity : undefined;
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 56, right: 24, top: 40, bottom: 28 },
      xAxis: { type: 'category', data: c.labels },
      yAxis: { type: 'value', name: t(resource === 'cpu' ? 'util.coresUnit' : 'util.gibUnit') },
      series: [
        line('util.used', c.used),
        line('util.requested', c.requested),
        ...(capacity ? [line(scope === ALL ? 'util.capacity' : 'util.quota', capacity, true)] : []),
      ],
    };
  };
  const cpuHistory = historyOption('cpu');
  const memoryHistory = historyOption('memory');

  const scopeOptions = [
    ...(can.canReadCityCosts ? [{ value: ALL, label: t('common.all') }] : []),
    ...departments.map((d) => ({ value: d, label: name('tenant', d) })),
  ];
  return (
    <div data-testid="utilization-page">
      <PageHeader
        title={t('nav.utilization')}
        subtitle={t('util.subtitle')}
        extra={
          <>
            <Segmented<number>
              data-testid="util-hours"
              value={hours}
              onChange={setHours}
              options={WINDOWS.map((h) => ({ value: h, label: t('util.hoursValue', { n: h }) }))}
            />
            {scopeOptions.length > 1 && (
              <Select
                style={{ minWidth: 160 }}
                value={scope === ALL ? ALL : chosen}
                onChange={(v) => {
                  setScope(v);
                  if (v !== ALL) setTenant(v);
                }}
                options={scopeOptions}
              />
            )}
          </>
        }
      />
      <ErrorAlert error={data.error} />
      <Card size="small" title={t('util.departmentsTitle')} style={{ marginBottom: 16 }}>
        {deptOption ? <Chart option={deptOption} height={300} testId="util-departments" /> : <Empty />}
      </Card>
      <Card
        size="small"
        title={t('util.historyTitle')}
        style={{ marginBottom: 16 }}
        extra={
          <Segmented<(typeof RANGES)[number]>
            data-testid="util-range"
            value={range}
            onChange={setRange}
            options={RANGES.map((r) => ({ value: r, label: t(`util.range.${r}`) }))}
          />
        }
      >
        <ErrorAlert error={history.error} />
        {cpuHistory && memoryHistory ? (
          <>
            <Chart option={cpuHistory} height={260} testId="util-history-cpu" />
            <Chart option={memoryHistory} height={260} testId="util-history-memory" />
          </>
        ) : (
          <Empty />
        )}
      </Card>
      {clusterOption && (
        <Card size="small" title={t('util.clustersTitle')}>
          <Chart option={clusterOption} height={280} testId="util-clusters" />
        </Card>
      )}
    </div>
  );
}
