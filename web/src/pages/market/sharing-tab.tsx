import { App, Button, Form, Input, Modal, Popconfirm, Select, Space, Table, Typography } from 'antd';
import { useMemo, useState } from 'react';
import type { ApiError } from '../../api/api-error.ts';
import { toApiError } from '../../api/api-error.ts';
import { api } from '../../api/client.ts';
import { paths } from '../../api/paths.ts';
import type { Application } from '../../api/types.ts';
import type { KubeObject } from '../../api/watch-reducer.ts';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { useFetch } from '../../data/hooks.ts';
import { localName, useI18n } from '../../i18n/i18n.tsx';
import type { Coded } from '../../i18n/server-messages.ts';
import { useServerText } from '../../i18n/server-messages.ts';
import type { Bilingual } from './market-model.ts';
import { marketPaths } from './market-paths.ts';
import { MarketPhaseTag } from './market-parts.tsx';

interface DirectoryEntry {
  readonly department: string;
  readonly name: string;
  readonly displayName: Bilingual;
  readonly description: Bilingual;
}

interface Subscription extends KubeObject {
  readonly spec: { readonly department: string; readonly api: string; readonly application: string };
  readonly status?: { readonly phase?: string; readonly detail?: Coded };
}

interface Subscriber {
  readonly department: string;
  readonly subscription: string;
  readonly application: string;
  readonly phase: string;
}

interface SharedApi extends KubeObject {
  readonly spec: { readonly application: string; readonly displayName: Bilingual };
  readonly status?: { readonly subscribers?: readonly Subscriber[] };
}

/**
 * Data sharing from one department's side: the subscriptions it asked for (and their state), asking for a new one
 * from the directory, and, for the APIs it publishes, who asked, with approve, refuse (with a comment) and revoke.
 */
export function SharingTab(props: { tenant: string; writable: boolean }) {
  const { tenant, writable } = props;
  const { t, lang } = useI18n();
  const st = useServerText();
  const { message } = App.useApp();
  const [tick, setTick] = useState(0);
  const reload = () => setTick((x) => x + 1);
  const subs = useFetch<{ items: Subscription[] }>(marketPaths.subscriptions(tenant), [tick], 500);
  const own = useFetch<{ items: SharedApi[] }>(marketPaths.sharedApis(tenant), [tick], 500);
  const directory = useFetch<{ items: DirectoryEntry[] }>(marketPaths.directory);
  const [error, setError] = useState<ApiError>();
  const [asking, setAsking] = useState(false);
  const [refusing, setRefusing] = useState<{ api: string; s: Subscriber }>();
  const [comment, setComment] = useState('');
  const apiName = (department: string, name: string) => {
    const d = directory.data?.items.find((x) => x.department === department && x.name === name);
    return d ? localName(d.displayName, lang, name) : name;
  };
  const decide = async (api_: string, s: Subscriber, verdict: 'approve' | 'refuse' | 'revoke', note?: string) => {
    try {
      await api(marketPaths.decide(tenant, api_, verdict), {
        body: { department: s.department, subscription: s.subscription, ...(note ? { comment: note } : {}) },
      });
      setError(undefined);
      void message.success(t(`market.sharing.done.${verdict}`, { subscription: s.subscription }));
      reload();
    } catch (e) {
      setError(toApiError(e));
    }
  };
  const subscribers = (own.data?.items ?? []).flatMap((a) => (a.status?.subscribers ?? []).map((s) => ({ api: a, s })));

  return (
    <div>
      <ErrorAlert error={error ?? subs.error} />
      <Space style={{ marginBottom: 8 }}>
        <Typography.Title level={5} style={{ margin: 0 }}>
          {t('market.sharing.mine')}
        </Typography.Title>
        {writable && (
          <Button size="small" type="primary" onClick={() => setAsking(true)} data-testid="subscription-create">
            {t('market.sharing.request')}
          </Button>
        )}
      </Space>
      <Table<Subscription>
        size="small"
        rowKey={(x) => x.metadata.name}
        pagination={false}
        data-testid="sharing-subscriptions"
        dataSource={subs.data?.items ?? []}
        columns={[
          { title: t('common.name'), render: (_, x) => <code>{x.metadata.name}</code> },
          {
            title: t('market.sharing.api'),
            render: (_, x) => `${apiName(x.spec.department, x.spec.api)} (${x.spec.department}/${x.spec.api})`,
          },
          { title: t('market.services.application'), render: (_, x) => x.spec.application },
          {
            title: t('market.status'),
            render: (_, x) => (
              <Space direction="vertical" size={0}>
                <MarketPhaseTag phase={x.status?.phase ?? 'Requested'} />
                {x.status?.detail && (
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {st.text(x.status.detail)}
                  </Typography.Text>
                )}
              </Space>
            ),
          },
        ]}
      />
      {subscribers.length > 0 && (
        <>
          <Typography.Title level={5} style={{ marginTop: 24 }}>
            {t('market.sharing.requests')}
          </Typography.Title>
          <Table
            size="small"
            rowKey={(r) => `${r.api.metadata.name}/${r.s.department}/${r.s.subscription}`}
            pagination={false}
            data-testid="sharing-requests"
            dataSource={subscribers}
            columns={[
              { title: t('market.sharing.api'), render: (_, r) => localName(r.api.spec.displayName, lang) },
              { title: t('common.department'), render: (_, r) => r.s.department },
              { title: t('market.services.application'), render: (_, r) => r.s.application },
              { title: t('market.status'), render: (_, r) => <MarketPhaseTag phase={r.s.phase} /> },
              {
                title: t('admin.actions'),
                render: (_, r) =>
                  writable && (
                    <Space>
                      {(r.s.phase === 'Requested' || r.s.phase === 'Refused') && (
                        <Button
                          size="small"
                          type="primary"
                          onClick={() => void decide(r.api.metadata.name, r.s, 'approve')}
                        >
                          {t('market.sharing.approve')}
                        </Button>
                      )}
                      {r.s.phase === 'Requested' && (
                        <Button size="small" danger onClick={() => setRefusing({ api: r.api.metadata.name, s: r.s })}>
                          {t('market.sharing.refuse')}
                        </Button>
                      )}
                      {r.s.phase === 'Approved' && (
                        <Popconfirm
                          title={t('market.sharing.confirmRevoke', { subscription: r.s.subscription })}
                          okText={t('market.sharing.revoke')}
                          cancelText={t('admin.cancel')}
                          okButtonProps={{ danger: true }}
                          onConfirm={() => decide(r.api.metadata.name, r.s, 'revoke')}
                        >
                          <Button size="small" danger>
                            {t('market.sharing.revoke')}
                          </Button>
                        </Popconfirm>
                      )}
                    </Space>
                  ),
              },
            ]}
          />
        </>
      )}
      <Modal
        open={refusing !== undefined}
        title={t('market.sharing.refuseTitle', { subscription: refusing?.s.subscription ?? '' })}
        okText={t('market.sharing.refuse')}
        cancelText={t('admin.cancel')}
        okButtonProps={{ danger: true }}
        onCancel={() => setRefusing(undefined)}
        onOk={() => {
          if (refusing) void decide(refusing.api, refusing.s, 'refuse', comment.trim());
          setRefusing(undefined);
          setComment('');
        }}
      >
        <Input.TextArea value={comment} onChange={(e) => setComment(e.target.value)} maxLength={2000} />
      </Modal>
      <RequestModal
        open={asking}
        tenant={tenant}
        directory={(directory.data?.items ?? []).filter((d) => d.department !== tenant)}
        onClose={(made) => {
          setAsking(false);
          if (made) reload();
        }}
      />
    </div>
  );
}

