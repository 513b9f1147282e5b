import { CheckCircleOutlined, CloseCircleOutlined, DownloadOutlined } from '@ant-design/icons';
import { Alert, Button, Card, DatePicker, Flex, Select, Spin, Statistic, Table, Typography } from 'antd';
import dayjs from 'dayjs';
import { useMemo, useState } from 'react';
import type { ApiError } from '../../api/api-error.ts';
import { useCan } from '../../auth/session.tsx';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { PageHeader } from '../../components/page.tsx';
import { useFetch } from '../../data/hooks.ts';
import { useDisplayName } from '../../data/names.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { BillView } from './cost-parts.tsx';
import { formatFen, reconcileByCluster } from './cost-model.ts';
import type { Bill, BillSummary, BudgetObject, ReconciliationItem } from './operations-api.ts';
import { opsPaths } from './operations-api.ts';
import { currentMonth, downloadWithToken, useDepartmentChoice } from './use-operations.ts';

/**
 * 费用 (issue 17 point 7): a department's monthly bill with its budgets, trend and forecast, exported to CSV or
 * XLSX through the bill route; for the data bureau also every department, the city total and the reconciliation
 * per cluster (allocations + idle + shared = total).
 */
export function CostPage() {
  const { t } = useI18n();
  const can = useCan();
  const name = useDisplayName();
  const [month, setMonth] = useState(currentMonth);
  const { departments, tenant, setTenant } = useDepartmentChoice();
  const bill = useFetch<Bill>(tenant ? opsPaths.bill(tenant, month) : undefined, [month], 0);
  const budgets = useFetch<{ items: BudgetObject[] }>(tenant ? opsPaths.budgets(tenant) : undefined, [], 0);
  const [exporting, setExporting] = useState<'csv' | 'xlsx'>();
  const [exported, setExported] = useState<string>();
  const [exportError, setExportError] = useState<ApiError>();

  const download = async (format: 'csv' | 'xlsx') => {
    if (!tenant) return;
    setExporting(format);
    setExportError(undefined);
    try {
      const file = await downloadWithToken(
        opsPaths.bill(tenant, month, format),
        `polis-bill-${tenant}-${month}.${format}`,
      );
      setExported(file);
    } catch (e) {
      setExportError(e as ApiError);
    } finally {
      setExporting(undefined);
    }
  };

  const shownBill = bill.data && bill.data.tenant === tenant && bill.data.month === month ? bill.data : undefined;
  return (
    <div data-testid="cost-page">
      <PageHeader
        title={t('nav.costs')}
        subtitle={
          can.canReadCityCosts
            ? t('cost.subtitleAll')
            : t('cost.subtitleDepartments', { departments: departments.map((d) => name('tenant', d)).join('、') })
        }
        extra={
          <>
            <DatePicker
              picker="month"
              allowClear={false}
              data-testid="cost-month"
              value={dayjs(`${month}-01`)}
              onChange={(d) => d && setMonth(d.format('YYYY-MM'))}
            />
            {departments.length > 1 && (
              <Select
                data-testid="cost-department"
                style={{ minWidth: 160 }}
                value={tenant}
                onChange={setTenant}
                options={departments.map((d) => ({ value: d, label: name('tenant', d) }))}
              />
            )}
            <Button
              icon={<DownloadOutlined />}
              disabled={!tenant}
              loading={exporting === 'csv'}
              onClick={() => void download('csv')}
              data-testid="cost-export-csv"
            >
              {t('cost.exportCsv')}
            </Button>
            <Button
              icon={<DownloadOutlined />}
              disabled={!tenant}
              loading={exporting === 'xlsx'}
              onClick={() => void download('xlsx')}
              data-testid="cost-export-xlsx"
            >
              {t('cost.exportXlsx')}
            </Button>
          </>
        }
      />
      {exported && (
        <Alert
          style={{ marginBottom: 16 }}
          showIcon
          closable
          type="info"
          title={t('cost.exported', { name: exported })}
          data-testid="cost-exported"
          onClose={() => setExported(undefined)}
        />
      )}
      <ErrorAlert error={exportError ?? bill.error ?? budgets.error} />
      {can.canReadCityCosts && <CityCosts month={month} onPick={setTenant} />}
      {shownBill ? (
        <BillView
          bill={shownBill}
          budgets={budgets.data?.items ?? []}
          departmentName={name('tenant', shownBill.tenant)}
        />
      ) : (
        tenant && !bill.error && <Spin style={{ display: 'block', margin: '48px auto' }} />
      )}
    </div>
  );
}

