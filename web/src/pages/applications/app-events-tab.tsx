import { Alert, Table, Tag, Tooltip, Typography } from 'antd';
import { useMemo } from 'react';
import { paths } from '../../api/paths.ts';
import { eventTime, newestEvents, useDepartmentEvents, useFetch, useNow } from '../../data/hooks.ts';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { formatDateTime, formatRelative } from '../../format/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import type { Coded } from '../../i18n/server-messages.ts';
import { useServerText } from '../../i18n/server-messages.ts';
import { kubeReasonText } from '../../i18n/kube-reasons.ts';

/** A Kubernetes Event of one of the application's namespaces, as `GET …/applications/{app}/events` lists it. */
interface ClusterEventItem {
  readonly origin: 'polis' | 'cluster';
  readonly name: string;
  readonly involvedObject: { readonly kind: string; readonly name: string };
  readonly type: string;
  readonly reason: string;
  readonly message: string;
  readonly source: { readonly cluster?: string };
  readonly namespace?: string;
  readonly count: number;
  readonly lastTimestamp: string;
}
interface EventsAnswer {
  readonly clusters: readonly { readonly cluster: string; readonly reachable: boolean; readonly detail?: Coded }[];
  readonly items: readonly ClusterEventItem[];
}

/** One row: polis's own event (coded, rendered in the reader's language) or a cluster's (its own words). */
interface Row {
  readonly key: string;
  readonly time: string;
  readonly warning: boolean;
  readonly reason: string;
  readonly message: string;
  /** A cluster's event: its reason in the reader's language, when Kubernetes' reason is a well-known one. */
  readonly summary?: string;
  readonly count: number;
  readonly object?: string;
  readonly cluster?: string;
  readonly namespace?: string;
  readonly source: string;
}

/**
 * What the controllers did to this application and why (live), merged by time with the Kubernetes Events of its
 * namespaces on every cluster it is on (refreshed every 10 s), each of those tagged with its cluster; newest first.
 */
export function AppEventsTab(props: { tenant: string; name: string }) {
  const { t, lang, locale } = useI18n();
  const st = useServerText();
  const now = useNow(5000);
  const tick = useNow(10_000);
  const snap = useDepartmentEvents(props.tenant);
  const fetched = useFetch<EventsAnswer>(paths.appEvents(props.tenant, props.name), [tick], 3000);
  const rows = useMemo(() => {
    const own: Row[] = newestEvents(
      [...snap.state.items.values()].filter(
        (e) => e.spec.involvedObject.kind === 'Application' && e.spec.involvedObject.name === props.name,
      ),
      500,
    ).map((e) => ({
      key: `polis/${e.metadata.name}`,
      time: eventTime(e),
      warning: e.spec.type === 'Warning',
      reason: st.reason(e.spec.reason),
      message: st.text(e.spec),
      count: e.spec.count ?? 1,
      source: [e.spec.source?.component, e.spec.source?.cluster].filter(Boolean).join(' / '),
    }));
    const kube: Row[] = (fetched.data?.items ?? [])
      .filter((e) => e.origin === 'cluster')
      .map((e) => ({
        key: `cluster/${e.source.cluster}/${e.namespace}/${e.name}`,
        time: e.lastTimestamp,
        warning: e.type === 'Warning',
        // Kubernetes' own reason code and text: shown as the cluster wrote them.
        reason: e.reason,
        message: e.message,
        summary: kubeReasonText(e.reason, lang),
        count: e.count,
        object: `${e.involvedObject.kind}/${e.involvedObject.name}`,
        cluster: e.source.cluster,
        namespace: e.namespace,
        source: '',
      }));
    return [...own, ...kube].sort((a, b) => Date.parse(b.time) - Date.parse(a.time)).slice(0, 500);
  }, [snap.state.items, fetched.data, props.name, st, lang]);
  const notRead = (fetched.data?.clusters ?? []).filter((c) => !c.reachable);
  return (
    <>
      <ErrorAlert error={snap.error} />
      {notRead.map((c) => (
        <Alert
          key={c.cluster}
          type="warning"
          showIcon
          style={{ marginBottom: 8 }}
          data-testid={`events-not-read-${c.cluster}`}
          message={t('event.clusterNotRead', { cluster: c.cluster })}
          description={<span data-server-text>{st.text(c.detail)}</span>}
        />
      ))}
      <Table
        size="small"
        rowKey={(r) => r.key}
        loading={snap.loading}
        dataSource={rows}
        data-testid="app-events"
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        columns={[
          {
            title: t('common.time'),
            width: 130,
            render: (_, r) => (
              <Tooltip title={formatDateTime(r.time, locale)}>{formatRelative(r.time, now, locale)}</Tooltip>
            ),
          },
          {
            title: t('common.type'),
            width: 90,
            render: (_, r) => (
              <Tag color={r.warning ? 'warning' : 'default'}>{r.warning ? t('event.warning') : t('event.normal')}</Tag>
            ),
          },
          {
            title: t('common.reason'),
            width: 150,
            render: (_, r) => <Typography.Text strong>{r.reason}</Typography.Text>,
          },
          {
            title: t('event.message'),
            render: (_, r) =>
              r.cluster === undefined ? (
                <span style={{ wordBreak: 'break-word' }} data-server-text>
                  {r.message}
                </span>
              ) : (
                <span style={{ wordBreak: 'break-word' }}>
                  <Typography.Text type="secondary">{r.object} </Typography.Text>
                  {r.summary ?? t('event.clusterSaid')}{' '}
                  {/* The cluster's own words, quoted as it wrote them (not polis's sentence). */}
                  <Typography.Text type="secondary" lang="en" data-cluster-text>
                    「{r.message}」
                  </Typography.Text>
                </span>
              ),
          },
          { title: t('event.count'), width: 70, render: (_, r) => r.count },
          {
            title: t('event.source'),
            width: 170,
            render: (_, r) =>
              r.cluster === undefined ? (
                r.source
              ) : (
                <Tooltip title={t('event.fromClusterHelp', { namespace: r.namespace ?? '' })}>
                  <Tag color="blue" data-testid="event-cluster-tag">
                    {t('event.fromCluster', { cluster: r.cluster })}
                  </Tag>
                </Tooltip>
              ),
          },
        ]}
      />
    </>
  );
}
