import {
  App,
  Button,
  Card,
  Empty,
  Form,
  Input,
  Modal,
  Popconfirm,
  Space,
  Statistic,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useMemo, useState } from 'react';
import type { ApiError } from '../../api/api-error.ts';
import { toApiError } from '../../api/api-error.ts';
import { api } from '../../api/client.ts';
import { useCan } from '../../auth/session.tsx';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { PageHeader } from '../../components/page.tsx';
import { useFetch } from '../../data/hooks.ts';
import { localName, useI18n } from '../../i18n/i18n.tsx';
import { useServerText } from '../../i18n/server-messages.ts';
import type { ItemObject, VersionObject } from './market-model.ts';
import { compareVersions, versionObjectName } from './market-model.ts';
import { marketPaths } from './market-paths.ts';
import { ItemIcon, MarketPhaseTag } from './market-parts.tsx';

interface ItemUsage {
  readonly item: string;
  readonly instances: number;
  readonly sharedInstances: number;
  readonly bindings: number;
  readonly departments: number;
}

/**
 * 发布: a vendor's items (those it maintains first), each with its versions (draft a new one from the newest, submit a
 * draft, which runs the automatic checks) and how many instances, bindings and departments use it.
 */
export function PublishPage() {
  const { t, lang } = useI18n();
  const st = useServerText();
  const can = useCan();
  const { message } = App.useApp();
  const [tick, setTick] = useState(0);
  const reload = () => setTick((x) => x + 1);
  const items = useFetch<{ items: ItemObject[] }>(marketPaths.items, [tick], 500);
  const versions = useFetch<{ items: VersionObject[] }>(marketPaths.versions, [tick], 500);
  const usage = useFetch<{ items: ItemUsage[] }>(marketPaths.usage, [tick], 500);
  const [error, setError] = useState<ApiError>();
  const [drafting, setDrafting] = useState<{ item: string; from: VersionObject }>();
  const [form] = Form.useForm<{ version: string }>();
  const mine = (i: ItemObject) => (i.spec.maintainers ?? []).includes(can.user);
  const sorted = useMemo(
    () =>
      [...(items.data?.items ?? [])].sort(
        (a, b) => Number(mine(b)) - Number(mine(a)) || a.metadata.name.localeCompare(b.metadata.name),
      ),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [items.data, can.user],
  );
  const versionsOf = (item: string) =>
    (versions.data?.items ?? [])
      .filter((v) => v.spec.item === item)
      .sort((a, b) => compareVersions(b.spec.version, a.spec.version));

  const run = async (fn: () => Promise<unknown>, done: string) => {
    try {
      await fn();
      setError(undefined);
      void message.success(done);
      reload();
      return true;
    } catch (e) {
      setError(toApiError(e));
      return false;
    }
  };
  const draft = async () => {
    const v = await form.validateFields().catch(() => undefined);
    if (!v || !drafting) return;
    const { from, item } = drafting;
    const name = versionObjectName(item, v.version);
    const ok = await run(
      () =>
        api(marketPaths.versions, {
          body: {
            apiVersion: 'market.polis.io/v1',
            kind: 'CatalogItemVersion',
            metadata: { name },
            spec: { ...from.spec, version: v.version },
          },
        }),
      t('market.publish.drafted', { version: name }),
    );
    if (ok) setDrafting(undefined);
  };

  return (
    <div data-testid="market-publish">
      <PageHeader title={t('nav.marketPublish')} subtitle={t('market.publish.subtitle')} />
      {!drafting && <ErrorAlert error={error ?? items.error} />}
      {sorted.length === 0 && !items.loading && <Empty description={t('market.publish.none')} />}
      {sorted.map((i) => {
        const u = usage.data?.items.find((x) => x.item === i.metadata.name);
        const vs = versionsOf(i.metadata.name);
        return (
          <Card
            key={i.metadata.name}
            size="small"
            style={{ marginBottom: 16 }}
            data-testid={`publish-item-${i.metadata.name}`}
            title={
              <Space>
                <ItemIcon entry={{ ...i.spec, name: i.metadata.name }} size={28} />
                {localName(i.spec.displayName, lang, i.metadata.name)}
                <code>{i.metadata.name}</code>
                {mine(i) && <Tag color="blue">{t('market.publish.maintainer')}</Tag>}
                {i.status?.state && i.status.state !== 'active' && (
                  <Tag color="warning">{t(`market.state.${i.status.state as 'deprecated' | 'suspended'}`)}</Tag>
                )}
              </Space>
            }
            extra={
              vs[0] && (
                <Button
                  size="small"
                  data-testid={`publish-new-${i.metadata.name}`}
                  onClick={() => {
                    form.resetFields();
                    setDrafting({ item: i.metadata.name, from: vs[0]! });
                  }}
                >
                  {t('market.publish.newVersion')}
                </Button>
              )
            }
          >
            <Space size={32} style={{ marginBottom: 12 }}>
              <Statistic title={t('market.publish.instances')} value={u?.instances ?? 0} />
              <Statistic title={t('market.publish.bindings')} value={u?.bindings ?? 0} />
              <Statistic
                title={t('market.publish.departments')}
                value={u?.departments ?? 0}
                valueStyle={{ fontSize: 24 }}
              />
            </Space>
            <Table<VersionObject>
              size="small"
              rowKey={(v) => v.metadata.name}
              pagination={false}
              dataSource={vs}
              columns={[
                { title: t('market.version'), render: (_, v) => <code>{v.spec.version}</code> },
                { title: t('market.status'), render: (_, v) => <MarketPhaseTag phase={v.status?.phase ?? 'Draft'} /> },
                {
                  title: t('market.publish.checks'),
                  render: (_, v) => {
                    const failed = (v.status?.checks ?? []).filter((c) => !c.ok);
                    if (!v.status?.checks) return '—';
                    return failed.length === 0 ? (
                      <Tag color="success">{t('market.review.passed')}</Tag>
                    ) : (
                      failed
                        .flatMap((c) => c.problems)
                        .map((p, k) => (
                          <div key={k}>
                            <Typography.Text type="danger">{st.text(p)}</Typography.Text>
                          </div>
                        ))
                    );
                  },
                },
                {
                  title: t('market.review.reviewer'),
                  render: (_, v) =>
                    v.status?.reviewedBy
                      ? `${v.status.reviewedBy}${v.status.comment ? `: ${v.status.comment}` : ''}`
                      : '—',
                },
                {
                  title: t('admin.actions'),
                  render: (_, v) => {
                    const phase = v.status?.phase ?? 'Draft';
                    if (phase !== 'Draft' && phase !== 'Rejected') return null;
                    return (
                      <Space>
                        <Button
                          size="small"
                          type="primary"
                          data-testid={`publish-submit-${v.metadata.name}`}
                          onClick={() =>
                            void run(
                              () => api(marketPaths.review(v.metadata.name, 'submit'), { body: {} }),
                              t('market.publish.submitted', { version: v.metadata.name }),
                            )
                          }
                        >
                          {t('market.publish.submit')}
                        </Button>
                        <Popconfirm
                          title={t('market.publish.confirmDelete', { version: v.metadata.name })}
                          okText={t('market.services.delete')}
                          cancelText={t('admin.cancel')}
                          okButtonProps={{ danger: true }}
                          onConfirm={() =>
                            void run(
                              () => api(marketPaths.version(v.metadata.name), { method: 'DELETE' }),
                              t('market.publish.deleted', { version: v.metadata.name }),
                            )
                          }
                        >
                          <Button size="small" danger>
                            {t('market.services.delete')}
                          </Button>
                        </Popconfirm>
                      </Space>
                    );
                  },
                },
              ]}
            />
          </Card>
        );
      })}
      <Modal
        open={drafting !== undefined}
        title={t('market.publish.newVersionTitle', {
          item: drafting?.item ?? '',
          from: drafting?.from.spec.version ?? '',
        })}
        okText={t('market.publish.createDraft')}
        cancelText={t('admin.cancel')}
        onOk={() => void draft()}
        onCancel={() => setDrafting(undefined)}
        okButtonProps={{ 'data-testid': 'publish-draft-submit' }}
      >
        <ErrorAlert error={error} />
        <Typography.Paragraph type="secondary">{t('market.publish.newVersionHelp')}</Typography.Paragraph>
        <Form form={form} layout="vertical">
          <Form.Item
            name="version"
            label={t('market.version')}
            rules={[
              { required: true, message: t('admin.required') },
              { pattern: /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, message: t('market.publish.semver') },
            ]}
          >
            <Input placeholder="1.2.3" data-testid="publish-version" />
          </Form.Item>
        </Form>
      </Modal>
    </div>
  );
}
