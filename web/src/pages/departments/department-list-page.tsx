import { Button, Progress, Table, Typography } from 'antd';
import { HoverTooltip } from '../../components/hover-tooltip.tsx';
import { lazy, Suspense, useMemo, useState } from 'react';
import { paths } from '../../api/paths.ts';
import type { DepartmentUsage, Tenant } from '../../api/types.ts';
import { Link } from '../../app/router.tsx';
import { useCan } from '../../auth/session.tsx';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { PageHeader } from '../../components/page.tsx';
import { useApplicationsRevision, useFetch, useUsage } from '../../data/hooks.ts';
import { formatBytes, formatCores, formatYuan, percentOf } from '../../format/format.ts';
import { localName, useI18n } from '../../i18n/i18n.tsx';
import { ShareBar } from './department-share.tsx';

// The form (and what it pulls in) loads when the data bureau opens it, not with the page.
const DepartmentForm = lazy(() => import('./department-form.tsx').then((m) => ({ default: m.DepartmentForm })));

/** A use-against-quota bar with the figures on hover. */
export function QuotaBar(props: { used: number; quota: number | undefined; label: string; testId?: string }) {
  const over = props.quota !== undefined && props.used > props.quota;
  return (
    <HoverTooltip title={props.label}>
      <Progress
        percent={percentOf(props.used, props.quota)}
        size="small"
        status={over ? 'exception' : undefined}
        format={(p) => (props.quota === undefined ? '∞' : `${p}%`)}
        style={{ minWidth: 110 }}
        data-testid={props.testId}
      />
    </HoverTooltip>
  );
}

/** Departments (委办局): quota against what their applications request and run, and what it costs per hour. */
export function DepartmentListPage() {
  const { t, locale, lang } = useI18n();
  const can = useCan();
  // Usage follows the applications; their figures come from the server, so none is listed here.
  const usage = useUsage(useApplicationsRevision());
  const tenants = useFetch<{ items: Tenant[] }>(can.canListTenants ? paths.tenants : undefined);
  const parents = useMemo(
    () => new Map((tenants.data?.items ?? []).map((x) => [x.metadata.name, x.spec.parent])),
    [tenants.data],
  );
  const total = usage.items.reduce((a, u) => a + u.costPerHour, 0);
  // undefined: closed; null: creating; a Tenant: editing it.
  const [editing, setEditing] = useState<Tenant | null | undefined>(undefined);
  const byName = useMemo(() => new Map((tenants.data?.items ?? []).map((x) => [x.metadata.name, x])), [tenants.data]);

  return (
    <div>
      <PageHeader
        title={t('nav.departments')}
        subtitle={t('departments.subtitle')}
        extra={
          <>
            <Typography.Text type="secondary">
              {t('departments.totalCost', { cost: formatYuan(total, locale) })}
            </Typography.Text>
            {can.isPlatformAdmin && (
              <Button type="primary" onClick={() => setEditing(null)} data-testid="dept-create">
                {t('admin.dept.create')}
              </Button>
            )}
          </>
        }
      />
      {editing !== undefined && (
        <Suspense fallback={null}>
          <DepartmentForm
            open
            editing={editing ?? undefined}
            departments={tenants.data?.items ?? []}
            onClose={() => setEditing(undefined)}
            onSaved={() => {
              setEditing(undefined);
              tenants.reload();
              usage.reload();
            }}
          />
        </Suspense>
      )}
      <ErrorAlert error={usage.error} />
      <Table<DepartmentUsage>
        rowKey="tenant"
        dataSource={usage.items}
        loading={usage.loading}
        // A city has 100 departments or more: 20 rows render at once, the rest a page away.
        pagination={{ defaultPageSize: 20, hideOnSinglePage: true, showSizeChanger: true }}
        data-testid="department-table"
        columns={[
          {
            title: t('common.department'),
            render: (_, u) => (
              <div>
                <Link to={`/departments/${u.tenant}`} data-testid={`department-link-${u.tenant}`}>
                  {localName(u.displayName, lang, u.tenant)}
                </Link>
                <div style={{ color: '#8c8c8c', fontSize: 12 }}>
                  {u.tenant}
                  {parents.get(u.tenant) && ` · ${t('departments.parent')}: ${parents.get(u.tenant)}`}
                </div>
              </div>
            ),
          },
          {
            title: t('nav.applications'),
            render: (_, u) => (
              <QuotaBar
                used={u.requested.applications}
                quota={u.quota.applications}
                label={`${u.requested.applications} / ${u.quota.applications ?? '∞'}`}
              />
            ),
          },
          {
            title: t('departments.cpuRequestedOfQuota'),
            render: (_, u) => (
              <QuotaBar
                used={u.requested.cpu}
                quota={u.quota.cpu}
                testId={`dept-cpu-${u.tenant}`}
                label={`${formatCores(u.requested.cpu, locale)} / ${u.quota.cpu ?? '∞'} ${t('unit.cores')}`}
              />
            ),
          },
          {
            title: t('departments.memoryRequestedOfQuota'),
            render: (_, u) => (
              <QuotaBar
                used={u.requested.memory}
                quota={u.quota.memory}
                label={`${formatBytes(u.requested.memory, locale)} / ${u.quota.memory !== undefined ? formatBytes(u.quota.memory, locale) : '∞'}`}
              />
            ),
          },
          {
            title: t('share.title'),
            render: (_, u) => <ShareBar sharing={u.sharing} testId={`share-${u.tenant}`} />,
          },
          {
            title: t('departments.placedNow'),
            render: (_, u) => (
              <span>
                {formatCores(u.placed.cpu, locale)} {t('unit.cores')} ·{' '}
                {t('departments.replicasN', { n: u.placed.replicas })}
                {u.placed.burstReplicas > 0 && (
                  <Typography.Text type="warning">
                    {' '}
                    · {t('overview.burstReplicas', { n: u.placed.burstReplicas })}
                  </Typography.Text>
                )}
              </span>
            ),
          },
          { title: t('overview.costPerHour'), align: 'right', render: (_, u) => formatYuan(u.costPerHour, locale) },
          ...(can.isPlatformAdmin
            ? [
                {
                  title: t('admin.actions'),
                  render: (_: unknown, u: DepartmentUsage) => (
                    <Button
                      size="small"
                      disabled={!byName.has(u.tenant)}
                      onClick={() => setEditing(byName.get(u.tenant))}
                      data-testid={`dept-edit-${u.tenant}`}
                    >
                      {t('admin.edit')}
                    </Button>
                  ),
                },
              ]
            : []),
        ]}
      />
    </div>
  );
}
