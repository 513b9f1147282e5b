import { Table, Tag, Tooltip, Typography } from 'antd';
import { useMemo } from 'react';
import { eventTime, newestEvents, useDepartmentEvents, useNow } from '../../data/hooks.ts';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { formatDateTime, formatRelative } from '../../format/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useServerText } from '../../i18n/server-messages.ts';

/** What the controllers did to this application and why, newest first, live. */
export function AppEventsTab(props: { tenant: string; name: string }) {
  const { t, locale } = useI18n();
  const st = useServerText();
  const now = useNow(5000);
  const snap = useDepartmentEvents(props.tenant);
  const events = useMemo(
    () =>
      newestEvents(
        [...snap.state.items.values()].filter(
          (e) => e.spec.involvedObject.kind === 'Application' && e.spec.involvedObject.name === props.name,
        ),
        500,
      ),
    [snap.state.items, props.name],
  );
  return (
    <>
      <ErrorAlert error={snap.error} />
      <Table
        size="small"
        rowKey={(e) => e.metadata.name}
        loading={snap.loading}
        dataSource={events}
        data-testid="app-events"
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        columns={[
          {
            title: t('common.time'),
            width: 130,
            render: (_, e) => (
              <Tooltip title={formatDateTime(eventTime(e), locale)}>
                {formatRelative(eventTime(e), now, locale)}
              </Tooltip>
            ),
          },
          {
            title: t('common.type'),
            width: 90,
            render: (_, e) => (
              <Tag color={e.spec.type === 'Warning' ? 'warning' : 'default'}>
                {e.spec.type === 'Warning' ? t('event.warning') : t('event.normal')}
              </Tag>
            ),
          },
          {
            title: t('common.reason'),
            width: 150,
            render: (_, e) => <Typography.Text strong>{st.reason(e.spec.reason)}</Typography.Text>,
          },
          {
            title: t('event.message'),
            render: (_, e) => (
              <span style={{ wordBreak: 'break-word' }} data-server-text>
                {st.text(e.spec)}
              </span>
            ),
          },
          { title: t('event.count'), width: 70, render: (_, e) => e.spec.count ?? 1 },
          {
            title: t('event.source'),
            width: 140,
            render: (_, e) => [e.spec.source?.component, e.spec.source?.cluster].filter(Boolean).join(' / '),
          },
        ]}
      />
    </>
  );
}
