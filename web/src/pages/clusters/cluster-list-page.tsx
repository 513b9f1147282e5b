import { Progress, Table, Tag, Typography } from 'antd';
import { HoverTooltip } from '../../components/hover-tooltip.tsx';
import { useMemo } from 'react';
import type { Cluster } from '../../api/types.ts';
import { Link } from '../../app/router.tsx';
import { useCan } from '../../auth/session.tsx';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { PageHeader } from '../../components/page.tsx';
import { HealthTag, LiveBadge, healthKey } from '../../components/status-tags.tsx';
import { useApplicationSummary, useClusters, useNow } from '../../data/hooks.ts';
import { useDisplayName } from '../../data/names.ts';
import { formatBytes, formatCores, formatDateTime, formatRelative, percentOf } from '../../format/format.ts';
import type { MessageKey } from '../../i18n/i18n.tsx';
import { localName, useI18n } from '../../i18n/i18n.tsx';
import { networkZoneLabel } from './cluster-labels.ts';
import { ClusterRegister } from './cluster-register.tsx';

function distinct(clusters: readonly Cluster[], pick: (c: Cluster) => string, label: (id: string) => string) {
  return [...new Set(clusters.map(pick))].sort().map((v) => ({ text: label(v), value: v }));
}

/** Every member cluster across vendors, regions and network zones: health, capacity, what runs there. Live. */
export function ClusterListPage() {
  const { t, locale, lang } = useI18n();
  const can = useCan();
  const now = useNow(2000);
  const clusters = useClusters();
  const name = useDisplayName();
  // The DisplayName objects first; the console's own words for the two well-known network zones otherwise.
  const zoneName = (id: string) => (name('networkZone', id) !== id ? name('networkZone', id) : networkZoneLabel(id, t));
  // Applications per cluster, summed on the server (the page lists no application).
  const apps = useApplicationSummary(can.canReadApplications);
  const appsOn = useMemo(
    () => Object.fromEntries((apps.summary?.clusters ?? []).map((c) => [c.cluster, c.applications])),
    [apps.summary],
  );

  return (
    <div>
      <PageHeader
        title={t('nav.clusters')}
        subtitle={t('clusters.subtitle')}
        extra={
          <>
            {can.isPlatformAdmin && <ClusterRegister />} <LiveBadge live={clusters.live} />
          </>
        }
      />
      <ErrorAlert error={clusters.error} />
      <Table<Cluster>
        rowKey={(c) => c.metadata.name}
        dataSource={clusters.items}
        loading={clusters.loading}
        pagination={false}
        data-testid="cluster-table"
        size="small"
        tableLayout="auto"
        columns={[
          {
            title: t('common.name'),
            render: (_, c) => (
              <div>
                <Link to={`/clusters/${c.metadata.name}`} data-testid={`cluster-link-${c.metadata.name}`}>
                  {c.metadata.name}
                </Link>
                {c.spec.displayName && (
                  <div style={{ color: '#8c8c8c', fontSize: 12 }}>{localName(c.spec.displayName, lang)}</div>
                )}
              </div>
            ),
          },
          {
            title: t('common.health'),
            filters: ['Ready', 'Suspect', 'Unreachable', 'PermissionDenied', 'Unknown'].map((h) => ({
              text: t(healthKey(h)),
              value: h,
            })),
            onFilter: (v, c) => (c.status?.health ?? 'Unknown') === v,
            render: (_, c) => (
              <span data-testid={`cluster-health-${c.metadata.name}`} data-health={c.status?.health ?? 'Unknown'}>
                <HealthTag health={c.status?.health} />
                {c.spec.draining ? (
                  <Tag color="warning">{t('clusters.draining')}</Tag>
                ) : (
                  c.spec.cordoned && <Tag color="default">{t('clusters.cordoned')}</Tag>
                )}
              </span>
            ),
          },
          {
            title: t('clusters.vendor'),
            render: (_, c) => name('vendor', c.spec.vendor),
            filters: distinct(
              clusters.items,
              (c) => c.spec.vendor,
              (v) => name('vendor', v),
            ),
            onFilter: (v, c) => c.spec.vendor === v,
          },
          {
            title: t('clusters.region'),
            filters: distinct(
              clusters.items,
              (c) => c.spec.region,
              (v) => name('region', v),
            ),
            onFilter: (v, c) => c.spec.region === v,
            render: (_, c) => (
              <>
                {name('region', c.spec.region)}
                <div style={{ color: '#8c8c8c', fontSize: 12 }}>{name('zone', c.spec.zone)}</div>
              </>
            ),
          },
          {
            title: t('clusters.networkZone'),
            filters: distinct(
              clusters.items,
              (c) => c.spec.networkZone,
              (v) => zoneName(v),
            ),
            onFilter: (v, c) => c.spec.networkZone === v,
            render: (_, c) => zoneName(c.spec.networkZone),
          },
          {
            title: t('clusters.role'),
            render: (_, c) => (
              <Tag color={c.spec.role === 'primary' ? 'blue' : c.spec.role === 'burst' ? 'orange' : 'purple'}>
                {t(`role.cluster.${c.spec.role}` as MessageKey)}
              </Tag>
            ),
          },
          {
            title: t('clusters.nodes'),
            render: (_, c) => (c.status?.nodes ? `${c.status.nodes.ready}/${c.status.nodes.total}` : '—'),
          },
          {
            title: t('clusters.cpuRequested'),
            width: 120,
            render: (_, c) => {
              const a = (c.status?.allocatable?.cpuMilli ?? 0) / 1000;
              const r = (c.status?.requested?.cpuMilli ?? 0) / 1000;
              return (
                <HoverTooltip title={`${formatCores(r, locale)} / ${formatCores(a, locale)} ${t('unit.cores')}`}>
                  <Progress percent={percentOf(r, a)} size="small" />
                </HoverTooltip>
              );
            },
          },
          {
            title: t('clusters.memoryRequested'),
            width: 120,
            render: (_, c) => {
              const a = c.status?.allocatable?.memoryBytes ?? 0;
              const r = c.status?.requested?.memoryBytes ?? 0;
              return (
                <HoverTooltip title={`${formatBytes(r, locale)} / ${formatBytes(a, locale)}`}>
                  <Progress percent={percentOf(r, a)} size="small" />
                </HoverTooltip>
              );
            },
          },
          ...(can.canReadApplications
            ? [{ title: t('nav.applications'), render: (_: unknown, c: Cluster) => appsOn[c.metadata.name] ?? 0 }]
            : []),
          {
            title: t('clusters.heartbeat'),
            // In view at 1366 px, on one line (the table fits the page: no sideways scrolling hides it).
            onCell: () => ({ style: { whiteSpace: 'nowrap' } }),
            render: (_, c) => (
              <HoverTooltip title={formatDateTime(c.status?.lastHeartbeat, locale)}>
                <Typography.Text type="secondary">
                  {formatRelative(c.status?.lastHeartbeat, now, locale) || '—'}
                </Typography.Text>
              </HoverTooltip>
            ),
          },
        ]}
      />
    </div>
  );
}