/** The data bureau's city view: the city total, each department's bill total, idle, and the per-cluster reconciliation. */
function CityCosts(props: { month: string; onPick: (tenant: string) => void }) {
  const { t } = useI18n();
  const name = useDisplayName();
  const rec = useFetch<{ items: ReconciliationItem[] }>(opsPaths.reconciliation(props.month), [], 0);
  const bills = useFetch<{ items: BillSummary[] }>(opsPaths.bills(props.month), [], 0);
  const r = useMemo(() => reconcileByCluster(rec.data?.items ?? []), [rec.data]);
  const mark = (ok: boolean) =>
    ok ? (
      <Typography.Text type="success">
        <CheckCircleOutlined /> {t('cost.balanced')}
      </Typography.Text>
    ) : (
      <Typography.Text type="danger">
        <CloseCircleOutlined /> {t('cost.unbalanced')}
      </Typography.Text>
    );
  const fenCell = (testId: string) => (fen: number) => (
    <span data-testid={testId} data-fen={fen}>
      {formatFen(fen)}
    </span>
  );
  const idleLine = unallocatedIdle(rec.data?.items ?? [], bills.data?.items ?? []);
  const departmentRows = [
    ...(bills.data?.items ?? []).map((b) => ({
      key: b.tenant,
      label: name('tenant', b.tenant),
      fen: b.totalFen,
      forecast: b.forecastFen,
    })),
    ...(idleLine !== 0 ? [{ key: '', label: t('cost.idleUnallocated'), fen: idleLine, forecast: undefined }] : []),
  ];
  return (
    <Card size="small" title={t('cost.cityTitle')} style={{ marginBottom: 16 }} data-testid="cost-city">
      <ErrorAlert error={rec.error ?? bills.error} compact />
      <Flex gap={48} wrap style={{ marginBottom: 12 }}>
        <div data-testid="city-total" data-fen={r.city.totalFen}>
          <Statistic title={t('cost.cityTotal')} value={formatFen(r.city.totalFen)} />
        </div>
        <Statistic title={t('cost.allocated')} value={formatFen(r.city.allocatedFen)} />
        <Statistic title={t('cost.idle')} value={formatFen(r.city.idleFen)} />
        <Statistic title={t('cost.shared')} value={formatFen(r.city.sharedFen)} />
        <div data-testid="city-balanced" data-balanced={r.city.balanced} style={{ alignSelf: 'end' }}>
          {mark(r.city.balanced)}
        </div>
      </Flex>
      <Typography.Title level={5}>{t('cost.reconciliation')}</Typography.Title>
      <Table
        data-testid="reconciliation"
        size="small"
        pagination={false}
        rowKey="cluster"
        dataSource={r.clusters}
        onRow={(c) => ({ 'data-testid': `recon-${c.cluster}` }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { key: 'cluster', title: t('common.cluster'), dataIndex: 'cluster' },
          {
            key: 'a',
            title: t('cost.allocated'),
            align: 'right',
            dataIndex: 'allocatedFen',
            render: fenCell('recon-allocated'),
          },
          { key: 'i', title: t('cost.idle'), align: 'right', dataIndex: 'idleFen', render: fenCell('recon-idle') },
          {
            key: 's',
            title: t('cost.shared'),
            align: 'right',
            dataIndex: 'sharedFen',
            render: fenCell('recon-shared'),
          },
          { key: 't', title: t('cost.total'), align: 'right', dataIndex: 'totalFen', render: fenCell('recon-total') },
          { key: 'ok', title: '', render: (_, c) => mark(c.balanced) },
        ]}
      />
      <Typography.Title level={5} style={{ marginTop: 16 }}>
        {t('cost.departmentsTitle')}
      </Typography.Title>
      <Table
        data-testid="department-bills"
        size="small"
        pagination={false}
        rowKey="key"
        dataSource={departmentRows}
        columns={[
          {
            key: 'd',
            title: t('ops.department'),
            render: (_, d) =>
              d.key ? (
                <Typography.Link onClick={() => props.onPick(d.key)} data-testid={`bill-of-${d.key}`}>
                  {d.label}
                </Typography.Link>
              ) : (
                d.label
              ),
          },
          { key: 'f', title: t('cost.monthToDate'), align: 'right', render: (_, d) => formatFen(d.fen) },
          {
            key: 'p',
            title: t('cost.forecast'),
            align: 'right',
            render: (_, d) => (d.forecast === undefined ? '' : formatFen(d.forecast)),
          },
        ]}
      />
    </Card>
  );
}

/** Idle left on its own line (department ''): the city's idle less what was spread onto departments' bills. */
function unallocatedIdle(items: readonly ReconciliationItem[], bills: readonly BillSummary[]): number {
  const idle = items.reduce((s, i) => s + i.idleFen, 0);
  const spread = bills.reduce((s, b) => s + (b.byItem.idle ?? 0), 0);
  return idle - spread;
}
