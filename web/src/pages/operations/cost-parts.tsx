import { Card, Empty, Flex, Progress, Segmented, Statistic, Table, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import type { ChartOption } from '../../charts/chart.tsx';
import { Chart } from '../../charts/chart.tsx';
import { useDisplayName } from '../../data/names.ts';
import { formatPercent } from '../../format/format.ts';
import type { MessageKey } from '../../i18n/i18n.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import type { BillDimension } from './cost-model.ts';
import { BUDGET_COLOR, budgetUse, formatFen, groupBill, trendSeries } from './cost-model.ts';
import type { Bill, BillLine, BudgetObject } from './operations-api.ts';

const ITEMS = new Set([
  'cpu',
  'memory',
  'storage',
  'fixed',
  'premium',
  'idle',
  'shared',
  'marketplace',
  'marketplace-credit',
]);

/** How a group or line's key reads: items and vendors by name, an empty application or cluster as "(none)". */
export function useBillKeyText(): (by: BillDimension, key: string) => string {
  const { t } = useI18n();
  const name = useDisplayName();
  return (by, key) => {
    if (by === 'item') return ITEMS.has(key) ? t(`cost.item.${key}` as MessageKey) : key;
    if (key === '') return t('cost.none');
    if (by === 'vendor') return name('vendor', key);
    return key;
  };
}

/** A budget's use as a bar: red with the figure at 100% or more, amber from 80%. */
export function BudgetBar(props: { budget: BudgetObject; spentFen: number }) {
  const { t } = useI18n();
  const { percent, level } = budgetUse(props.spentFen, props.budget.spec.amount);
  const amountFen = Math.round(props.budget.spec.amount * 100);
  return (
    <div data-testid={`budget-${props.budget.metadata.name}`} data-level={level} data-percent={percent}>
      <Flex justify="space-between" wrap gap={8}>
        <Typography.Text>
          {t('cost.budgetOf', {
            name: props.budget.metadata.name,
            spent: formatFen(props.spentFen),
            amount: formatFen(amountFen),
          })}
        </Typography.Text>
        {level === 'exceeded' && (
          <Typography.Text type="danger" strong data-testid="budget-state">
            {t('cost.budgetExceeded', { percent })}
          </Typography.Text>
        )}
        {level === 'warning' && (
          <Typography.Text type="warning" data-testid="budget-state">
            {t('cost.budgetWarning', { percent })}
          </Typography.Text>
        )}
      </Flex>
      <Progress
        percent={Math.min(100, percent)}
        strokeColor={BUDGET_COLOR[level]}
        status={level === 'exceeded' ? 'exception' : 'normal'}
        format={() => `${percent}%`}
      />
    </div>
  );
}

/** A department's bill: totals, lines grouped by one dimension (the lines under each group), budgets, the trend. */
export function BillView(props: { bill: Bill; budgets: readonly BudgetObject[]; departmentName: string }) {
  const { t, locale } = useI18n();
  const keyText = useBillKeyText();
  const [by, setBy] = useState<BillDimension>('app');
  const { bill } = props;
  const grouped = useMemo(() => groupBill(bill.lines, by), [bill.lines, by]);
  const lineColumns = (['app', 'cluster', 'vendor', 'item'] as const)
    .filter((d) => d !== by)
    .map((d) => ({
      key: d,
      title: t(`cost.by.${d}` as MessageKey),
      render: (_: unknown, l: BillLine) => (d === 'item' ? <ItemTag item={l.item} /> : keyText(d, l[d])),
    }));
  return (
    <Flex vertical gap={16}>
      <Card size="small" title={t('cost.billTitle', { department: props.departmentName, month: bill.month })}>
        <Flex gap={48} wrap>
          <div data-testid="bill-total" data-fen={bill.totalFen}>
            <Statistic title={t('cost.monthToDate')} value={formatFen(bill.totalFen)} />
          </div>
          <div data-testid="bill-forecast" data-fen={bill.forecastFen}>
            <Statistic title={t('cost.forecast')} value={formatFen(bill.forecastFen)} />
          </div>
          <Statistic
            title={t('ops.month')}
            value={t('cost.closedDays', { closed: bill.closedDays, days: bill.daysInMonth })}
          />
        </Flex>
      </Card>
      <Card size="small" title={t('cost.budgets')}>
        {props.budgets.length === 0 ? (
          <Typography.Text type="secondary">{t('cost.noBudget')}</Typography.Text>
        ) : (
          <Flex vertical gap={8}>
            {props.budgets.map((b) => (
              <BudgetBar key={b.metadata.name} budget={b} spentFen={bill.totalFen} />
            ))}
          </Flex>
        )}
      </Card>
      <Card
        size="small"
        title={t('cost.groupBy')}
        extra={
          <Segmented<BillDimension>
            data-testid="bill-group-by"
            value={by}
            onChange={setBy}
            options={(['app', 'cluster', 'vendor', 'item'] as const).map((d) => ({
              value: d,
              label: t(`cost.by.${d}` as MessageKey),
            }))}
          />
        }
      >
        {bill.lines.length === 0 ? (
          <Empty description={t('ops.noData')} />
        ) : (
          <Table
            data-testid="bill-groups"
            size="small"
            pagination={false}
            rowKey="key"
            dataSource={grouped.groups}
            columns={[
              {
                key: 'key',
                title: t(`cost.by.${by}` as MessageKey),
                render: (_, g) => (by === 'item' ? <ItemTag item={g.key} /> : keyText(by, g.key)),
              },
              {
                key: 'fen',
                title: t('cost.amount'),
                align: 'right',
                render: (_, g) => <span data-fen={g.fen}>{formatFen(g.fen)}</span>,
              },
              {
                key: 'share',
                title: t('cost.share'),
                align: 'right',
                render: (_, g) => formatPercent(g.share, locale),
              },
            ]}
            expandable={{
              expandedRowRender: (g) => (
                <Table
                  size="small"
                  pagination={false}
                  rowKey={(l) => `${l.app}/${l.cluster}/${l.item}`}
                  dataSource={[...g.lines]}
                  columns={[
                    ...lineColumns,
                    { key: 'fen', title: t('cost.amount'), align: 'right', render: (_, l) => formatFen(l.fen) },
                  ]}
                />
              ),
            }}
            summary={() => (
              <Table.Summary.Row>
                <Table.Summary.Cell index={0} />
                <Table.Summary.Cell index={1}>
                  <Typography.Text strong>{t('cost.total')}</Typography.Text>
                </Table.Summary.Cell>
                <Table.Summary.Cell index={2} align="right">
                  <Typography.Text strong data-testid="bill-groups-total" data-fen={grouped.totalFen}>
                    {formatFen(grouped.totalFen)}
                  </Typography.Text>
                </Table.Summary.Cell>
                <Table.Summary.Cell index={3} />
              </Table.Summary.Row>
            )}
          />
        )}
      </Card>
      <Card size="small" title={t('cost.trend')}>
        <TrendChart bill={bill} />
      </Card>
    </Flex>
  );
}

function TrendChart(props: { bill: Bill }) {
  const { t } = useI18n();
  const option = useMemo<ChartOption>(() => {
    const s = trendSeries(props.bill);
    return {
      tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (typeof v === 'number' ? `¥${v.toFixed(2)}` : '-') },
      legend: { top: 0, data: [t('cost.daily'), t('cost.cumulative'), t('cost.forecastLine')] },
      grid: { left: 64, right: 64, top: 40, bottom: 28 },
      xAxis: { type: 'category', data: s.days.map((d) => d.slice(5)) },
      // Daily cost on its own axis (right): beside the month to date its bars would be too small to read.
      yAxis: [
        { type: 'value', axisLabel: { formatter: '¥{value}' } },
        { type: 'value', axisLabel: { formatter: '¥{value}' }, splitLine: { show: false } },
      ],
      series: [
        { name: t('cost.daily'), type: 'bar', yAxisIndex: 1, data: s.daily, itemStyle: { color: '#91caff' } },
        {
          name: t('cost.cumulative'),
          type: 'line',
          data: s.cumulative,
          showSymbol: false,
          itemStyle: { color: '#1677ff' },
        },
        {
          name: t('cost.forecastLine'),
          type: 'line',
          data: s.forecast,
          showSymbol: false,
          lineStyle: { type: 'dashed' },
          itemStyle: { color: '#faad14' },
        },
      ],
    };
  }, [props.bill, t]);
  return <Chart option={option} height={260} testId="cost-trend" />;
}

/** An item label as a tag (shared and idle stand out). */
function ItemTag(props: { item: string }) {
  const text = useBillKeyText()('item', props.item);
  const color = props.item === 'idle' ? 'orange' : props.item === 'shared' ? 'purple' : undefined;
  return <Tag color={color}>{text}</Tag>;
}
