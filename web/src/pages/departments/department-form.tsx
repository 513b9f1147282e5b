import { Col, Form, Input, InputNumber, Modal, Row, Select, Typography } from 'antd';
import { useEffect, useState } from 'react';
import type { ApiError } from '../../api/api-error.ts';
import { api } from '../../api/client.ts';
import { paths } from '../../api/paths.ts';
import type { Tenant } from '../../api/types.ts';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { localName, useI18n } from '../../i18n/i18n.tsx';
import { useServerText } from '../../i18n/server-messages.ts';
import type { DepartmentValues } from './department-values.ts';
import { departmentFieldOf, departmentValues, tenantBody, tenantPatch } from './department-values.ts';

/**
 * Create a department, or edit its names, parent, quota (the guarantee), borrowing limit and burst budget. It is sent
 * as the CLI sends it (POST, or a merge patch of what the form holds), so the server validates and audits it; what it
 * refuses is shown at the field, in the reader's language.
 */
export function DepartmentForm(props: {
  open: boolean;
  editing?: Tenant;
  departments: readonly Tenant[];
  onClose: () => void;
  onSaved: (name: string) => void;
}) {
  const { t, lang } = useI18n();
  const st = useServerText();
  const [form] = Form.useForm<DepartmentValues>();
  const [error, setError] = useState<ApiError>();
  const [saving, setSaving] = useState(false);
  const editing = props.editing;

  useEffect(() => {
    if (!props.open) return;
    setError(undefined);
    form.resetFields();
    form.setFieldsValue(departmentValues(editing));
  }, [props.open, editing, form]);

  const submit = async () => {
    let values: DepartmentValues;
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    setSaving(true);
    try {
      if (editing)
        await api(paths.tenant(editing.metadata.name), {
          method: 'PATCH',
          body: JSON.stringify(tenantPatch(values)),
          contentType: 'application/merge-patch+json',
        });
      else await api(paths.tenants, { method: 'POST', body: tenantBody(values) });
      props.onSaved(editing?.metadata.name ?? values.name);
    } catch (e) {
      const err = e as ApiError;
      const atFields = new Map<string, { name: string[]; errors: string[] }>();
      const rest = err.causes?.filter((c) => {
        const name = departmentFieldOf(c.path);
        if (!name) return true;
        const key = name.join('.');
        const f = atFields.get(key) ?? { name, errors: [] };
        f.errors.push(st.text(c));
        atFields.set(key, f);
        return false;
      });
      form.setFields([...atFields.values()] as Parameters<typeof form.setFields>[0]);
      setError(atFields.size > 0 && rest.length === 0 ? undefined : err);
    } finally {
      setSaving(false);
    }
  };

  const parents = props.departments
    .filter((d) => d.metadata.name !== editing?.metadata.name)
    .map((d) => ({ value: d.metadata.name, label: localName(d.spec.displayName, lang, d.metadata.name) }));
  const num = (name: string[], label: string, testId: string, extra?: string) => (
    <Form.Item name={name} label={label} extra={extra}>
      <InputNumber min={0} style={{ width: '100%' }} data-testid={testId} />
    </Form.Item>
  );
  const text = (name: string[], label: string, testId: string, placeholder: string) => (
    <Form.Item name={name} label={label}>
      <Input placeholder={placeholder} data-testid={testId} allowClear />
    </Form.Item>
  );

  return (
    <Modal
      open={props.open}
      title={editing ? t('admin.dept.editTitle', { name: editing.metadata.name }) : t('admin.dept.createTitle')}
      okText={t('admin.save')}
      cancelText={t('admin.cancel')}
      onOk={() => void submit()}
      confirmLoading={saving}
      onCancel={props.onClose}
      width={760}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'dept-form-submit' }}
    >
      <div data-testid="dept-form">
        <ErrorAlert error={error} />
        <Form
          form={form}
          layout="vertical"
          requiredMark="optional"
          // A server error goes as soon as its field is changed (the server judges the new value on save).
          onValuesChange={(changed: Partial<DepartmentValues>) =>
            form.setFields(Object.keys(changed).map((name) => ({ name: name as keyof DepartmentValues, errors: [] })))
          }
        >
          <Row gutter={16}>
            <Col span={8}>
              <Form.Item
                name={['name']}
                label={t('admin.dept.id')}
                rules={[{ required: true, message: t('admin.required') }]}
                extra={t('admin.dept.idHelp')}
              >
                <Input disabled={!!editing} data-testid="dept-name" />
              </Form.Item>
            </Col>
            <Col span={8}>
              <Form.Item
                name={['zh']}
                label={t('departments.nameZh')}
                rules={[{ required: true, message: t('admin.required') }]}
              >
                <Input data-testid="dept-zh" />
              </Form.Item>
            </Col>
            <Col span={8}>
              <Form.Item
                name={['en']}
                label={t('departments.nameEn')}
                rules={[{ required: true, message: t('admin.required') }]}
              >
                <Input data-testid="dept-en" />
              </Form.Item>
            </Col>
          </Row>
          <Form.Item name={['parent']} label={t('departments.parent')}>
            <Select allowClear options={parents} data-testid="dept-parent" showSearch optionFilterProp="label" />
          </Form.Item>
          <Typography.Title level={5}>{t('admin.dept.guarantee')}</Typography.Title>
          <Typography.Paragraph type="secondary">{t('admin.dept.guaranteeHelp')}</Typography.Paragraph>
          <Row gutter={16}>
            <Col span={6}>{text(['quotaCpu'], t('admin.dept.cpu'), 'dept-quota-cpu', '8')}</Col>
            <Col span={6}>{text(['quotaMemory'], t('admin.dept.memory'), 'dept-quota-memory', '16Gi')}</Col>
            <Col span={6}>{text(['quotaStorage'], t('departments.storage'), 'dept-quota-storage', '100Gi')}</Col>
            <Col span={6}>{num(['quotaApplications'], t('nav.applications'), 'dept-quota-apps')}</Col>
          </Row>
          <Typography.Title level={5}>{t('admin.dept.borrowing')}</Typography.Title>
          <Row gutter={16}>
            <Col span={6}>{text(['borrowCpu'], t('admin.dept.cpu'), 'dept-borrow-cpu', '4')}</Col>
            <Col span={6}>{text(['borrowMemory'], t('admin.dept.memory'), 'dept-borrow-memory', '8Gi')}</Col>
          </Row>
          <Typography.Title level={5}>{t('admin.dept.burst')}</Typography.Title>
          <Row gutter={16}>
            <Col span={8}>{num(['burstMaxReplicas'], t('admin.dept.burstReplicas'), 'dept-burst-replicas')}</Col>
            <Col span={8}>{num(['burstBudget'], t('admin.dept.burstBudget'), 'dept-burst-budget')}</Col>
          </Row>
        </Form>
      </div>
    </Modal>
  );
}
