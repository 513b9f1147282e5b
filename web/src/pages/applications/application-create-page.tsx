import { CheckOutlined, DeleteOutlined, EyeOutlined, PlusOutlined, SaveOutlined } from '@ant-design/icons';
import {
  App,
  Button,
  Card,
  Checkbox,
  Col,
  Flex,
  Form,
  Input,
  InputNumber,
  Row,
  Select,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import { useMemo, useRef, useState } from 'react';
import { parse } from 'yaml';
import { ApiError } from '../../api/api-error.ts';
import { api } from '../../api/client.ts';
import { paths } from '../../api/paths.ts';
import type { Tenant } from '../../api/types.ts';
import { navigate, useSearchParam } from '../../app/router.tsx';
import { useCan } from '../../auth/session.tsx';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { PageHeader } from '../../components/page.tsx';
import { useFetch } from '../../data/hooks.ts';
import { localName, useI18n } from '../../i18n/i18n.tsx';
import { templateYaml } from '../../yaml/app-yaml.ts';
import type { EditorHandle } from '../../yaml/lazy-editor.tsx';
import { YamlEditor } from '../../yaml/lazy-editor.tsx';
import { ProblemList } from '../../yaml/problem-list.tsx';
import type { AppFormValues } from './app-form.ts';
import { causesByField, formYaml } from './app-form.ts';
import { useApplyYaml } from './use-apply-yaml.ts';

interface RenderResult {
  readonly placement: Readonly<
    Record<
      string,
      { replicas: Record<string, number>; unplaced: number; excluded: { cluster: string; reason: string }[] }
    >
  >;
}

function nameOf(text: string): string | undefined {
  try {
    const doc = parse(text) as { metadata?: { name?: unknown } } | null;
    return typeof doc?.metadata?.name === 'string' ? doc.metadata.name : undefined;
  } catch {
    return undefined;
  }
}

/** The departments the user may create in: all (platform admins, from the Tenant list) or the bound writable ones. */
function useWritableDepartments() {
  const can = useCan();
  const { lang } = useI18n();
  const all = useFetch<{ items: Tenant[] }>(can.writableDepartments === 'all' ? paths.tenants : undefined);
  return useMemo(() => {
    if (can.writableDepartments !== 'all') return can.writableDepartments.map((t) => ({ value: t, label: t }));
    return (all.data?.items ?? []).map((t) => ({
      value: t.metadata.name,
      label: `${localName(t.spec.displayName, lang, t.metadata.name)} (${t.metadata.name})`,
    }));
  }, [can.writableDepartments, all.data, lang]);
}

function PlacementPreview(props: { result: RenderResult }) {
  const { t } = useI18n();
  const rows = Object.entries(props.result.placement).map(([component, p]) => ({ component, ...p }));
  return (
    <Table
      size="small"
      rowKey="component"
      pagination={false}
      dataSource={rows}
      data-testid="placement-preview"
      columns={[
        { title: t('app.component'), dataIndex: 'component' },
        {
          title: t('app.placement'),
          render: (_, r) => (
            <>
              {Object.entries(r.replicas).map(([c, n]) => (
                <Tag key={c} color="blue">
                  {c} ×{n}
                </Tag>
              ))}
              {r.unplaced > 0 && <Tag color="red">{t('app.unplacedN', { n: r.unplaced })}</Tag>}
            </>
          ),
        },
        {
          title: t('app.excluded'),
          render: (_, r) =>
            r.excluded.map((x) => (
              <div key={x.cluster}>
                <Typography.Text type="secondary">
                  {x.cluster}: {x.reason}
                </Typography.Text>
              </div>
            )),
        },
      ]}
    />
  );
}

const INITIAL: AppFormValues = {
  name: '',
  components: [
    {
      name: 'web',
      type: 'webservice',
      image: '',
      cpu: '500m',
      memory: '512Mi',
      replicas: 2,
      port: 8080,
      expose: true,
    },
  ],
  networkZones: ['e-gov-extranet'],
};

/** Create an application from YAML (validated at the line) or from a form, with a placement preview. */
export function ApplicationCreatePage() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const departments = useWritableDepartments();
  const [mode, setMode] = useSearchParam('from');
  const [tenant, setTenant] = useState<string | undefined>(() =>
    departments.length === 1 ? departments[0]!.value : undefined,
  );
  const chosen = tenant ?? (departments.length === 1 ? departments[0]!.value : undefined);
  const [text, setText] = useState(templateYaml());
  const editor = useRef<EditorHandle | undefined>(undefined);
  const [form] = Form.useForm<AppFormValues>();
  const [formError, setFormError] = useState<ApiError>();
  const [preview, setPreview] = useState<RenderResult>();
  const [previewError, setPreviewError] = useState<ApiError>();
  const yamlApply = useApplyYaml(chosen, text);
  const [formText, setFormText] = useState(() => formYaml(INITIAL));

  const created = (name: string | undefined) => {
    message.success(t('create.created', { name: name ?? '' }));
    if (chosen && name) navigate(`/applications/${chosen}/${name}`);
  };

  const renderPreview = async (body: string) => {
    if (!chosen) return;
    setPreviewError(undefined);
    try {
      setPreview(
        await api<RenderResult>(paths.render(chosen), { method: 'POST', body, contentType: 'application/yaml' }),
      );
    } catch (e) {
      setPreview(undefined);
      setPreviewError(e as ApiError);
    }
  };

  const submitForm = async (dryRun: boolean) => {
    setFormError(undefined);
    let values: AppFormValues;
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    const yaml = formYaml(values);
    setFormText(yaml);
    try {
      await api(paths.apply(chosen!, dryRun), { method: 'POST', body: yaml, contentType: 'application/yaml' });
      if (dryRun) message.success(t('yaml.valid'));
      else created(values.name);
    } catch (e) {
      const err = e as ApiError;
      const { fields, rest } = causesByField(err.causes);
      form.setFields(fields.map((f) => ({ name: f.name, errors: f.errors })) as Parameters<typeof form.setFields>[0]);
      // Causes shown at their fields are not repeated above the form.
      setFormError(
        fields.length > 0 && rest.length === 0
          ? undefined
          : new ApiError(err.code, err.reason, err.message, rest, err.requestId),
      );
    }
  };

  const departmentPicker = (
    <Select
      placeholder={t('create.department')}
      value={chosen}
      onChange={setTenant}
      options={departments}
      style={{ width: 260 }}
      data-testid="create-department"
      status={chosen ? undefined : 'warning'}
    />
  );

  return (
    <div>
      <PageHeader
        title={t('apps.create')}
        subtitle={t('create.subtitle')}
        crumbs={[{ label: t('nav.applications'), to: '/applications' }, { label: t('apps.create') }]}
        extra={departmentPicker}
      />
      <Tabs
        activeKey={mode ?? 'yaml'}
        onChange={(k) => setMode(k === 'yaml' ? undefined : k)}
        items={[
          {
            key: 'yaml',
            label: t('create.fromYaml'),
            children: (
              <Row gutter={16}>
                <Col xs={24} xl={15}>
                  <YamlEditor
                    value={text}
                    onChange={setText}
                    problems={yamlApply.problems}
                    onReady={(h) => (editor.current = h)}
                    height={520}
                    testId="create-yaml"
                  />
                  <ProblemList problems={yamlApply.problems} onGoto={(l) => editor.current?.goto(l)} />
                  {yamlApply.error && yamlApply.problems.length === 0 && <ErrorAlert error={yamlApply.error} />}
                  <Flex gap={8} style={{ marginTop: 12 }}>
                    <Button
                      icon={<CheckOutlined />}
                      disabled={!chosen}
                      loading={yamlApply.busy === 'dry'}
                      onClick={async () => {
                        if (await yamlApply.run(true)) message.success(t('yaml.valid'));
                      }}
                      data-testid="create-validate"
                    >
                      {t('yaml.validate')}
                    </Button>
                    <Button
                      icon={<EyeOutlined />}
                      disabled={!chosen}
                      onClick={() => renderPreview(text)}
                      data-testid="create-preview"
                    >
                      {t('create.preview')}
                    </Button>
                    <Button
                      type="primary"
                      icon={<SaveOutlined />}
                      disabled={!chosen}
                      loading={yamlApply.busy === 'apply'}
                      onClick={async () => {
                        if (await yamlApply.run(false)) created(nameOf(text));
                      }}
                      data-testid="create-apply"
                    >
                      {t('create.apply')}
                    </Button>
                  </Flex>
                </Col>
                <Col xs={24} xl={9}>
                  <Card size="small" title={t('create.previewTitle')}>
                    <ErrorAlert error={previewError} compact />
                    {preview ? (
                      <PlacementPreview result={preview} />
                    ) : (
                      <Typography.Text type="secondary">{t('create.previewHelp')}</Typography.Text>
                    )}
                  </Card>
                </Col>
              </Row>
            ),
          },
          {
            key: 'form',
            label: t('create.fromForm'),
            children: (
              <Row gutter={16}>
                <Col xs={24} xl={15}>
                  <ErrorAlert error={formError} />
                  <Form<AppFormValues>
                    form={form}
                    layout="vertical"
                    initialValues={INITIAL}
                    onValuesChange={() => setFormText(formYaml(form.getFieldsValue(true) as AppFormValues))}
                  >
                    <Row gutter={12}>
                      <Col span={10}>
                        <Form.Item
                          name="name"
                          label={t('common.name')}
                          rules={[
                            { required: true, message: t('create.nameRequired') },
                            { pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, message: t('create.nameRule') },
                          ]}
                        >
                          <Input placeholder="school-meals" data-testid="form-name" />
                        </Form.Item>
                      </Col>
                      <Col span={14}>
                        <Form.Item name="description" label={t('create.description')}>
                          <Input placeholder={t('create.descriptionPlaceholder')} />
                        </Form.Item>
                      </Col>
                    </Row>
                    <Form.List name="components">
                      {(fields, ops) => (
                        <>
                          {fields.map((f) => (
                            <Card
                              key={f.key}
                              size="small"
                              style={{ marginBottom: 12 }}
                              title={t('create.componentN', { n: f.name + 1 })}
                              extra={
                                fields.length > 1 && (
                                  <Button
                                    size="small"
                                    type="text"
                                    icon={<DeleteOutlined />}
                                    onClick={() => ops.remove(f.name)}
                                  />
                                )
                              }
                            >
                              <Row gutter={12}>
                                <Col span={8}>
                                  <Form.Item
                                    name={[f.name, 'name']}
                                    label={t('common.name')}
                                    rules={[{ required: true, message: t('create.nameRequired') }]}
                                  >
                                    <Input />
                                  </Form.Item>
                                </Col>
                                <Col span={8}>
                                  <Form.Item name={[f.name, 'type']} label={t('common.type')}>
                                    <Select
                                      options={['webservice', 'worker', 'task', 'cron-task'].map((v) => ({
                                        value: v,
                                        label: t(`componentType.${v}` as 'componentType.webservice'),
                                      }))}
                                    />
                                  </Form.Item>
                                </Col>
                                <Col span={8}>
                                  <Form.Item name={[f.name, 'replicas']} label={t('app.replicas')}>
                                    <InputNumber min={0} max={1000} style={{ width: '100%' }} />
                                  </Form.Item>
                                </Col>
                                <Col span={24}>
                                  <Form.Item
                                    name={[f.name, 'image']}
                                    label={t('create.image')}
                                    rules={[{ required: true, message: t('create.imageRequired') }]}
                                  >
                                    <Input
                                      placeholder="registry.example.gov.cn/dept/web:1.0.0"
                                      data-testid={`form-image-${f.name}`}
                                    />
                                  </Form.Item>
                                </Col>
                                <Col span={6}>
                                  <Form.Item name={[f.name, 'cpu']} label="CPU" extra="500m, 2">
                                    <Input data-testid={`form-cpu-${f.name}`} />
                                  </Form.Item>
                                </Col>
                                <Col span={6}>
                                  <Form.Item name={[f.name, 'memory']} label={t('common.memory')} extra="512Mi, 4Gi">
                                    <Input />
                                  </Form.Item>
                                </Col>
                                <Col span={6}>
                                  <Form.Item name={[f.name, 'port']} label={t('create.port')}>
                                    <InputNumber min={1} max={65535} style={{ width: '100%' }} />
                                  </Form.Item>
                                </Col>
                                <Col span={6}>
                                  <Form.Item
                                    name={[f.name, 'expose']}
                                    label={t('create.expose')}
                                    valuePropName="checked"
                                  >
                                    <Checkbox />
                                  </Form.Item>
                                </Col>
                                <Col span={12}>
                                  <Form.Item
                                    name={[f.name, 'schedule']}
                                    label={t('create.schedule')}
                                    extra={t('create.scheduleHelp')}
                                  >
                                    <Input placeholder="0 2 * * *" />
                                  </Form.Item>
                                </Col>
                              </Row>
                            </Card>
                          ))}
                          <Button
                            icon={<PlusOutlined />}
                            onClick={() =>
                              ops.add({
                                name: `component-${fields.length + 1}`,
                                type: 'worker',
                                image: '',
                                replicas: 1,
                              })
                            }
                            style={{ marginBottom: 16 }}
                          >
                            {t('create.addComponent')}
                          </Button>
                        </>
                      )}
                    </Form.List>
                    <Row gutter={12}>
                      <Col span={14}>
                        <Form.Item name="networkZones" label={t('create.residency')} extra={t('create.residencyHelp')}>
                          <Select
                            mode="multiple"
                            allowClear
                            options={[
                              { value: 'e-gov-extranet', label: t('networkZone.e-gov-extranet') },
                              { value: 'internet', label: t('networkZone.internet') },
                            ]}
                          />
                        </Form.Item>
                      </Col>
                      <Col span={10}>
                        <Form.Item name="spreadByRegion" label={t('create.spread')} valuePropName="checked">
                          <Checkbox>{t('create.spreadHelp')}</Checkbox>
                        </Form.Item>
                      </Col>
                    </Row>
                    <Flex gap={8}>
                      <Button icon={<CheckOutlined />} disabled={!chosen} onClick={() => submitForm(true)}>
                        {t('yaml.validate')}
                      </Button>
                      <Button
                        icon={<EyeOutlined />}
                        disabled={!chosen}
                        onClick={() => renderPreview(formYaml(form.getFieldsValue(true) as AppFormValues))}
                      >
                        {t('create.preview')}
                      </Button>
                      <Button
                        type="primary"
                        icon={<SaveOutlined />}
                        disabled={!chosen}
                        onClick={() => submitForm(false)}
                        data-testid="form-apply"
                      >
                        {t('create.apply')}
                      </Button>
                    </Flex>
                  </Form>
                </Col>
                <Col xs={24} xl={9}>
                  <Card size="small" title={t('create.generatedYaml')} style={{ marginBottom: 16 }}>
                    <pre style={{ fontSize: 12, margin: 0, maxHeight: 360, overflow: 'auto' }} data-testid="form-yaml">
                      {formText}
                    </pre>
                  </Card>
                  <Card size="small" title={t('create.previewTitle')}>
                    <ErrorAlert error={previewError} compact />
                    {preview ? (
                      <PlacementPreview result={preview} />
                    ) : (
                      <Typography.Text type="secondary">{t('create.previewHelp')}</Typography.Text>
                    )}
                  </Card>
                </Col>
              </Row>
            ),
          },
        ]}
      />
    </div>
  );
}
