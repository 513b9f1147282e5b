import { App, Button, Form, Input, Modal, Popconfirm, Select, Space, Table, Tabs, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import type { ApiError } from '../../api/api-error.ts';
import { toApiError } from '../../api/api-error.ts';
import { api } from '../../api/client.ts';
import { paths } from '../../api/paths.ts';
import type { Application } from '../../api/types.ts';
import { Link, useSearchParam } from '../../app/router.tsx';
import { canWrite } from '../../auth/capabilities.ts';
import { useCan } from '../../auth/session.tsx';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { PageHeader } from '../../components/page.tsx';
import { useFetch } from '../../data/hooks.ts';
import { localName, useI18n } from '../../i18n/i18n.tsx';
import { useServerText } from '../../i18n/server-messages.ts';
import type { CatalogEntry, MarketInstance, ServiceBinding } from './market-model.ts';
import { otherVersions } from './market-model.ts';
import { marketPaths } from './market-paths.ts';
import { DepartmentSelect, MarketPhaseTag, useDepartmentChoices } from './market-parts.tsx';
import { SharingTab } from './sharing-tab.tsx';

/** Re-reads every few seconds while something is on its way (a phase not yet settled). */
const POLL_MS = 2000;

/**
 * 我的服务: a department's instances (status, item and version, upgrade or back), its bindings (bind an application,
 * unbind, reveal the credentials, which the server records), and its data-sharing subscriptions.
 */
export function ServicesPage() {
  const { t } = useI18n();
  const can = useCan();
  const choices = useDepartmentChoices(false);
  const [tenant, setTenant] = useSearchParam('tenant');
  const writable = tenant ? canWrite(can, tenant) : false;
  return (
    <div data-testid="market-services">
      <PageHeader
        title={t('nav.myServices')}
        subtitle={t('market.services.subtitle')}
        extra={<DepartmentSelect choices={choices} value={tenant} onChange={setTenant} testId="services-department" />}
      />
      {tenant && (
        <Tabs
          key={tenant}
          items={[
            {
              key: 'instances',
              label: t('market.services.instances'),
              children: <InstancesAndBindings tenant={tenant} writable={writable} />,
            },
            {
              key: 'sharing',
              label: t('market.sharing.tab'),
              children: <SharingTab tenant={tenant} writable={writable} />,
            },
          ]}
        />
      )}
    </div>
  );
}

function useTicker(active: boolean): number {
  const [n, setN] = useState(0);
  useEffect(() => {
    if (!active) return;
    const h = setInterval(() => setN((x) => x + 1), POLL_MS);
    return () => clearInterval(h);
  }, [active]);
  return n;
}

function InstancesAndBindings(props: { tenant: string; writable: boolean }) {
  const { tenant, writable } = props;
  const { t, lang } = useI18n();
  const st = useServerText();
  const { message } = App.useApp();
  const catalog = useFetch<{ items: CatalogEntry[] }>(marketPaths.catalog);
  const [tick, setTick] = useState(0);
  const instances = useFetch<{ items: MarketInstance[] }>(marketPaths.instances(tenant), [tick], 500);
  const bindings = useFetch<{ items: ServiceBinding[] }>(marketPaths.bindings(tenant), [tick], 500);
  const unsettled =
    (instances.data?.items ?? []).some((i) => i.status?.phase !== 'Ready' && i.status?.phase !== 'Failed') ||
    (bindings.data?.items ?? []).some((b) => b.status?.phase !== 'Ready' && b.status?.phase !== 'Failed');
  const poll = useTicker(unsettled);
  useEffect(() => {
    if (poll > 0) setTick((x) => x + 1);
  }, [poll]);
  const reload = () => setTick((x) => x + 1);
  const [error, setError] = useState<ApiError>();
  const entryOf = (item: string) => catalog.data?.items.find((c) => c.name === item);
  const [target, setTarget] = useState<Record<string, string>>({});
  const [binding, setBinding] = useState(false);
  const [revealed, setRevealed] = useState<{ binding: string; values: Record<string, string> }>();

  const act = async (fn: () => Promise<unknown>, done?: string) => {
    try {
      await fn();
      setError(undefined);
      if (done) void message.success(done);
      reload();
    } catch (e) {
      setError(toApiError(e));
    }
  };
  const move = (name: string, version: string) =>
    act(
      () =>
        api(marketPaths.instance(tenant, name), {
          method: 'PATCH',
          body: { spec: { version } },
          contentType: 'application/merge-patch+json',
        }),
      t('market.services.moved', { name, version }),
    );
  const reveal = async (name: string) => {
    try {
      const r = await api<{ values: Record<string, string> }>(marketPaths.reveal(tenant, name), { body: {} });
      setError(undefined);
      setRevealed({ binding: name, values: r.values });
    } catch (e) {
      setError(toApiError(e));
    }
  };

  return (
    <div>
      <ErrorAlert error={error ?? instances.error ?? bindings.error} />
      <Typography.Title level={5}>{t('market.services.instances')}</Typography.Title>
      <Table<MarketInstance>
        size="small"
        rowKey={(x) => x.metadata.name}
        pagination={false}
        data-testid="services-instances"
        loading={instances.loading}
        dataSource={instances.data?.items ?? []}
        locale={{ emptyText: <Link to="/market">{t('market.services.noInstances')}</Link> }}
        columns={[
          { title: t('common.name'), render: (_, x) => <code>{x.metadata.name}</code> },
          {
            title: t('market.item.label'),
            render: (_, x) => {
              const e = entryOf(x.spec.item);
              return <Link to={`/market/${x.spec.item}`}>{e ? localName(e.displayName, lang) : x.spec.item}</Link>;
            },
          },
          {
            title: t('market.version'),
            render: (_, x) => <code data-testid="instance-version">{x.spec.version}</code>,
          },
          {
            title: t('market.status'),
            render: (_, x) => (
              <Space direction="vertical" size={0}>
                <MarketPhaseTag phase={x.status?.phase} testId={`instance-phase-${x.metadata.name}`} />
                {x.status?.detail && x.status.phase === 'Failed' && (
                  <Typography.Text type="danger" style={{ fontSize: 12 }}>
                    {st.text(x.status.detail)}
                  </Typography.Text>
                )}
              </Space>
            ),
          },
          {
            title: t('market.services.changeVersion'),
            render: (_, x) => {
              const others = otherVersions(entryOf(x.spec.item), x.spec.version);
              if (!writable || others.length === 0) return '—';
              const chosen = target[x.metadata.name] ?? others[0]!.version;
              const newer = others.find((o) => o.version === chosen)?.newer ?? true;
              return (
                <Space>
                  <Select
                    size="small"
                    style={{ width: 110 }}
                    value={chosen}
                    onChange={(v) => setTarget({ ...target, [x.metadata.name]: v })}
                    options={others.map((o) => ({ value: o.version, label: o.version }))}
                    data-testid={`instance-target-${x.metadata.name}`}
                  />
                  <Popconfirm
                    title={t(newer ? 'market.services.confirmUpgrade' : 'market.services.confirmBack', {
                      name: x.metadata.name,
                      version: chosen,
                    })}
                    okText={t('market.services.confirm')}
                    cancelText={t('admin.cancel')}
                    onConfirm={() => move(x.metadata.name, chosen)}
                  >
                    <Button size="small" data-testid={`instance-move-${x.metadata.name}`}>
                      {t(newer ? 'market.services.upgrade' : 'market.services.back')}
                    </Button>
                  </Popconfirm>
                </Space>
              );
            },
          },
          {
            title: t('admin.actions'),
            render: (_, x) =>
              writable && (
                <Popconfirm
                  title={t('market.services.confirmDelete', { name: x.metadata.name })}
                  okText={t('market.services.delete')}
                  cancelText={t('admin.cancel')}
                  okButtonProps={{ danger: true }}
                  onConfirm={() => act(() => api(marketPaths.instance(tenant, x.metadata.name), { method: 'DELETE' }))}
                >
                  <Button size="small" danger>
                    {t('market.services.delete')}
                  </Button>
                </Popconfirm>
              ),
          },
        ]}
      />
      <Space style={{ margin: '24px 0 8px' }}>
        <Typography.Title level={5} style={{ margin: 0 }}>
          {t('market.services.bindings')}
        </Typography.Title>
        {writable && (
          <Button size="small" type="primary" onClick={() => setBinding(true)} data-testid="binding-create">
            {t('market.services.bind')}
          </Button>
        )}
      </Space>
      <Table<ServiceBinding>
        size="small"
        rowKey={(x) => x.metadata.name}
        pagination={false}
        data-testid="services-bindings"
        loading={bindings.loading}
        dataSource={bindings.data?.items ?? []}
        columns={[
          { title: t('common.name'), render: (_, x) => <code>{x.metadata.name}</code> },
          {
            title: t('market.services.application'),
            render: (_, x) => <Link to={`/applications/${tenant}/${x.spec.application}`}>{x.spec.application}</Link>,
          },
          {
            title: t('market.services.instance'),
            render: (_, x) => (
              <>
                <code>{x.spec.instance}</code>
                {x.spec.shared ? ` (${t('market.services.shared')})` : ''}
              </>
            ),
          },
          {
            title: t('market.status'),
            render: (_, x) => (
              <Space direction="vertical" size={0}>
                <MarketPhaseTag phase={x.status?.phase} testId={`binding-phase-${x.metadata.name}`} />
                {x.status?.detail && (
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {st.text(x.status.detail)}
                  </Typography.Text>
                )}
              </Space>
            ),
          },
          {
            title: t('admin.actions'),
            render: (_, x) => (
              <Space>
                {x.status?.phase === 'Ready' && (
                  <Popconfirm
                    title={t('market.services.confirmReveal')}
                    okText={t('market.services.reveal')}
                    cancelText={t('admin.cancel')}
                    onConfirm={() => reveal(x.metadata.name)}
                    okButtonProps={{ 'data-testid': 'binding-reveal-confirm' }}
                  >
                    <Button size="small" data-testid={`binding-reveal-${x.metadata.name}`}>
                      {t('market.services.reveal')}
                    </Button>
                  </Popconfirm>
                )}
                {writable && (
                  <Popconfirm
                    title={t('market.services.confirmUnbind', { name: x.metadata.name })}
                    okText={t('market.services.unbind')}
                    cancelText={t('admin.cancel')}
                    okButtonProps={{ danger: true }}
                    onConfirm={() =>
                      act(
                        () => api(marketPaths.binding(tenant, x.metadata.name), { method: 'DELETE' }),
                        t('market.services.unbound', { name: x.metadata.name }),
                      )
                    }
                  >
                    <Button size="small" danger data-testid={`binding-delete-${x.metadata.name}`}>
                      {t('market.services.unbind')}
                    </Button>
                  </Popconfirm>
                )}
              </Space>
            ),
          },
        ]}
      />
      <BindModal
        open={binding}
        tenant={tenant}
        instances={(instances.data?.items ?? []).filter((i) =>
          entryOf(i.spec.item)?.versions.some((v) => v.connection),
        )}
        onClose={(made) => {
          setBinding(false);
          if (made) {
            void message.success(t('market.services.bound', { name: made }));
            reload();
          }
        }}
      />
      <Modal
        open={revealed !== undefined}
        title={t('market.services.revealTitle', { name: revealed?.binding ?? '' })}
        onOk={() => setRevealed(undefined)}
        onCancel={() => setRevealed(undefined)}
        cancelButtonProps={{ style: { display: 'none' } }}
        okButtonProps={{ 'data-testid': 'reveal-close' }}
        width={720}
      >
        <Typography.Paragraph type="secondary">{t('market.services.revealAudited')}</Typography.Paragraph>
        <Table
          size="small"
          pagination={false}
          rowKey="key"
          data-testid="reveal-values"
          dataSource={Object.entries(revealed?.values ?? {}).map(([key, value]) => ({ key, value }))}
          columns={[
            { title: t('market.services.variable'), render: (_, r) => <code>{r.key}</code> },
            {
              title: t('market.services.value'),
              render: (_, r) => (
                <Typography.Text copyable code data-testid={`reveal-${r.key}`}>
                  {r.value}
                </Typography.Text>
              ),
            },
          ]}
        />
      </Modal>
    </div>
  );
}

function BindModal(props: {
  open: boolean;
  tenant: string;
  instances: readonly MarketInstance[];
  onClose: (made?: string) => void;
}) {
  const { t } = useI18n();
  const st = useServerText();
  const apps = useFetch<{ items: Application[] }>(props.open ? paths.applications(props.tenant) : undefined);
  // Applications the marketplace made for its own instances are not bound to other instances here.
  const appOptions = useMemo(
    () =>
      (apps.data?.items ?? [])
        .filter((a) => !a.metadata.labels?.['market.polis.io/instance'])
        .map((a) => ({ value: a.metadata.name, label: a.metadata.name })),
    [apps.data],
  );
  const [form] = Form.useForm<{ application: string; instance: string; name: string }>();
  const [error, setError] = useState<ApiError>();
  const suggest = () => {
    const v = form.getFieldsValue();
    if (v.application && v.instance && !form.isFieldTouched('name'))
      form.setFieldValue('name', `${v.application}-${v.instance}`.slice(0, 63).replace(/-+$/, ''));
  };
  const submit = async () => {
    const v = await form.validateFields().catch(() => undefined);
    if (!v) return;
    try {
      await api(marketPaths.bindings(props.tenant), {
        body: {
          apiVersion: 'market.polis.io/v1',
          kind: 'ServiceBinding',
          metadata: { name: v.name },
          spec: { instance: v.instance, application: v.application },
        },
      });
      setError(undefined);
      form.resetFields();
      props.onClose(v.name);
    } catch (e) {
      const err = toApiError(e);
      const at: Record<string, 'name' | 'instance' | 'application'> = {
        'metadata.name': 'name',
        'spec.instance': 'instance',
        'spec.application': 'application',
      };
      const onField = err.causes.filter((c) => at[c.path]);
      form.setFields(onField.map((c) => ({ name: at[c.path]!, errors: [st.text(c)] })));
      setError(onField.length === err.causes.length && onField.length > 0 ? undefined : err);
    }
  };
  return (
    <Modal
      open={props.open}
      title={t('market.services.bind')}
      okText={t('market.services.bind')}
      cancelText={t('admin.cancel')}
      onOk={() => void submit()}
      onCancel={() => props.onClose()}
      okButtonProps={{ 'data-testid': 'binding-submit' }}
    >
      <ErrorAlert error={error} />
      <Form form={form} layout="vertical" onValuesChange={suggest}>
        <Form.Item
          name="application"
          label={t('market.services.application')}
          rules={[{ required: true, message: t('admin.required') }]}
        >
          <Select options={appOptions} showSearch data-testid="binding-application" />
        </Form.Item>
        <Form.Item
          name="instance"
          label={t('market.services.instance')}
          rules={[{ required: true, message: t('admin.required') }]}
          extra={props.instances.length === 0 ? t('market.services.noBindable') : undefined}
        >
          <Select
            data-testid="binding-instance"
            options={props.instances.map((i) => ({
              value: i.metadata.name,
              label: `${i.metadata.name} (${i.spec.item} ${i.spec.version})`,
            }))}
          />
        </Form.Item>
        <Form.Item
          name="name"
          label={t('market.services.bindingName')}
          rules={[{ required: true, message: t('admin.required') }]}
          extra={t('market.services.bindingNameHelp')}
        >
          <Input data-testid="binding-name" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
