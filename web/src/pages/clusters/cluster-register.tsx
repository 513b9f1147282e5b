import { App, Button, Col, Form, Input, InputNumber, Modal, Row, Select, Typography } from 'antd';
import { useState } from 'react';
import type { ApiError } from '../../api/api-error.ts';
import { api } from '../../api/client.ts';
import { ErrorAlert } from '../../components/error-alert.tsx';
import type { MessageKey } from '../../i18n/i18n.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { useServerText } from '../../i18n/server-messages.ts';
import { registrationFieldOf } from './cluster-values.ts';

interface RegisterValues {
  name: string;
  kubeconfig: string;
  context?: string;
  vendor: string;
  region: string;
  zone: string;
  networkZone: string;
  role: 'primary' | 'burst' | 'disaster-recovery';
  cpuCoreHour?: number | null;
  memoryGiBHour?: number | null;
}

interface Registration {
  readonly cluster: { metadata: { name: string } };
  readonly server: string;
  readonly context: string;
  readonly auth: string;
}

const ROLES = ['primary', 'burst', 'disaster-recovery'] as const;

/**
 * Register a Kubernetes cluster by uploading its kubeconfig: `POST /api/v1/clusters`, the request `polis cluster add`
 * sends (the server reduces the kubeconfig to one context and keeps it encrypted; audited). "Check only" is its
 * dry run. What the server refuses lands at the field: every kubeconfig problem (exec plugins, file references, a
 * missing context …) under the file, in the reader's language, and goes when the field is changed.
 */
