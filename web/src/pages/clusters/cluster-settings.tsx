import { Button, Col, Form, InputNumber, Modal, Row, Select } from 'antd';
import { useState } from 'react';
import type { ApiError } from '../../api/api-error.ts';
import type { Cluster } from '../../api/types.ts';
import { ErrorAlert } from '../../components/error-alert.tsx';
import type { MessageKey } from '../../i18n/i18n.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { useServerText } from '../../i18n/server-messages.ts';
import { patchCluster } from './cluster-patch.ts';
import type { ClusterSettingsValues } from './cluster-values.ts';
import { clusterSettingsFieldOf, clusterSettingsPatch, clusterSettingsValues } from './cluster-values.ts';

const ROLES = ['primary', 'burst', 'disaster-recovery'] as const;

/**
 * Edit a cluster's role and price list (`spec.role`, `spec.prices`): one merge patch, as `polis apply` would send,
 * validated and audited by the server; what it refuses is shown at the field and goes when the field changes.
 */
export function ClusterSettings(props: { cluster: Cluster }) {
  const { t } = useI18n();
  const st = useServerText();
  const c = props.cluster;
  const [open, setOpen] = useState(false);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [form] = Form.useForm<ClusterSettingsValues>();

  const save = async () => {
    const v = await form.validateFields().catch(() => undefined);
    if (!v) return;
    setSaving(true);
    try {
      await patchCluster(c.metadata.name, clusterSettingsPatch(v));
      setError(undefined);
      setOpen(false);
    } catch (e) {
      const err = e as ApiError;
      const fields = new Map<string, string[]>();
      const rest = (err.causes ?? []).filter((cause) => {
        const f = clusterSettingsFieldOf(cause.path);
        if (!f) return true;
        fields.set(f, [...(fields.get(f) ?? []), st.text(cause)]);
        return false;
      });
      form.setFields([...fields].map(([name, errors]) => ({ name: name as keyof ClusterSettingsValues, errors })));
      setError(fields.size > 0 && rest.length === 0 ? undefined : err);
    } finally {
      setSaving(false);
    }
  };

  const price = (name: keyof ClusterSettingsValues, label: MessageKey, max?: number) => (
    <Col span={12}>
      <Form.Item name={name} label={t(label)}>
        <InputNumber min={0} max={max} step={0.01} style={{ width: '100%' }} data-testid={`cluster-${name}`} />
      </Form.Item>
    </Col>
  );

  return (
    <>
      <Button
        data-testid="cluster-edit-settings"
        onClick={() => {
          form.resetFields();
          form.setFieldsValue(clusterSettingsValues(c));
          setError(undefined);
          setOpen(true);
        }}
      >
        {t('admin.cluster.editSettings')}
      </Button>
      <Modal
        open={open}
        title={t('admin.cluster.settingsTitle', { cluster: c.metadata.name })}
        okText={t('admin.save')}
        cancelText={t('admin.cancel')}
        onOk={() => void save()}
        confirmLoading={saving}
        onCancel={() => setOpen(false)}
        width={640}
        okButtonProps={{ 'data-testid': 'cluster-settings-submit' }}
      >
        <ErrorAlert error={error} />
        <Form
          form={form}
          layout="vertical"
          autoComplete="off"
          onValuesChange={(changed: Partial<ClusterSettingsValues>) =>
            form.setFields(
              Object.keys(changed).map((name) => ({ name: name as keyof ClusterSettingsValues, errors: [] })),
            )
          }
        >
          <Form.Item
            name="role"
            label={t('admin.cluster.role')}
            rules={[{ required: true, message: t('admin.required') }]}
          >
            <Select
              data-testid="cluster-role"
              options={ROLES.map((r) => ({ value: r, label: t(`role.cluster.${r}` as MessageKey) }))}
            />
          </Form.Item>
          <Row gutter={12}>
            {price('cpuCoreHour', 'admin.cluster.cpuPrice')}
            {price('memoryGiBHour', 'admin.cluster.memoryPrice')}
            {price('storageGiBMonth', 'admin.cluster.storagePrice')}
            {price('burstPremiumPercent', 'admin.cluster.burstPremium', 1000)}
            {price('fixedMonthly', 'admin.cluster.fixedMonthly')}
            <Col span={12}>
              <Form.Item name="billing" label={t('admin.cluster.billing')}>
                <Select
                  allowClear
                  data-testid="cluster-billing"
                  options={(['capacity', 'usage'] as const).map((b) => ({
                    value: b,
                    label: t(`admin.cluster.billing.${b}`),
                  }))}
                />
              </Form.Item>
            </Col>
          </Row>
        </Form>
      </Modal>
    </>
  );
}
