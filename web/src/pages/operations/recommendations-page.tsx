import type { ButtonProps } from 'antd';
import { Alert, Button, Card, Popconfirm, Select, Statistic, Table, Tag, Tooltip, Typography } from 'antd';
import { useMemo, useState } from 'react';
import type { ApiError } from '../../api/api-error.ts';
import { api } from '../../api/client.ts';
import { Link } from '../../app/router.tsx';
import { canApplyRecommendation } from '../../auth/capabilities.ts';
import { useCan } from '../../auth/session.tsx';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { PageHeader } from '../../components/page.tsx';
import { useFetch } from '../../data/hooks.ts';
import { useDisplayName } from '../../data/names.ts';
import { formatPercent, formatYuan } from '../../format/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useServerText } from '../../i18n/server-messages.ts';
import type { ApplicationRecommendations, RecommendationApplied } from './operations-api.ts';
import { opsPaths } from './operations-api.ts';
import type { RecommendationRow } from './recommendation-model.ts';
import { cpuText, memoryText, recommendationRows, totalSaving } from './recommendation-model.ts';
import { useDepartmentChoice } from './use-operations.ts';

const ALL = '*';

/**
 * 优化建议 (issue 17 point 7): rightsizing per component, current against recommended requests, the saving a month,
 * the risk on the component's own history and the method; apply after confirmation makes a new revision through
 * the normal write path, and the page names it. The data bureau starts on the city's largest savings.
 */
