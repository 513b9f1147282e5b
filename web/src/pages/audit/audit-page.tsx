import { DownloadOutlined, SafetyCertificateOutlined, SearchOutlined } from '@ant-design/icons';
import {
  Alert,
  Button,
  Card,
  DatePicker,
  Descriptions,
  Dropdown,
  Flex,
  Form,
  Input,
  Select,
  Switch,
  Table,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import { HoverTooltip } from '../../components/hover-tooltip.tsx';
import type { Dayjs } from 'dayjs';
import { useCallback, useEffect, useState } from 'react';
import type { ApiError } from '../../api/api-error.ts';
import { responseError } from '../../api/api-error.ts';
import { api, authHeaders, query } from '../../api/client.ts';
import { paths } from '../../api/paths.ts';
import type { AuditEntry as BaseEntry, AuditVerification } from '../../api/types.ts';
import { useCan } from '../../auth/session.tsx';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { PageHeader } from '../../components/page.tsx';
import { useFetch } from '../../data/hooks.ts';
import { formatDateTime, formatNumber } from '../../format/format.ts';
import type { MessageKey } from '../../i18n/i18n.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { useServerText, type Coded } from '../../i18n/server-messages.ts';
import type { AuditSummary } from './audit-messages.ts';
import { ACTIONS, label, renderSummary } from './audit-messages.ts';

/** An entry as GET /api/v1/audit returns it: the recorded fields, its links, and the summary the server adds. */
interface AuditEntry extends BaseEntry {
  readonly summary?: AuditSummary;
  readonly prevHash?: string;
  readonly hash?: string;
}

interface Filters {
  actor?: string;
  kind?: string;
  tenant?: string;
  action?: string;
  outcome?: string;
  range?: [Dayjs | null, Dayjs | null] | null;
  system?: boolean;
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
/** Entries per page: the first page renders at once at 10,000 applications; "more" reads the next. */
const PAGE = 50;
const EXPORT = '/api/v1/audit/export';

/**
 * The audit log for review (等保 2.0): people's actions first (controllers behind a switch), one readable sentence per
 * entry in the reader's language, filters by actor, department, kind, action, outcome and time, details on expand,
 * export of the filtered entries (CSV, XLSX) with the chain head, and the chain verified.
 */
export function AuditPage() {
  const { t, lang, locale } = useI18n();
  const server = useServerText();
  const L = (key: Parameters<typeof label>[1], params?: Record<string, string | number>) => label(lang, key, params);
  const can = useCan();
  const [form] = Form.useForm<Filters>();
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [next, setNext] = useState<number>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [verification, setVerification] = useState<AuditVerification>();
  const [verifying, setVerifying] = useState(false);
  const [exporting, setExporting] = useState(false);
  const [exported, setExported] = useState<string>();
  const discovery = useFetch<{ resources: { kind: string }[] }>(paths.discovery);
  const kinds = [
    ...new Set([...(discovery.data?.resources ?? []).map((r) => r.kind), 'Cluster', 'Application']),
  ].sort();
  const tenants = can.auditDepartments === 'all' ? undefined : can.auditDepartments;

  const filterQuery = useCallback(() => {
    const f = form.getFieldsValue();
    return {
      actor: f.actor?.trim(),
      kind: f.kind,
      tenant: f.tenant?.trim() || (tenants?.length === 1 ? tenants[0] : undefined),
      action: f.action,
      outcome: f.outcome,
      since: f.range?.[0]?.toISOString(),
      until: f.range?.[1]?.toISOString(),
      system: f.system ? 'true' : undefined,
    };
  }, [form, tenants]);

  const run = useCallback(
    async (before?: number) => {
      setBusy(true);
      setError(undefined);
      try {
        const q = query({ ...filterQuery(), order: 'desc', limit: PAGE, before });
        const r = await api<{ items: AuditEntry[]; next?: number }>(`${paths.audit}${q}`);
        setEntries((old) => (before ? [...old, ...r.items] : r.items));
        setNext(r.next);
      } catch (e) {
        setError(e as ApiError);
      } finally {
        setBusy(false);
      }
    },
    [filterQuery],
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

  /** Downloads the filtered entries (the token goes in a header, so the file is fetched, then saved). */
  const download = async (format: 'csv' | 'xlsx') => {
    setExporting(true);
    setError(undefined);
    try {
      const q = query({ ...filterQuery(), format, lang: lang === 'zh' ? 'zh-CN' : 'en' });
      const res = await fetch(`${EXPORT}${q}`, { headers: authHeaders() });
      if (!res.ok) throw await responseError(res);
      const blob = await res.blob();
      const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? `audit.${format}`;
      const [seq] = (res.headers.get('x-polis-audit-head') ?? '').split(':');
      const n = res.headers.get('x-polis-audit-entries') ?? '?';
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = name;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
      setExported(`${L('exported', { n, seq: seq ?? '?' })} · ${name}`);
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setExporting(false);
    }
  };

  const outcomeTag = (o: string) => (
    <Tag color={OUTCOME_COLOR[o] ?? 'default'} style={{ marginInlineEnd: 0 }}>
      {OUTCOMES.includes(o) ? t(`audit.outcome.${o}` as MessageKey) : o}
    </Tag>
  );

  return (
    <div data-testid="audit-page">
      <PageHeader
        title={t('nav.audit')}
        subtitle={
          can.auditDepartments === 'all'
            ? t('audit.subtitleAll')
            : t('audit.subtitleDepartments', { departments: (tenants ?? []).join(', ') })
        }
        extra={
          <Flex gap={8}>
            <Dropdown
              menu={{
                items: [
                  { key: 'csv', label: L('exportCsv') },
                  { key: 'xlsx', label: L('exportXlsx') },
                ],
                onClick: ({ key }) => void download(key as 'csv' | 'xlsx'),
              }}
            >
              <Button icon={<DownloadOutlined />} loading={exporting} data-testid="audit-export">
                {L('export')}
              </Button>
            </Dropdown>
            {can.canVerifyAudit && (
              <Button
                icon={<SafetyCertificateOutlined />}
                onClick={verify}
                loading={verifying}
                data-testid="audit-verify"
              >
                {t('audit.verify')}
              </Button>
            )}
          </Flex>
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
      {exported && (
        <Alert
          style={{ marginBottom: 16 }}
          showIcon
          closable
          type="info"
          title={exported}
          data-testid="audit-exported"
          onClose={() => setExported(undefined)}
        />
      )}
      <ErrorAlert error={error} />
      <Card size="small" style={{ marginBottom: 12 }}>
        <Form<Filters>
          form={form}
          layout="inline"
          onFinish={() => run()}
          style={{ rowGap: 8 }}
          initialValues={{ system: false }}
        >
          <Form.Item name="actor" label={L('actor')}>
            <Input allowClear placeholder="edu-admin" style={{ width: 130 }} data-testid="audit-actor" />
          </Form.Item>
          {(tenants === undefined || tenants.length > 1) && (
            <Form.Item name="tenant" label={L('department')}>
              {tenants === undefined ? (
                <Input allowClear placeholder="edu" style={{ width: 90 }} data-testid="audit-tenant" />
              ) : (
                <Select
                  allowClear
                  style={{ width: 110 }}
                  options={tenants.map((x) => ({ value: x, label: x }))}
                  data-testid="audit-tenant"
                />
              )}
            </Form.Item>
          )}
          <Form.Item name="kind" label={L('kind')}>
            <Select
              allowClear
              showSearch
              style={{ width: 140 }}
              popupMatchSelectWidth={false}
              options={kinds.map((k) => ({ value: k, label: k }))}
              data-testid="audit-kind"
            />
          </Form.Item>
          <Form.Item name="action" label={L('action')}>
            <Select
              allowClear
              style={{ width: 120 }}
              popupMatchSelectWidth={false}
              options={ACTIONS.map((a) => ({ value: a, label: L(`action.${a}`) }))}
              data-testid="audit-action"
            />
          </Form.Item>
          <Form.Item name="outcome" label={L('outcome')}>
            <Select
              allowClear
              style={{ width: 100 }}
              popupMatchSelectWidth={false}
              options={OUTCOMES.map((o) => ({ value: o, label: t(`audit.outcome.${o}` as MessageKey) }))}
              data-testid="audit-outcome"
            />
          </Form.Item>
          <Form.Item name="range" label={L('time')}>
            <DatePicker.RangePicker showTime allowEmpty={[true, true]} style={{ width: 330 }} />
          </Form.Item>
          <Form.Item
            name="system"
            valuePropName="checked"
            label={<Tooltip title={L('systemHelp')}>{L('system')}</Tooltip>}
          >
            <Switch size="small" data-testid="audit-system" onChange={() => void run()} />
          </Form.Item>
          <Form.Item>
            <Button
              type="primary"
              htmlType="submit"
              icon={<SearchOutlined />}
              loading={busy}
              data-testid="audit-search"
            >
              {L('search')}
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
        tableLayout="fixed"
        data-testid="audit-table"
        expandable={{
          expandedRowRender: (e) => details(e),
        }}
        columns={[
          {
            title: L('time'),
            width: 165,
            render: (_, e) => <span data-testid="audit-time">{formatDateTime(e.time, locale)}</span>,
          },
          {
            title: L('actor'),
            width: 150,
            ellipsis: true,
            render: (_, e) => {
              const name = e.summary?.params.actor;
              return name && name !== e.actor ? (
                <HoverTooltip title={e.actor}>
                  <span>
                    {String(name)} <Typography.Text type="secondary">{e.actor}</Typography.Text>
                  </span>
                </HoverTooltip>
              ) : (
                e.actor
              );
            },
          },
          {
            title: L('summary'),
            ellipsis: { showTitle: false },
            render: (_, e) => {
              const text = renderSummary(e.summary, lang) || `${e.verb} ${e.kind} ${e.name}`;
              return (
                <HoverTooltip title={text} placement="topLeft">
                  <span data-testid="audit-summary" data-code={e.summary?.code}>
                    {text}
                  </span>
                </HoverTooltip>
              );
            },
          },
          { title: L('outcome'), width: 100, render: (_, e) => outcomeTag(e.outcome) },
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

  /** A refusal in the reader's language where the server coded it (changes.refusal), else its recorded English. */
  function refusalText(e: AuditEntry): string {
    const refusal = (e.changes as { refusal?: Coded & { causes?: Coded[] } } | null)?.refusal;
    if (!refusal) return e.message ?? '';
    const parts = [refusal.code ? server.text(refusal) : '', ...(refusal.causes ?? []).map((c) => server.text(c))];
    return parts.filter(Boolean).join('; ') || (e.message ?? '');
  }

  function details(e: AuditEntry) {
    return (
      <div data-testid="audit-details">
        <Descriptions
          size="small"
          column={2}
          items={[
            { key: 'seq', label: L('seq'), children: `#${e.seq}` },
            { key: 'verb', label: L('verb'), children: <Typography.Text code>{e.verb}</Typography.Text> },
            {
              key: 'object',
              label: L('object'),
              children: `${e.kind} ${e.tenant ? `${e.tenant}/` : ''}${e.name}`,
            },
            { key: 'http', label: L('http'), children: e.code },
            { key: 'request', label: L('request'), children: e.requestId || '-' },
            { key: 'time', label: L('time'), children: e.time },
            ...(e.message ? [{ key: 'message', label: L('message'), span: 2, children: refusalText(e) }] : []),
            {
              key: 'hash',
              label: L('hash'),
              span: 2,
              children: (
                <Typography.Text code copyable style={{ fontSize: 12 }}>
                  {e.hash}
                </Typography.Text>
              ),
            },
          ]}
        />
        {e.changes !== undefined && e.changes !== null ? (
          <pre style={{ margin: '8px 0 0', fontSize: 12, maxHeight: 320, overflow: 'auto' }}>
            {JSON.stringify(e.changes, null, 2)}
          </pre>
        ) : (
          <Typography.Text type="secondary">{L('noChanges')}</Typography.Text>
        )}
      </div>
    );
  }
}
