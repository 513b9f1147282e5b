import { FileTextOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { paths } from '../../api/paths.ts';
import { useFetch, useNow } from '../../data/hooks.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useServerText } from '../../i18n/server-messages.ts';
import { ErrorAlert } from '../../components/error-alert.tsx';
import type { ClusterPods, PodItem } from '../../observe/types.ts';
import { LogViewer } from './log-viewer.tsx';

const PHASE_COLOR: Record<string, string> = {
  Running: 'processing',
  Ready: 'success',
  Succeeded: 'success',
  Pending: 'default',
  ContainerCreating: 'default',
  CrashLoopBackOff: 'error',
  Failed: 'error',
  Terminating: 'warning',
};

/** `95` → `1m35s`, `7200` → `2h`: a pod's age as kubectl prints it. */
export function formatAge(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${seconds % 60 ? `${seconds % 60}s` : ''}`;
  if (seconds < 86_400)
    return `${Math.floor(seconds / 3600)}h${Math.floor((seconds % 3600) / 60) || ''}${seconds % 3600 >= 60 ? 'm' : ''}`;
  return `${Math.floor(seconds / 86_400)}d${Math.floor((seconds % 86_400) / 3600) || ''}${seconds % 86_400 >= 3600 ? 'h' : ''}`;
}

/**
 * An application's pods in each cluster it is on (phase, restarts, node, age, last termination reason), refreshed
 * every 10 s; a pod's logs open in the viewer (tail, since, follow).
 */
export function AppPodsTab(props: { tenant: string; name: string }) {
  const { t } = useI18n();
  const st = useServerText();
  const tick = useNow(10_000);
  const r = useFetch<{ clusters: ClusterPods[] }>(paths.appPods(props.tenant, props.name), [tick], 3000);
  const [open, setOpen] = useState<{ cluster: string; pod: PodItem }>();
  return (
    <div data-testid="app-pods">
      <ErrorAlert error={r.error} />
      {(r.data?.clusters ?? []).map((c) => (
        <Card
          key={c.cluster}
          size="small"
          title={c.cluster}
          style={{ marginBottom: 12 }}
          data-testid={`pods-cluster-${c.cluster}`}
        >
          {!c.reachable && (
            <Alert
              type="warning"
              showIcon
              style={{ marginBottom: 8 }}
              message={t('pods.unreachable', { cluster: c.cluster })}
              description={<span data-server-text>{st.text(c.detail)}</span>}
            />
          )}
          <Table<PodItem>
            size="small"
            rowKey="name"
            pagination={{ pageSize: 20, hideOnSinglePage: true }}
            dataSource={[...c.pods].sort((a, b) => (a.name < b.name ? -1 : 1))}
            locale={{ emptyText: t('pods.none') }}
            columns={[
              {
                key: 'name',
                title: t('pods.col.name'),
                render: (_, p) => <Typography.Text code>{p.name}</Typography.Text>,
              },
              { key: 'component', title: t('pods.col.component'), render: (_, p) => p.component ?? '—' },
              {
                key: 'phase',
                title: t('pods.col.phase'),
                render: (_, p) => (
                  <Tag color={PHASE_COLOR[p.reason ?? p.phase] ?? 'default'} data-testid={`pod-phase-${p.name}`}>
                    {p.reason ?? p.phase}
                  </Tag>
                ),
              },
              {
                key: 'restarts',
                title: t('pods.col.restarts'),
                width: 72,
                render: (_, p) => (
                  <Typography.Text type={p.restarts > 0 ? 'danger' : undefined}>{p.restarts}</Typography.Text>
                ),
              },
              { key: 'node', title: t('pods.col.node'), render: (_, p) => p.node ?? '—' },
              { key: 'age', title: t('pods.col.age'), width: 90, render: (_, p) => formatAge(p.ageSeconds) },
              {
                key: 'last',
                title: t('pods.col.lastTermination'),
                render: (_, p) => p.lastTermination ?? '—',
              },
              {
                key: 'logs',
                title: t('pods.col.logs'),
                width: 110,
                render: (_, p) => (
                  <Button
                    size="small"
                    icon={<FileTextOutlined />}
                    onClick={() => setOpen({ cluster: c.cluster, pod: p })}
                    data-testid={`pod-logs-${p.name}`}
                  >
                    {t('pods.viewLogs')}
                  </Button>
                ),
              },
            ]}
          />
        </Card>
      ))}
      {open && (
        <LogViewer
          tenant={props.tenant}
          app={props.name}
          cluster={open.cluster}
          pod={open.pod}
          onClose={() => setOpen(undefined)}
        />
      )}
    </div>
  );
}