export function ClusterRegister() {
  const { t } = useI18n();
  const st = useServerText();
  const { message } = App.useApp();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [file, setFile] = useState<{ name: string; size: number }>();
  const [checked, setChecked] = useState<string>();
  const [error, setError] = useState<ApiError>();
  const [form] = Form.useForm<RegisterValues>();

  const send = async (dryRun: boolean) => {
    const v = await form.validateFields().catch(() => undefined);
    if (!v) return;
    setBusy(true);
    setChecked(undefined);
    try {
      const hasPrice = v.cpuCoreHour != null || v.memoryGiBHour != null;
      const r = await api<Registration>(`/api/v1/clusters${dryRun ? '?dryRun=All' : ''}`, {
        body: {
          name: v.name.trim(),
          kubeconfig: v.kubeconfig,
          ...(v.context?.trim() ? { context: v.context.trim() } : {}),
          vendor: v.vendor.trim(),
          region: v.region.trim(),
          zone: v.zone.trim(),
          networkZone: v.networkZone.trim(),
          role: v.role,
          ...(hasPrice ? { prices: { cpuCoreHour: v.cpuCoreHour ?? 0, memoryGiBHour: v.memoryGiBHour ?? 0 } } : {}),
        },
      });
      setError(undefined);
      if (dryRun) setChecked(t('admin.cluster.checked', { server: r.server, context: r.context }));
      else {
        setOpen(false);
        void message.success(
          t('admin.cluster.registeredNow', { cluster: r.cluster.metadata.name, server: r.server, auth: r.auth }),
        );
      }
    } catch (e) {
      const err = e as ApiError;
      const fields = new Map<string, string[]>();
      const rest = (err.causes ?? []).filter((c) => {
        const f = registrationFieldOf(c.path);
        if (!f) return true;
        const where = f === 'kubeconfig' && c.path !== 'kubeconfig' ? `${c.path.slice('kubeconfig.'.length)}: ` : '';
        fields.set(f, [...(fields.get(f) ?? []), where + st.text(c)]);
        return false;
      });
      form.setFields([...fields].map(([name, errors]) => ({ name: name as keyof RegisterValues, errors })));
      setError(fields.size > 0 && rest.length === 0 ? undefined : err);
    } finally {
      setBusy(false);
    }
  };

  const text = (name: keyof RegisterValues, label: MessageKey, placeholder: string, required = true) => (
    <Col span={12}>
      <Form.Item
        name={name}
        label={t(label)}
        rules={required ? [{ required: true, whitespace: true, message: t('admin.required') }] : []}
      >
        <Input placeholder={placeholder} data-testid={`register-${name}`} />
      </Form.Item>
    </Col>
  );

  return (
    <>
      <Button
        type="primary"
        data-testid="cluster-register"
        onClick={() => {
          form.resetFields();
          form.setFieldsValue({ role: 'primary' });
          setFile(undefined);
          setChecked(undefined);
          setError(undefined);
          setOpen(true);
        }}
      >
        {t('admin.cluster.register')}
      </Button>
      <Modal
        open={open}
        title={t('admin.cluster.registerTitle')}
        onCancel={() => setOpen(false)}
        width={720}
        footer={[
          <Button key="cancel" onClick={() => setOpen(false)}>
            {t('admin.cancel')}
          </Button>,
          <Button key="check" loading={busy} onClick={() => void send(true)} data-testid="register-check">
            {t('admin.cluster.checkOnly')}
          </Button>,
          <Button key="ok" type="primary" loading={busy} onClick={() => void send(false)} data-testid="register-submit">
            {t('admin.cluster.register')}
          </Button>,
        ]}
      >
        <Typography.Paragraph type="secondary">{t('admin.cluster.registerHelp')}</Typography.Paragraph>
        <ErrorAlert error={error} />
        {checked && (
          <Typography.Paragraph type="success" data-testid="register-checked">
            {checked}
          </Typography.Paragraph>
        )}
        <Form
          form={form}
          layout="vertical"
          autoComplete="off"
          onValuesChange={(changed: Partial<RegisterValues>) => {
            setChecked(undefined);
            form.setFields(Object.keys(changed).map((name) => ({ name: name as keyof RegisterValues, errors: [] })));
          }}
        >
          <Row gutter={12}>
            {text('name', 'admin.cluster.name', 'ack-hangzhou')}
            {text('context', 'admin.cluster.context', '', false)}
          </Row>
          <Form.Item
            name="kubeconfig"
            label={t('admin.cluster.kubeconfig')}
            rules={[{ required: true, message: t('admin.required') }]}
            extra={file ? t('admin.cluster.kubeconfigLoaded', { file: file.name, size: file.size }) : undefined}
          >
            <KubeconfigInput label={t('admin.cluster.kubeconfigPick')} onFile={setFile} />
          </Form.Item>
          <Row gutter={12}>
            {text('vendor', 'admin.cluster.vendor', 'aliyun')}
            {text('region', 'admin.cluster.region', 'cn-hangzhou')}
            {text('zone', 'admin.cluster.zone', 'cn-hangzhou-h')}
            {text('networkZone', 'admin.cluster.networkZone', 'e-gov-extranet')}
            <Col span={12}>
              <Form.Item name="role" label={t('admin.cluster.role')}>
                <Select
                  data-testid="register-role"
                  options={ROLES.map((r) => ({ value: r, label: t(`role.cluster.${r}` as MessageKey) }))}
                />
              </Form.Item>
            </Col>
            <Col span={6}>
              <Form.Item name="cpuCoreHour" label={t('admin.cluster.cpuPrice')}>
                <InputNumber min={0} step={0.01} style={{ width: '100%' }} data-testid="register-cpuCoreHour" />
              </Form.Item>
            </Col>
            <Col span={6}>
              <Form.Item name="memoryGiBHour" label={t('admin.cluster.memoryPrice')}>
                <InputNumber min={0} step={0.001} style={{ width: '100%' }} data-testid="register-memoryGiBHour" />
              </Form.Item>
            </Col>
          </Row>
        </Form>
      </Modal>
    </>
  );
}

/** A file input whose value (for the form) is the file's text. */
function KubeconfigInput(props: {
  label: string;
  onFile: (f: { name: string; size: number }) => void;
  onChange?: (text: string) => void;
}) {
  return (
    <input
      type="file"
      aria-label={props.label}
      data-testid="register-kubeconfig"
      onChange={(e) => {
        const f = e.target.files?.[0];
        if (!f) return;
        void f.text().then((content) => {
          props.onFile({ name: f.name, size: f.size });
          props.onChange?.(content);
        });
      }}
    />
  );
}