function RequestModal(props: {
  open: boolean;
  tenant: string;
  directory: readonly DirectoryEntry[];
  onClose: (made?: string) => void;
}) {
  const { t, lang } = useI18n();
  const apps = useFetch<{ items: Application[] }>(props.open ? paths.applications(props.tenant) : undefined);
  const [form] = Form.useForm<{ api: string; application: string; name: string }>();
  const [error, setError] = useState<ApiError>();
  const options = useMemo(
    () =>
      props.directory.map((d) => ({
        value: `${d.department}/${d.name}`,
        label: `${localName(d.displayName, lang, d.name)} · ${d.department}`,
      })),
    [props.directory, lang],
  );
  const submit = async () => {
    const v = await form.validateFields().catch(() => undefined);
    if (!v) return;
    const [department, apiName] = v.api.split('/') as [string, string];
    try {
      await api(marketPaths.subscriptions(props.tenant), {
        body: {
          apiVersion: 'market.polis.io/v1',
          kind: 'APISubscription',
          metadata: { name: v.name },
          spec: { department, api: apiName, application: v.application },
        },
      });
      setError(undefined);
      form.resetFields();
      props.onClose(v.name);
    } catch (e) {
      setError(toApiError(e));
    }
  };
  return (
    <Modal
      open={props.open}
      title={t('market.sharing.request')}
      okText={t('market.sharing.request')}
      cancelText={t('admin.cancel')}
      onOk={() => void submit()}
      onCancel={() => props.onClose()}
    >
      <ErrorAlert error={error} />
      <Form
        form={form}
        layout="vertical"
        onValuesChange={(changed: { api?: string }) => {
          if (changed.api && !form.isFieldTouched('name'))
            form.setFieldValue('name', changed.api.replace('/', '-').slice(0, 63));
        }}
      >
        <Form.Item
          name="api"
          label={t('market.sharing.api')}
          rules={[{ required: true, message: t('admin.required') }]}
        >
          <Select options={options} showSearch optionFilterProp="label" />
        </Form.Item>
        <Form.Item
          name="application"
          label={t('market.services.application')}
          rules={[{ required: true, message: t('admin.required') }]}
        >
          <Select options={(apps.data?.items ?? []).map((a) => ({ value: a.metadata.name, label: a.metadata.name }))} />
        </Form.Item>
        <Form.Item name="name" label={t('common.name')} rules={[{ required: true, message: t('admin.required') }]}>
          <Input />
        </Form.Item>
      </Form>
    </Modal>
  );
}