export function RecommendationsPage() {
  const { t, locale } = useI18n();
  const can = useCan();
  const name = useDisplayName();
  const server = useServerText();
  const { departments, tenant, setTenant } = useDepartmentChoice();
  const [scope, setScope] = useState<string>(can.canReadCityCosts ? ALL : '');
  const chosen = scope === ALL ? undefined : scope || tenant;
  const path =
    scope === ALL ? opsPaths.recommendations(undefined, 50) : chosen ? opsPaths.recommendations(chosen) : undefined;
  const list = useFetch<{ items: ApplicationRecommendations[] }>(path, [], 0);
  const rows = useMemo(() => recommendationRows(list.data?.items ?? []), [list.data]);
  const [applying, setApplying] = useState<string>();
  const [applied, setApplied] = useState<{ row: RecommendationRow; revision: string }>();
  const [error, setError] = useState<ApiError>();

  const apply = async (row: RecommendationRow) => {
    setApplying(row.key);
    setError(undefined);
    try {
      const r = await api<RecommendationApplied>(opsPaths.apply(row.tenant, row.application, row.component), {
        method: 'POST',
        body: {},
      });
      setApplied({ row, revision: `${row.application}-v${r.generation}` });
      list.reload();
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setApplying(undefined);
    }
  };

  const scopeOptions = [
    ...(can.canReadCityCosts ? [{ value: ALL, label: t('common.all') }] : []),
    ...departments.map((d) => ({ value: d, label: name('tenant', d) })),
  ];
  return (
    <div data-testid="recommendations-page">
      <PageHeader
        title={t('nav.recommendations')}
        subtitle={
          scope === ALL
            ? t('rec.subtitleAll')
            : t('rec.subtitleDepartments', { departments: chosen ? name('tenant', chosen) : '' })
        }
        extra={
          scopeOptions.length > 1 && (
            <Select
              data-testid="rec-scope"
              style={{ minWidth: 160 }}
              value={scope === ALL ? ALL : chosen}
              onChange={(v) => {
                setScope(v);
                if (v !== ALL) setTenant(v);
              }}
              options={scopeOptions}
            />
          )
        }
      />
      {applied && (
        <Alert
          style={{ marginBottom: 16 }}
          showIcon
          closable
          type="success"
          data-testid="rec-applied"
          onClose={() => setApplied(undefined)}
          title={
            <span>
              {t('rec.applied', {
                application: applied.row.application,
                component: applied.row.component,
                revision: applied.revision,
              })}{' '}
              <Link to={`/applications/${applied.row.tenant}/${applied.row.application}`}>{applied.revision}</Link>
            </span>
          }
        />
      )}
      <ErrorAlert error={error ?? list.error} />
      <Card size="small" style={{ marginBottom: 16 }}>
        <div data-testid="rec-total" data-yuan={totalSaving(rows)}>
          <Statistic title={t('rec.totalSaving')} value={formatYuan(totalSaving(rows), locale)} />
        </div>
      </Card>
      <Table<RecommendationRow>
        data-testid="rec-table"
        size="small"
        rowKey="key"
        loading={list.loading && !list.data}
        dataSource={rows}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        locale={{ emptyText: t('rec.none') }}
        onRow={(r) => ({ 'data-testid': `rec-${r.key}` }) as React.HTMLAttributes<HTMLElement>}
        expandable={{
          rowExpandable: (r) => r.notes.length > 0,
          expandedRowRender: (r) => (
            <ul style={{ margin: 0 }}>
              {r.notes.map((n, i) => (
                <li key={i}>{server.text(n)}</li>
              ))}
            </ul>
          ),
        }}
        columns={[
          {
            key: 'app',
            title: t('rec.application'),
            render: (_, r) => (
              <span>
                {scope === ALL && <Tag>{name('tenant', r.tenant)}</Tag>}
                <Link to={`/applications/${r.tenant}/${r.application}`}>{r.application}</Link>
              </span>
            ),
          },
          { key: 'component', title: t('rec.component'), dataIndex: 'component' },
          {
            key: 'current',
            title: t('rec.current'),
            render: (_, r) => (
              <span>
                {cpuText(r.current.cpuMilli)} / {memoryText(r.current.memoryBytes)}
                <Typography.Text type="secondary"> × {r.replicas}</Typography.Text>
              </span>
            ),
          },
          {
            key: 'recommended',
            title: t('rec.recommended'),
            render: (_, r) => `${cpuText(r.recommended.cpuMilli)} / ${memoryText(r.recommended.memoryBytes)}`,
          },
          {
            key: 'saving',
            title: t('rec.saving'),
            align: 'right',
            render: (_, r) => (
              <Typography.Text type={r.savingYuanPerMonth > 0 ? 'success' : undefined} data-testid="rec-saving">
                {formatYuan(r.savingYuanPerMonth, locale)}
              </Typography.Text>
            ),
          },
          {
            key: 'risk',
            title: t('rec.risk'),
            align: 'right',
            render: (_, r) =>
              t('rec.riskValue', {
                minutes: r.recommended.risk.violationMinutes,
                share: formatPercent(r.recommended.risk.share, locale),
              }),
          },
          {
            key: 'method',
            title: t('rec.method'),
            render: (_, r) => <Tag>{t(`rec.method.${r.recommended.profile}`)}</Tag>,
          },
          {
            key: 'apply',
            title: '',
            render: (_, r) =>
              canApplyRecommendation(can, r.tenant) && (
                <Popconfirm
                  title={t('rec.confirm', {
                    application: r.application,
                    component: r.component,
                    cpu: cpuText(r.recommended.cpuMilli),
                    memory: memoryText(r.recommended.memoryBytes),
                  })}
                  okButtonProps={{ 'data-testid': 'rec-confirm' } as ButtonProps}
                  onConfirm={() => apply(r)}
                  disabled={!r.applicable}
                >
                  <Tooltip title={r.applicable ? undefined : t('rec.method.current')}>
                    <Button
                      size="small"
                      type="primary"
                      disabled={!r.applicable}
                      loading={applying === r.key}
                      data-testid="rec-apply"
                    >
                      {t('rec.apply')}
                    </Button>
                  </Tooltip>
                </Popconfirm>
              ),
          },
        ]}
      />
    </div>
  );
}
