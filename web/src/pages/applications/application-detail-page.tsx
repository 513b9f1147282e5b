import { DeleteOutlined, PlayCircleOutlined } from '@ant-design/icons';
import { App, Button, Descriptions, Result, Spin, Tabs, Tag, Typography } from 'antd';
import { useState } from 'react';
import type { ApiError } from '../../api/api-error.ts';
import { api } from '../../api/client.ts';
import { paths } from '../../api/paths.ts';
import type { Application } from '../../api/types.ts';
import { useCollection } from '../../api/use-collection.ts';
import { Link, navigate, useSearchParam } from '../../app/router.tsx';
import { canWrite } from '../../auth/capabilities.ts';
import { useCan } from '../../auth/session.tsx';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { PageHeader } from '../../components/page.tsx';
import { LiveBadge, PhaseTag } from '../../components/status-tags.tsx';
import { formatDateTime } from '../../format/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { AppEventsTab } from './app-events-tab.tsx';
import { AppMonitoringTab } from './app-monitoring-tab.tsx';
import { AppPodsTab } from './app-pods-tab.tsx';
import { AppTopologyTab } from './app-topology-tab.tsx';
import { AppRevisionsTab } from './app-revisions-tab.tsx';
import { AppStatusTab } from './app-status-tab.tsx';
import { AppYamlTab } from './app-yaml-tab.tsx';
import { useServerText } from '../../i18n/server-messages.ts';

/** One application, live: status and placement with reasons, revisions with diff and rollback, events, YAML. */
export function ApplicationDetailPage(props: { params: Record<string, string> }) {
  const { tenant, name } = props.params as { tenant: string; name: string };
  const { t, locale } = useI18n();
  const st = useServerText();
  const can = useCan();
  const { modal, message } = App.useApp();
  const [tab, setTab] = useSearchParam('tab');
  const [actionError, setActionError] = useState<ApiError>();
  const snap = useCollection<Application>(`app/${tenant}/${name}`, () => ({
    path: `${paths.applications(tenant)}?fieldSelector=${encodeURIComponent(`metadata.name=${name}`)}`,
  }));
  const app = snap.state.items.get(`${tenant}/${name}`);
  const writable = canWrite(can, tenant);

  if (snap.error && !app) {
    return (
      <div>
        <PageHeader
          title={name}
          crumbs={[{ label: t('nav.applications'), to: '/applications' }, { label: `${tenant}/${name}` }]}
        />
        <ErrorAlert error={snap.error} />
      </div>
    );
  }
  if (!app) {
    if (snap.loading) return <Spin size="large" style={{ display: 'block', margin: '120px auto' }} />;
    return (
      <Result
        status="404"
        title={t('app.notFound', { name: `${tenant}/${name}` })}
        extra={<Link to="/applications">{t('nav.applications')}</Link>}
      />
    );
  }

  const s = app.status;
  const suspended = s?.phase === 'Suspended' || s?.workflow?.suspended;
  const resume = async () => {
    setActionError(undefined);
    try {
      await api(paths.resume(tenant, name), { method: 'POST', body: {} });
      message.success(t('app.resumed'));
    } catch (e) {
      setActionError(e as ApiError);
    }
  };
  const remove = () =>
    modal.confirm({
      title: t('app.deleteConfirmTitle', { name }),
      content: t('app.deleteConfirmBody'),
      okText: t('common.delete'),
      okButtonProps: { danger: true, 'data-testid': 'confirm-delete' },
      cancelText: t('common.cancel'),
      onOk: async () => {
        try {
          await api(paths.application(tenant, name), { method: 'DELETE' });
          message.success(t('app.deleted', { name }));
          navigate('/applications');
        } catch (e) {
          setActionError(e as ApiError);
        }
      },
    });

  return (
    <div data-testid="app-detail">
      <PageHeader
        crumbs={[
          { label: t('nav.applications'), to: '/applications' },
          { label: tenant, to: `/departments/${tenant}` },
          { label: name },
        ]}
        title={
          <>
            {name} <PhaseTag phase={app.metadata.deletionTimestamp ? 'Deleting' : s?.phase} />
          </>
        }
        subtitle={app.metadata.annotations?.['polis.io/description']}
        extra={
          <>
            <LiveBadge live={snap.live} />
            {writable && suspended && (
              <Button icon={<PlayCircleOutlined />} onClick={resume} data-testid="resume">
                {t('app.resume')}
              </Button>
            )}
            {writable && (
              <Button danger icon={<DeleteOutlined />} onClick={remove} data-testid="delete-app">
                {t('common.delete')}
              </Button>
            )}
          </>
        }
      />
      <ErrorAlert error={actionError} />
      <Descriptions
        size="small"
        column={{ xs: 1, md: 2, xl: 4 }}
        style={{ marginBottom: 16 }}
        items={[
          {
            key: 'tenant',
            label: t('common.department'),
            children: <Link to={`/departments/${tenant}`}>{tenant}</Link>,
          },
          {
            key: 'revision',
            label: t('app.revision'),
            children: (
              <span data-testid="app-revision">
                {s?.revision ?? '—'}
                {s?.observedGeneration !== undefined && s.observedGeneration !== app.metadata.generation && (
                  <Tag color="processing" style={{ marginLeft: 8 }}>
                    {t('app.reconciling')}
                  </Tag>
                )}
              </span>
            ),
          },
          {
            key: 'replicas',
            label: t('app.readyReplicas'),
            children: (
              <span data-testid="app-ready">
                {(s?.components ?? []).reduce((a, c) => a + c.readyReplicas, 0)}/
                {(s?.components ?? []).reduce((a, c) => a + c.desiredReplicas, 0)}
              </span>
            ),
          },
          {
            key: 'created',
            label: t('common.created'),
            children: formatDateTime(app.metadata.creationTimestamp, locale),
          },
        ]}
      />
      {s?.message && (
        <Typography.Paragraph type="warning" data-testid="app-message" data-server-text>
          {st.text(s)}
        </Typography.Paragraph>
      )}
      <Tabs
        activeKey={tab ?? 'status'}
        onChange={(k) => setTab(k === 'status' ? undefined : k)}
        destroyOnHidden
        items={[
          { key: 'status', label: t('app.tab.status'), children: <AppStatusTab app={app} /> },
          {
            key: 'revisions',
            label: t('app.tab.revisions'),
            children: <AppRevisionsTab app={app} writable={writable} />,
          },
          { key: 'events', label: t('app.tab.events'), children: <AppEventsTab tenant={tenant} name={name} /> },
          { key: 'monitoring', label: t('app.tab.monitoring'), children: <AppMonitoringTab app={app} /> },
          { key: 'pods', label: t('app.tab.pods'), children: <AppPodsTab tenant={tenant} name={name} /> },
          { key: 'topology', label: t('app.tab.topology'), children: <AppTopologyTab tenant={tenant} name={name} /> },
          { key: 'yaml', label: 'YAML', children: <AppYamlTab app={app} writable={writable} /> },
        ]}
      />
    </div>
  );
}
