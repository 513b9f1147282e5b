import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Descriptions,
  Form,
  Input,
  Row,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useEffect, useMemo, useState } from 'react';
import type { ApiError } from '../../api/api-error.ts';
import { toApiError } from '../../api/api-error.ts';
import { api } from '../../api/client.ts';
import { navigate } from '../../app/router.tsx';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { PageHeader } from '../../components/page.tsx';
import { useFetch } from '../../data/hooks.ts';
import { formatDateTime } from '../../format/format.ts';
import { localName, useI18n } from '../../i18n/i18n.tsx';
import { categoryLabel } from './catalog-page.tsx';
import type { CatalogEntry } from './market-model.ts';
import { suggestName } from './market-model.ts';
import { marketPaths } from './market-paths.ts';
import { DepartmentSelect, ItemIcon, useDepartmentChoices, usePriceText } from './market-parts.tsx';
import { SchemaFields, useServerErrors } from './schema-form-view.tsx';
import { coerce, fieldsOf, initialValues } from './schema-form.ts';

interface InstanceForm {
  name: string;
  parameters?: Record<string, unknown>;
}

/**
 * One released item: what it is (names, description, licence, architectures, price, publisher), its released
 * versions, and the form generated from a version's parameter schema that instantiates it in a department.
 */
export function ItemPage(props: { params: Record<string, string> }) {
  const item = props.params.item!;
  const { t, lang, locale } = useI18n();
  const price = usePriceText();
  const { message } = App.useApp();
  const entry = useFetch<CatalogEntry>(marketPaths.catalogItem(item));
  const e = entry.data;
  const [version, setVersion] = useState<string>();
  const departments = useDepartmentChoices(true);
  const [department, setDepartment] = useState<string>();
  const chosen = e?.versions.find((v) => v.version === version) ?? e?.versions[0];
  const fields = useMemo(() => fieldsOf(chosen?.parameters), [chosen]);
  const [form] = Form.useForm<InstanceForm>();
  const errors = useServerErrors(form, fields);
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const existing = useFetch<{ items: Array<{ metadata: { name: string } }> }>(
    department ? marketPaths.instances(department) : undefined,
  );

  // A new version or department starts the form again from the schema's defaults.
  useEffect(() => {
    if (!e) return;
    const taken = (existing.data?.items ?? []).map((x) => x.metadata.name);
    form.resetFields();
    form.setFieldsValue({ name: suggestName(e.name, taken), parameters: initialValues(fields) });
    setError(undefined);
  }, [e, fields, form, existing.data]);

  const create = async () => {
    const v = await form.validateFields().catch(() => undefined);
    if (!v || !e || !chosen || !department) return;
    setBusy(true);
    try {
      await api(marketPaths.instances(department), {
        body: {
          apiVersion: 'market.polis.io/v1',
          kind: 'MarketInstance',
          metadata: { name: v.name },
          spec: { item: e.name, version: chosen.version, parameters: coerce(fields, v.parameters) },
        },
      });
      setError(undefined);
      void message.success(t('market.item.created', { name: v.name }));
      navigate(`/services?tenant=${encodeURIComponent(department)}`);
    } catch (err) {
      const apiError = toApiError(err);
      const rest = errors.apply(apiError.causes, { 'metadata.name': ['name'] });
      // The summary stays above the form only for what no field shows.
      setError(rest.length > 0 || apiError.causes.length === 0 ? apiError : undefined);
    } finally {
      setBusy(false);
    }
  };

  if (entry.error) return <ErrorAlert error={entry.error} />;
  const writable = departments.length > 0;
  return (
    <div data-testid="market-item">
      <PageHeader
        title={
          <Space>
            <ItemIcon entry={e ?? { name: item, displayName: { zh: item, en: item } }} size={40} />
            <span data-testid="market-item-name">{e ? localName(e.displayName, lang, item) : item}</span>
          </Space>
        }
        subtitle={e ? localName(e.description, lang) : undefined}
        crumbs={[{ label: t('nav.market'), to: '/market' }, { label: item }]}
      />
      {e && (
        <Row gutter={16}>
          <Col xs={24} xl={10}>
            <Card size="small" title={t('market.item.about')} style={{ marginBottom: 16 }}>
              <Descriptions column={1} size="small">
                <Descriptions.Item label={t('market.item.id')}>
                  <code>{e.name}</code>
                </Descriptions.Item>
                <Descriptions.Item label={t('market.item.type')}>{t(`market.type.${e.type}`)}</Descriptions.Item>
                <Descriptions.Item label={t('market.publisher')}>{e.publisher}</Descriptions.Item>
                <Descriptions.Item label={t('market.item.licence')}>
                  <span data-testid="market-item-licence">{e.licence ?? t('market.item.noLicence')}</span>
                </Descriptions.Item>
                <Descriptions.Item label={t('market.item.architectures')}>
                  {e.architectures.map((a) => (
                    <Tag key={a}>{a}</Tag>
                  ))}
                </Descriptions.Item>
                <Descriptions.Item label={t('market.item.categories')}>
                  {e.categories.map((c) => (
                    <Tag key={c}>{categoryLabel(c, t)}</Tag>
                  ))}
                </Descriptions.Item>
                <Descriptions.Item label={t('market.item.price')}>{price(e.price)}</Descriptions.Item>
                <Descriptions.Item label={t('market.item.bindable')}>
                  {chosen?.connection
                    ? t('market.item.bindableYes', { engine: chosen.connection.engine })
                    : t('market.item.bindableNo')}
                </Descriptions.Item>
              </Descriptions>
            </Card>
            <Card size="small" title={t('market.item.versions')}>
              <Table
                size="small"
                rowKey="name"
                pagination={false}
                data-testid="market-item-versions"
                dataSource={[...e.versions]}
                columns={[
                  { title: t('market.version'), render: (_, v) => <code>{v.version}</code> },
                  {
                    title: t('market.item.releasedAt'),
                    render: (_, v) => (v.releasedAt ? formatDateTime(v.releasedAt, locale) : '—'),
                  },
                  {
                    title: t('market.item.releaseNotes'),
                    render: (_, v) => (v.releaseNotes ? localName(v.releaseNotes, lang) : '—'),
                  },
                ]}
              />
            </Card>
          </Col>
          <Col xs={24} xl={14}>
            <Card size="small" title={t('market.item.instantiate')}>
              {e.state !== 'active' && (
                <Alert
                  type="warning"
                  showIcon
                  style={{ marginBottom: 12 }}
                  title={t('market.item.notAvailable', { state: t(`market.state.${e.state}`) })}
                />
              )}
              {!writable ? (
                <Typography.Text type="secondary">{t('market.item.noDepartment')}</Typography.Text>
              ) : (
                <>
                  <ErrorAlert error={error} />
                  <Form<InstanceForm>
                    form={form}
                    layout="vertical"
                    onValuesChange={errors.onValuesChange}
                    data-testid="market-instance-form"
                  >
                    <Space wrap size={16} align="start">
                      <Form.Item label={t('common.department')} required>
                        <DepartmentSelect
                          choices={departments}
                          value={department}
                          onChange={setDepartment}
                          testId="market-instance-department"
                        />
                      </Form.Item>
                      <Form.Item label={t('market.version')} required>
                        <Select
                          style={{ minWidth: 140 }}
                          value={chosen?.version}
                          onChange={setVersion}
                          data-testid="market-instance-version"
                          options={e.versions.map((v) => ({ value: v.version, label: v.version }))}
                        />
                      </Form.Item>
                      <Form.Item
                        name="name"
                        label={t('market.item.instanceName')}
                        rules={[
                          { required: true, message: t('admin.required') },
                          {
                            pattern: /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
                            message: t('market.item.nameRule'),
                          },
                        ]}
                      >
                        <Input data-testid="market-instance-name" style={{ width: 220 }} />
                      </Form.Item>
                    </Space>
                    {fields.length === 0 ? (
                      <Typography.Paragraph type="secondary">{t('market.item.noParameters')}</Typography.Paragraph>
                    ) : (
                      <SchemaFields fields={fields} />
                    )}
                    <Button
                      type="primary"
                      loading={busy}
                      disabled={e.state !== 'active'}
                      onClick={() => void create()}
                      data-testid="market-instance-create"
                    >
                      {t('market.item.create')}
                    </Button>
                  </Form>
                </>
              )}
            </Card>
          </Col>
        </Row>
      )}
    </div>
  );
}
