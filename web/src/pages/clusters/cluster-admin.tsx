import { App, Button, Flex, Form, Input, Modal, Popconfirm, Space } from 'antd';
import { useState } from 'react';
import type { ApiError } from '../../api/api-error.ts';
import { api } from '../../api/client.ts';
import { paths } from '../../api/paths.ts';
import type { Cluster } from '../../api/types.ts';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { useI18n } from '../../i18n/i18n.tsx';

/** A JSON merge patch of the cluster, as `polis` sends it: the server validates, authorizes and audits it. */
function patchCluster(name: string, patch: unknown) {
  return api(paths.cluster(name), {
    method: 'PATCH',
    body: JSON.stringify(patch),
    contentType: 'application/merge-patch+json',
  });
}

/** The labels to send: the edited set, and null for each label that was removed (a merge patch deletes it). */
export function labelsPatch(
  before: Readonly<Record<string, string>>,
  after: readonly { key?: string; value?: string }[],
): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const k of Object.keys(before)) out[k] = null;
  for (const row of after) if (row.key?.trim()) out[row.key.trim()] = (row.value ?? '').trim();
  return out;
}

/** The data bureau's actions on one cluster: cordon or uncordon it, and edit its labels. */
export function ClusterAdminActions(props: { cluster: Cluster }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const c = props.cluster;
  const name = c.metadata.name;
  const [error, setError] = useState<ApiError>();
  const [editing, setEditing] = useState(false);
  const [saving, setSaving] = useState(false);
  const [form] = Form.useForm<{ labels: { key?: string; value?: string }[] }>();
  const labels = (c.metadata as { labels?: Record<string, string> }).labels ?? {};

  const cordon = async (on: boolean) => {
    try {
      await patchCluster(name, { spec: { cordoned: on } });
      setError(undefined);
      void message.success(t(on ? 'admin.cluster.cordonedNow' : 'admin.cluster.uncordonedNow', { cluster: name }));
    } catch (e) {
      setError(e as ApiError);
    }
  };
  const saveLabels = async () => {
    const v = await form.validateFields().catch(() => undefined);
    if (!v) return;
    setSaving(true);
    try {
      await patchCluster(name, { metadata: { labels: labelsPatch(labels, v.labels ?? []) } });
      setError(undefined);
      setEditing(false);
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setSaving(false);
    }
  };

  return (
    <>
      <Space>
        {c.spec.cordoned ? (
          <Button onClick={() => void cordon(false)} data-testid="cluster-uncordon">
            {t('admin.cluster.uncordon')}
          </Button>
        ) : (
          <Popconfirm
            title={t('admin.cluster.confirmCordon', { cluster: name })}
            description={t('clusters.cordonedHelp')}
            okText={t('admin.cluster.cordon')}
            cancelText={t('admin.cancel')}
            onConfirm={() => cordon(true)}
            okButtonProps={{ 'data-testid': 'cluster-cordon-confirm' }}
          >
            <Button data-testid="cluster-cordon">{t('admin.cluster.cordon')}</Button>
          </Popconfirm>
        )}
        <Button
          onClick={() => {
            form.setFieldsValue({ labels: Object.entries(labels).map(([key, value]) => ({ key, value })) });
            setEditing(true);
          }}
          data-testid="cluster-edit-labels"
        >
          {t('admin.cluster.editLabels')}
        </Button>
      </Space>
      {error && !editing && (
        <div style={{ marginTop: 8 }}>
          <ErrorAlert error={error} compact />
        </div>
      )}
      <Modal
        open={editing}
        title={t('admin.cluster.labelsTitle', { cluster: name })}
        okText={t('admin.save')}
        cancelText={t('admin.cancel')}
        onOk={() => void saveLabels()}
        confirmLoading={saving}
        onCancel={() => setEditing(false)}
        width={640}
        okButtonProps={{ 'data-testid': 'labels-submit' }}
      >
        <ErrorAlert error={error} />
        <Form form={form} autoComplete="off">
          <Form.List name="labels">
            {(fields, { add, remove }) => (
              <>
                {fields.map((f, i) => (
                  <Flex key={f.key} gap={8} align="baseline">
                    <Form.Item
                      name={[f.name, 'key']}
                      rules={[{ required: true, message: t('admin.required') }]}
                      style={{ flex: 1 }}
                    >
                      <Input placeholder={t('admin.cluster.labelKey')} data-testid={`label-key-${i}`} />
                    </Form.Item>
                    <Form.Item name={[f.name, 'value']} style={{ flex: 1 }}>
                      <Input placeholder={t('admin.cluster.labelValue')} data-testid={`label-value-${i}`} />
                    </Form.Item>
                    <Button onClick={() => remove(f.name)} data-testid={`label-remove-${i}`}>
                      {t('admin.remove')}
                    </Button>
                  </Flex>
                ))}
                <Button type="dashed" onClick={() => add({ key: '', value: '' })} data-testid="label-add" block>
                  {t('admin.cluster.addLabel')}
                </Button>
              </>
            )}
          </Form.List>
        </Form>
      </Modal>
    </>
  );
}
