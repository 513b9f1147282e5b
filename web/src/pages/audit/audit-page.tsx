import { SafetyCertificateOutlined, SearchOutlined } from '@ant-design/icons';
import { Alert, Button, Card, DatePicker, Flex, Form, Input, Select, Table, Tag, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useCallback, useEffect, useState } from 'react';
import type { ApiError } from '../../api/api-error.ts';
import { api, query } from '../../api/client.ts';
import { paths } from '../../api/paths.ts';
import type { AuditEntry, AuditVerification } from '../../api/types.ts';
import { useCan } from '../../auth/session.tsx';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { PageHeader } from '../../components/page.tsx';
import { useFetch } from '../../data/hooks.ts';
import { formatDateTime, formatNumber } from '../../format/format.ts';
import type { MessageKey } from '../../i18n/i18n.tsx';
import { useI18n } from '../../i18n/i18n.tsx';

interface Filters {
  actor?: string;
  kind?: string;
  tenant?: string;
  verb?: string;
  outcome?: string;
  range?: [Dayjs | null, Dayjs | null] | null;
}

const OUTCOMES = ['success', 'denied', 'invalid', 'conflict', 'notfound', 'error'];
const OUTCOME_COLOR: Record<string, string> = {
  success: 'success',
  denied: 'error',
  invalid: 'warning',
  conflict: 'orange',
  notfound: 'default',
  error: 'error',
};
const PAGE = 100;

