import { Card, Empty, Segmented, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useMemo } from 'react';
import { Chart } from '../../charts/chart.tsx';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { useFetch, useNow } from '../../data/hooks.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import type { ChartSignal, Range } from '../../observe/history-model.ts';
import {
  RANGES,
  chartLines,
  formatSignalValue,
  hasData,
  historyOption,
  latestValue,
} from '../../observe/history-model.ts';
import type { HistoryView } from '../../observe/types.ts';

/** The range picker of the monitoring views: 1 hour to 30 days. */
export function RangePicker(props: { value: Range; onChange: (r: Range) => void }) {
  const { t } = useI18n();
  return (
    <Segmented
      data-testid="range-picker"
      value={props.value}
      onChange={(v) => props.onChange(v as Range)}
      options={RANGES.map((r) => ({
        value: r,
        label: <span data-testid={`range-${r}`}>{t(`observe.range.${r}`)}</span>,
      }))}
    />
  );
}

/**
 * One signal's history as a line chart: a line per series (grouped by `groupBy`), the total when there are several.
 * Short ranges reload every 30 s (the history is written each minute).
 */
export function HistoryChart(props: {
  signal: ChartSignal;
  /** The history path without `signal` and `range` (they are added here). */
  path: (signal: string, range: Range) => string;
  range: Range;
  groupBy: string;
  total?: boolean;
  /** Only the total, under this name (a department's sums). */
  totalOnly?: string;
  label?: (value: string) => string;
  testId?: string;
  height?: number;
}) {
  const { t, locale } = useI18n();
  const tick = useNow(30_000);
  const refresh = props.range === '1h' || props.range === '6h' ? tick : 0;
  const r = useFetch<HistoryView>(props.path(props.signal.signal, props.range), [refresh], 5000);
  const lines = useMemo(
    () =>
      chartLines(r.data, {
        groupBy: props.groupBy,
        ...(props.total ? { total: t('observe.total') } : {}),
        ...(props.totalOnly !== undefined ? { totalOnly: props.totalOnly } : {}),
        ...(props.label ? { label: props.label } : {}),
      }),
    [r.data, props.groupBy, props.total, props.totalOnly, props.label, t],
  );
  const option = useMemo(() => historyOption(lines, props.signal.unit, locale), [lines, props.signal.unit, locale]);
  const latest = latestValue(r.data);
  return (
    <Card
      size="small"
      title={t(props.signal.title)}
      extra={
        <Typography.Text type="secondary" data-testid={props.testId ? `${props.testId}-latest` : undefined}>
          {formatSignalValue(latest, props.signal.unit, locale)}
        </Typography.Text>
      }
      data-testid={props.testId}
      data-series={r.data?.series.length ?? 0}
      data-loaded={r.data ? 'true' : 'false'}
    >
      <ErrorAlert error={r.error} compact />
      {r.data && !hasData(r.data) ? (
        <Empty
          image={Empty.PRESENTED_IMAGE_SIMPLE}
          description={t('observe.noData')}
          style={{ height: (props.height ?? 200) - 40 }}
        />
      ) : (
        <Chart option={option} height={props.height ?? 200} />
      )}
    </Card>
  );
}

/** Charts of several signals, two a row. */
export function ChartGrid(props: { children: ReactNode }) {
  return (
    <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(420px, 1fr))', gap: 12 }}>
      {props.children}
    </div>
  );
}
