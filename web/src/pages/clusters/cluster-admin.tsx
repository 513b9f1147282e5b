import { App, Button, Flex, Form, Input, Modal, Popconfirm, Space } from 'antd';
import { useState } from 'react';
import type { ApiError } from '../../api/api-error.ts';
import type { Cluster } from '../../api/types.ts';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { patchCluster } from './cluster-patch.ts';
import { ClusterSettings } from './cluster-settings.tsx';

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

/** The data bureau's actions on one cluster: cordon, drain, uncordon; prices and role; labels. */
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

  /** cordon: place nothing new; drain: move everything off; uncordon ends both (as `polis cluster …`). */
  const maintain = async (verb: 'cordon' | 'drain' | 'uncordon') => {
    const spec =
      verb === 'cordon'
        ? { cordoned: true }
        : verb === 'drain'
          ? { cordoned: true, draining: true }
          : { cordoned: null, draining: null };
    try {
      await patchCluster(name, { spec });
      setError(undefined);
      void message.success(
        t(
          verb === 'cordon'
            ? 'admin.cluster.cordonedNow'
            : verb === 'drain'
              ? 'admin.cluster.drainingNow'
              : 'admin.cluster.uncordonedNow',
          { cluster: name },
        ),
      );
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
        {c.spec.cordoned || c.spec.draining ? (
          <Button onClick={() => void maintain('uncordon')} data-testid="cluster-uncordon">
            {t('admin.cluster.uncordon')}
          </Button>
        ) : (
          <Popconfirm
            title={t('admin.cluster.confirmCordon', { cluster: name })}
            description={t('clusters.cordonedKeeps')}
            okText={t('admin.cluster.cordon')}
            cancelText={t('admin.cancel')}
            onConfirm={() => maintain('cordon')}
            okButtonProps={{ 'data-testid': 'cluster-cordon-confirm' }}
          >
            <Button data-testid="cluster-cordon">{t('admin.cluster.cordon')}</Button>
          </Popconfirm>
        )}
        {!c.spec.draining && (
          <Popconfirm
            title={t('admin.cluster.confirmDrain', { cluster: name })}
            description={t('admin.cluster.drainHelp')}
            okText={t('admin.cluster.drain')}
            cancelText={t('admin.cancel')}
            onConfirm={() => maintain('drain')}
            okButtonProps={{ danger: true, 'data-testid': 'cluster-drain-confirm' }}
          >
            <Button danger data-testid="cluster-drain">
              {t('admin.cluster.drain')}
            </Button>
          </Popconfirm>
        )}
        <ClusterSettings cluster={c} />
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