/** The audit log: who changed what and when, queried by actor, kind, department and time; the hash chain verified. */
export function AuditPage() {
  const { t, locale } = useI18n();
  const can = useCan();
  const [form] = Form.useForm<Filters>();
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [next, setNext] = useState<number>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [verification, setVerification] = useState<AuditVerification>();
  const [verifying, setVerifying] = useState(false);
  const discovery = useFetch<{ resources: { kind: string }[] }>(paths.discovery);
  const kinds = [
    ...new Set([...(discovery.data?.resources ?? []).map((r) => r.kind), 'Cluster', 'Application']),
  ].sort();
  const tenants = can.auditDepartments === 'all' ? undefined : can.auditDepartments;

  const run = useCallback(
    async (before?: number) => {
      const f = form.getFieldsValue();
      setBusy(true);
      setError(undefined);
      try {
        const q = query({
          actor: f.actor?.trim(),
          kind: f.kind,
          tenant: f.tenant ?? (tenants?.length === 1 ? tenants[0] : undefined),
          verb: f.verb?.trim(),
          outcome: f.outcome,
          since: f.range?.[0]?.toISOString(),
          until: f.range?.[1]?.toISOString(),
          order: 'desc',
          limit: PAGE,
          before,
        });
        const r = await api<{ items: AuditEntry[]; next?: number }>(`${paths.audit}${q}`);
        setEntries((old) => (before ? [...old, ...r.items] : r.items));
        setNext(r.next);
      } catch (e) {
        setError(e as ApiError);
      } finally {
        setBusy(false);
      }
    },
    [form, tenants],
  );

  useEffect(() => {
    void run();
    // The first query runs once, with the default filters.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const verify = async () => {
    setVerifying(true);
    try {
      setVerification(await api<AuditVerification>(paths.auditVerify));
      setError(undefined);
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setVerifying(false);
    }
  };

  return (
    <div>
      <PageHeader
        title={t('nav.audit')}
        subtitle={
          can.auditDepartments === 'all'
            ? t('audit.subtitleAll')
            : t('audit.subtitleDepartments', { departments: (tenants ?? []).join(', ') })
        }
        extra={
          can.canVerifyAudit && (
            <Button
              icon={<SafetyCertificateOutlined />}
              onClick={verify}
              loading={verifying}
              data-testid="audit-verify"
            >
              {t('audit.verify')}
            </Button>
          )
        }
      />
      {verification && (
        <Alert
          style={{ marginBottom: 16 }}
          showIcon
          type={verification.ok ? 'success' : 'error'}
          data-testid="audit-verification"
          data-ok={verification.ok}
          title={
            verification.ok
              ? t('audit.chainIntact', { n: formatNumber(verification.entries, locale) })
              : t('audit.chainBroken', { seq: verification.brokenAt?.seq ?? '?' })
          }
          description={
            <div>
              {verification.brokenAt && <div>{verification.brokenAt.problem}</div>}
              <div>
                {t('audit.head')}: #{verification.headSeq}{' '}
                <Typography.Text code copyable>
                  {verification.headHash}
                </Typography.Text>
              </div>
              <Typography.Text type="secondary">{t('audit.headHelp')}</Typography.Text>
            </div>
          }
        />
      )}
      <ErrorAlert error={error} />
      <Card size="small" style={{ marginBottom: 16 }}>
        <Form<Filters> form={form} layout="inline" onFinish={() => run()} style={{ rowGap: 8 }}>
          <Form.Item name="actor" label={t('audit.actor')}>
            <Input allowClear placeholder="admin, system:delivery" style={{ width: 180 }} data-testid="audit-actor" />
          </Form.Item>
          <Form.Item name="kind" label={t('audit.kind')}>
            <Select
              allowClear
              style={{ width: 180 }}
              options={kinds.map((k) => ({ value: k, label: k }))}
              data-testid="audit-kind"
            />
          </Form.Item>
          {(tenants === undefined || tenants.length > 1) && (
            <Form.Item name="tenant" label={t('common.department')}>
              {tenants === undefined ? (
                <Input allowClear placeholder="edu" style={{ width: 120 }} data-testid="audit-tenant" />
              ) : (
                <Select allowClear style={{ width: 140 }} options={tenants.map((x) => ({ value: x, label: x }))} />
              )}
            </Form.Item>
          )}
          <Form.Item name="verb" label={t('audit.verb')}>
            <Input allowClear placeholder="apply, rollback, fail" style={{ width: 150 }} />
          </Form.Item>
          <Form.Item name="outcome" label={t('audit.outcome')}>
            <Select
              allowClear
              style={{ width: 120 }}
              options={OUTCOMES.map((o) => ({ value: o, label: t(`audit.outcome.${o}` as MessageKey) }))}
            />
          </Form.Item>
          <Form.Item name="range" label={t('common.time')}>
            <DatePicker.RangePicker showTime allowEmpty={[true, true]} />
          </Form.Item>
          <Form.Item>
            <Button
              type="primary"
              htmlType="submit"
              icon={<SearchOutlined />}
              loading={busy}
              data-testid="audit-search"
            >
              {t('common.search')}
            </Button>
          </Form.Item>
        </Form>
      </Card>
      <Table<AuditEntry>
        size="small"
        rowKey="seq"
        dataSource={entries}
        loading={busy && entries.length === 0}
        pagination={false}
        data-testid="audit-table"
        scroll={{ x: 1100 }}
        expandable={{
          rowExpandable: (e) => e.changes !== undefined && e.changes !== null,
          expandedRowRender: (e) => (
            <pre style={{ margin: 0, fontSize: 12, maxHeight: 320, overflow: 'auto' }}>
              {JSON.stringify(e.changes, null, 2)}
            </pre>
          ),
        }}
        columns={[
          { title: '#', dataIndex: 'seq', width: 70 },
          { title: t('common.time'), width: 170, render: (_, e) => formatDateTime(e.time, locale) },
          { title: t('audit.actor'), dataIndex: 'actor', width: 150 },
          { title: t('audit.verb'), dataIndex: 'verb', width: 110 },
          {
            title: t('audit.object'),
            render: (_, e) => (
              <span>
                <Tag>{e.kind}</Tag>
                {e.tenant ? `${e.tenant}/` : ''}
                {e.name}
              </span>
            ),
          },
          {
            title: t('audit.outcome'),
            width: 110,
            render: (_, e) => (
              <Tag color={OUTCOME_COLOR[e.outcome] ?? 'default'}>
                {OUTCOMES.includes(e.outcome) ? t(`audit.outcome.${e.outcome}` as MessageKey) : e.outcome}
              </Tag>
            ),
          },
          { title: 'HTTP', dataIndex: 'code', width: 70 },
          {
            title: t('event.message'),
            render: (_, e) => <Typography.Text ellipsis={{ tooltip: e.message }}>{e.message}</Typography.Text>,
          },
        ]}
      />
      {next !== undefined && (
        <Flex justify="center" style={{ marginTop: 12 }}>
          <Button onClick={() => run(next)} loading={busy}>
            {t('audit.older')}
          </Button>
        </Flex>
      )}
    </div>
  );
}
