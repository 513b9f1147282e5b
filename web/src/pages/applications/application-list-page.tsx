import { PlusOutlined } from '@ant-design/icons';
import { Button, Empty, Flex, Input, Select, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { Link, navigate, useSearchParam } from '../../app/router.tsx';
import { useCan } from '../../auth/session.tsx';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { PageHeader } from '../../components/page.tsx';
import { LiveBadge, PHASE_COLOR, phaseKey } from '../../components/status-tags.tsx';
import type { VirtualColumn } from '../../components/virtual-table.tsx';
import { VirtualTable } from '../../components/virtual-table.tsx';
import type { AppRow } from '../../data/app-rows.ts';
import { filterApps } from '../../data/app-rows.ts';
import { useApplicationRows, useClusters, useNow } from '../../data/hooks.ts';
import { useDisplayName } from '../../data/names.ts';
import { formatNumber, formatRelative } from '../../format/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useServerText } from '../../i18n/server-messages.ts';

const CHIP = {
  display: 'inline-block',
  padding: '0 7px',
  marginInlineEnd: 4,
  fontSize: 12,
  lineHeight: '20px',
  border: '1px solid #d9d9d9',
  borderRadius: 4,
  background: '#fafafa',
} as const;

const PHASES = ['Running', 'Progressing', 'Pending', 'Suspended', 'Degraded', 'Failed', 'Deleting'];

function useViewportHeight(offset: number): number {
  const [h, setH] = useState(() => Math.max(360, window.innerHeight - offset));
  useEffect(() => {
    const on = () => setH(Math.max(360, window.innerHeight - offset));
    window.addEventListener('resize', on);
    return () => window.removeEventListener('resize', on);
  }, [offset]);
  return h;
}

/**
 * Every application the user may see, live, filtered by department, health, cluster and text (kept in the URL).
 * The list is virtualised: 10,000 applications scroll as smoothly as ten.
 */
export function ApplicationListPage() {
  const { t, locale } = useI18n();
  const st = useServerText();
  const can = useCan();
  const now = useNow(30_000);
  const apps = useApplicationRows();
  const clusters = useClusters();
  const name = useDisplayName();
  const [tenant, setTenant] = useSearchParam('department');
  const [health, setHealth] = useSearchParam('health');
  const [cluster, setCluster] = useSearchParam('cluster');
  const [text, setText] = useSearchParam('q');
  const [draft, setDraft] = useState(text ?? '');
  const height = useViewportHeight(260);

  useEffect(() => {
    const id = setTimeout(() => setText(draft || undefined), 150);
    return () => clearTimeout(id);
  }, [draft, setText]);

  const rows = useMemo(
    () => filterApps(apps.rows, { tenant, health, cluster, text }),
    [apps.rows, tenant, health, cluster, text],
  );
  const tenants = useMemo(() => [...new Set(apps.rows.map((r) => r.tenant))].sort(), [apps.rows]);
  const canCreate = can.writableDepartments === 'all' || can.writableDepartments.length > 0;

  const columns = useMemo<VirtualColumn<AppRow>[]>(
    () => [
      {
        key: 'name',
        title: t('common.name'),
        width: 'minmax(180px, 2fr)',
        render: (r) => (
          <div style={{ lineHeight: 1.3 }}>
            <Link
              to={`/applications/${r.tenant}/${r.name}`}
              onClick={(e) => e.stopPropagation()}
              data-testid={`app-link-${r.tenant}-${r.name}`}
            >
              {r.name}
            </Link>
            {r.description && (
              <div
                style={{ color: '#8c8c8c', fontSize: 12, overflow: 'hidden', textOverflow: 'ellipsis' }}
                data-user-text
              >
                {r.description}
              </div>
            )}
          </div>
        ),
      },
      // Rows use plain spans rather than antd Tag and Tooltip: a jump across 10,000 rows mounts a few dozen rows
      // at once, and this keeps that well under a frame's budget (bench/console).
      {
        key: 'tenant',
        title: t('common.department'),
        width: '110px',
        render: (r) => <span style={CHIP}>{name('tenant', r.tenant)}</span>,
      },
      {
        key: 'phase',
        title: t('common.health'),
        width: '120px',
        render: (r) => (
          <span title={st.text(r)} data-phase={r.phase}>
            <span style={{ ...CHIP, color: PHASE_COLOR[r.phase] ?? PHASE_COLOR.Unknown, borderColor: 'currentColor' }}>
              {t(phaseKey(r.phase))}
            </span>
            {r.failedOver && <span style={{ ...CHIP, color: '#fa8c16' }}>{t('app.failedOver')}</span>}
          </span>
        ),
      },
      {
        key: 'ready',
        title: t('app.readyReplicas'),
        width: '90px',
        align: 'right',
        render: (r) => (
          <span style={{ color: r.ready < r.desired ? '#fa8c16' : undefined }}>
            {r.ready}/{r.desired}
          </span>
        ),
      },
      {
        key: 'clusters',
        title: t('nav.clusters'),
        width: 'minmax(200px, 2fr)',
        render: (r) =>
          Object.entries(r.clusters)
            .filter(([, n]) => n > 0)
            .sort()
            .map(([c, n]) => (
              <span key={c} style={CHIP}>
                {c} ×{n}
              </span>
            )),
      },
      {
        key: 'revision',
        title: t('app.revision'),
        width: '90px',
        render: (r) => (r.revision ? `v${r.revision.split('-v').pop()}` : '—'),
      },
      {
        key: 'created',
        title: t('common.created'),
        width: '110px',
        render: (r) => <span style={{ color: '#8c8c8c' }}>{formatRelative(r.created, now, locale)}</span>,
      },
    ],
    [t, now, locale, st, name],
  );

  return (
    <div>
      <PageHeader
        title={t('nav.applications')}
        subtitle={t('apps.subtitle')}
        extra={
          <>
            <LiveBadge live={apps.live} />
            {canCreate && (
              <Button
                type="primary"
                icon={<PlusOutlined />}
                onClick={() => navigate('/applications/new')}
                data-testid="create-app"
              >
                {t('apps.create')}
              </Button>
            )}
          </>
        }
      />
      <ErrorAlert error={apps.error} />
      <Flex gap={8} wrap style={{ marginBottom: 12 }} align="center">
        <Input.Search
          allowClear
          placeholder={t('apps.search')}
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          style={{ width: 240 }}
          data-testid="filter-text"
        />
        <Select
          allowClear
          placeholder={t('common.department')}
          value={tenant}
          onChange={(v?: string) => setTenant(v)}
          style={{ width: 160 }}
          options={tenants.map((x) => ({ value: x, label: name('tenant', x) }))}
          data-testid="filter-department"
        />
        <Select
          allowClear
          placeholder={t('common.health')}
          value={health}
          onChange={(v?: string) => setHealth(v)}
          style={{ width: 160 }}
          data-testid="filter-health"
          options={[
            { value: 'healthy', label: t('apps.healthyOnly') },
            { value: 'unhealthy', label: t('apps.unhealthyOnly') },
            ...PHASES.map((p) => ({ value: p, label: t(phaseKey(p)) })),
          ]}
        />
        <Select
          allowClear
          placeholder={t('common.cluster')}
          value={cluster}
          onChange={(v?: string) => setCluster(v)}
          style={{ width: 180 }}
          data-testid="filter-cluster"
          options={clusters.items.map((c) => ({ value: c.metadata.name, label: c.metadata.name }))}
        />
        <Typography.Text type="secondary" data-testid="app-count">
          {t('apps.count', { shown: formatNumber(rows.length, locale), total: formatNumber(apps.rows.length, locale) })}
          {apps.loading && apps.rows.length > 0 && ` · ${t('common.loading')}`}
        </Typography.Text>
      </Flex>
      <VirtualTable<AppRow>
        rows={rows}
        columns={columns}
        rowKey={(r) => r.key}
        height={height}
        rowHeight={48}
        testId="app-table"
        onRowClick={(r) => navigate(`/applications/${r.tenant}/${r.name}`)}
        empty={<Empty description={apps.loading ? t('common.loading') : t('apps.none')} />}
      />
    </div>
  );
}
