import { ApiOutlined, DisconnectOutlined, ReloadOutlined, ThunderboltOutlined } from '@ant-design/icons';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Flex,
  Form,
  InputNumber,
  Popconfirm,
  Row,
  Select,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useEffect, useMemo, useState } from 'react';
import type { ApiError } from '../../api/api-error.ts';
import { api } from '../../api/client.ts';
import { paths } from '../../api/paths.ts';
import type { Application, ApplicationMetrics, Cluster } from '../../api/types.ts';
import { Link } from '../../app/router.tsx';
import { canWrite } from '../../auth/capabilities.ts';
import { useCan } from '../../auth/session.tsx';
import type { ChartOption } from '../../charts/chart.tsx';
import { Chart } from '../../charts/chart.tsx';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { PageHeader } from '../../components/page.tsx';
import { SimpleList } from '../../components/simple-list.tsx';
import { HealthTag, LiveBadge } from '../../components/status-tags.tsx';
import { useApplicationRows, useClusters } from '../../data/hooks.ts';
import { formatDateTime, formatNumber } from '../../format/format.ts';
import type { MessageKey } from '../../i18n/i18n.tsx';
import { useI18n } from '../../i18n/i18n.tsx';

type Fault = 'fail' | 'partition' | 'restore';

interface LogEntry {
  readonly at: number;
  readonly text: string;
}

/**
 * The sandbox, when the simulated cloud runs: the data bureau fails, partitions and restores clusters and watches
 * applications move; departments multiply their own applications' load and watch them scale.
 */
export function SandboxPage() {
  const { t, locale } = useI18n();
  const can = useCan();
  const { message } = App.useApp();
  const clusters = useClusters();
  const apps = useApplicationRows();
  const [error, setError] = useState<ApiError>();
  const [log, setLog] = useState<LogEntry[]>([]);
  const [states, setStates] = useState<Record<string, string>>({});
  const simulated = clusters.items.filter((c) => c.spec.provider === 'simulated');
  const note = (text: string) => setLog((l) => [{ at: Date.now(), text }, ...l].slice(0, 20));

  const act = async (c: Cluster, fault: Fault) => {
    setError(undefined);
    try {
      const r = await api<{ state: string }>(paths.sandboxCluster(c.metadata.name, fault), {
        method: 'POST',
        body: {},
      });
      setStates((s) => ({ ...s, [c.metadata.name]: r.state }));
      const text = t(`sandbox.did.${fault}` as MessageKey, { cluster: c.metadata.name });
      message.success(text);
      note(text);
    } catch (e) {
      setError(e as ApiError);
    }
  };

  return (
    <div>
      <PageHeader
        title={t('nav.sandbox')}
        subtitle={t('sandbox.subtitle')}
        extra={<LiveBadge live={clusters.live} />}
      />
      {!clusters.loading && simulated.length === 0 && (
        <Alert type="info" showIcon style={{ marginBottom: 16 }} title={t('sandbox.off')} />
      )}
      <ErrorAlert error={error} />
      <Row gutter={[16, 16]}>
        {can.canControlClusters && simulated.length > 0 && (
          <Col xs={24}>
            <Card title={t('sandbox.clusters')} size="small">
              <Table<Cluster>
                size="small"
                rowKey={(c) => c.metadata.name}
                pagination={false}
                dataSource={simulated}
                data-testid="sandbox-clusters"
                columns={[
                  {
                    title: t('common.cluster'),
                    render: (_, c) => <Link to={`/clusters/${c.metadata.name}`}>{c.metadata.name}</Link>,
                  },
                  { title: t('clusters.vendor'), render: (_, c) => c.spec.vendor },
                  { title: t('clusters.role'), render: (_, c) => t(`role.cluster.${c.spec.role}` as MessageKey) },
                  {
                    title: t('common.health'),
                    render: (_, c) => (
                      <span
                        data-testid={`sandbox-health-${c.metadata.name}`}
                        data-health={c.status?.health ?? 'Unknown'}
                      >
                        <HealthTag health={c.status?.health} />
                        {states[c.metadata.name] && states[c.metadata.name] !== 'up' && (
                          <Tag color="red">{t(`sandbox.state.${states[c.metadata.name]}` as MessageKey)}</Tag>
                        )}
                      </span>
                    ),
                  },
                  {
                    title: '',
                    align: 'right',
                    render: (_, c) => (
                      <Flex gap={8} justify="end">
                        <Popconfirm
                          title={t('sandbox.confirmFail', { cluster: c.metadata.name })}
                          onConfirm={() => act(c, 'fail')}
                          okText={t('sandbox.fail')}
                          cancelText={t('common.cancel')}
                          okButtonProps={{ danger: true, 'data-testid': 'confirm-fail' }}
                        >
                          <Button
                            danger
                            size="small"
                            icon={<ThunderboltOutlined />}
                            data-testid={`fail-${c.metadata.name}`}
                          >
                            {t('sandbox.fail')}
                          </Button>
                        </Popconfirm>
                        <Popconfirm
                          title={t('sandbox.confirmPartition', { cluster: c.metadata.name })}
                          onConfirm={() => act(c, 'partition')}
                          okText={t('sandbox.partition')}
                          cancelText={t('common.cancel')}
                        >
                          <Button
                            size="small"
                            icon={<DisconnectOutlined />}
                            data-testid={`partition-${c.metadata.name}`}
                          >
                            {t('sandbox.partition')}
                          </Button>
                        </Popconfirm>
                        <Button
                          size="small"
                          icon={<ReloadOutlined />}
                          onClick={() => act(c, 'restore')}
                          data-testid={`restore-${c.metadata.name}`}
                        >
                          {t('sandbox.restore')}
                        </Button>
                      </Flex>
                    ),
                  },
                ]}
              />
              <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
                {t('sandbox.faultHelp')}
              </Typography.Paragraph>
            </Card>
          </Col>
        )}
        <Col xs={24} xl={14}>
          <LoadCard
            rows={apps.rows.filter((r) => canWrite(can, r.tenant))}
            onDone={(text) => note(text)}
            onError={setError}
          />
        </Col>
        <Col xs={24} xl={10}>
          <Card title={t('sandbox.log')} size="small">
            <SimpleList
              items={log}
              itemKey={(e, i) => `${e.at}-${i}`}
              empty={t('sandbox.logEmpty')}
              testId="sandbox-log"
              render={(e) => (
                <>
                  <Typography.Text type="secondary" style={{ marginRight: 8 }}>
                    {formatDateTime(e.at, locale)}
                  </Typography.Text>
                  {e.text}
                </>
              )}
            />
          </Card>
        </Col>
      </Row>
    </div>
  );
}

function LoadCard(props: {
  rows: readonly { key: string; tenant: string; name: string }[];
  onDone: (text: string) => void;
  onError: (e: ApiError) => void;
}) {
  const { t, locale } = useI18n();
  const { message } = App.useApp();
  const [target, setTarget] = useState<string>();
  const [components, setComponents] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<{ factor: number; minutes?: number; component?: string }>();
  const [samples, setSamples] = useState<{ at: number; rps: number; pods: number }[]>([]);
  const [tenant, name] = target ? (target.split('/') as [string, string]) : [undefined, undefined];

  useEffect(() => {
    setComponents([]);
    setSamples([]);
    if (!tenant || !name) return;
    api<Application>(paths.application(tenant, name))
      .then((a) => setComponents(a.spec.components.map((c) => c.name)))
      .catch(() => setComponents([]));
    let stop = false;
    const read = async () => {
      try {
        const m = await api<ApplicationMetrics>(paths.appMetrics(tenant, name));
        if (stop) return;
        const rps = m.components.reduce((a, c) => a + (c.signals?.requestsPerSecond ?? 0), 0);
        const pods = m.components.reduce((a, c) => a + (c.signals?.readyPods ?? 0), 0);
        setSamples((s) => [...s, { at: Date.now(), rps, pods }].slice(-90));
      } catch {
        // No signals yet: the chart stays empty.
      }
    };
    void read();
    const timer = setInterval(read, 2000);
    return () => {
      stop = true;
      clearInterval(timer);
    };
  }, [tenant, name]);

  const option = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 48, right: 48, top: 32, bottom: 24 },
      xAxis: { type: 'time' },
      yAxis: [
        { type: 'value', name: t('app.rps') },
        { type: 'value', name: t('app.readyPods'), minInterval: 1 },
      ],
      series: [
        { name: t('app.rps'), type: 'line', showSymbol: false, data: samples.map((s) => [s.at, Math.round(s.rps)]) },
        {
          name: t('app.readyPods'),
          type: 'line',
          step: 'end',
          yAxisIndex: 1,
          showSymbol: false,
          data: samples.map((s) => [s.at, s.pods]),
        },
      ],
    }),
    [samples, t],
  );

  const submit = async (v: { factor: number; minutes?: number; component?: string }) => {
    if (!tenant || !name) return;
    setBusy(true);
    try {
      const r = await api<{ components: { component: string; offeredRps: number }[]; until?: string }>(
        paths.sandboxLoad(tenant, name),
        {
          method: 'POST',
          body: {
            factor: v.factor,
            ...(v.minutes ? { forSeconds: Math.round(v.minutes * 60) } : {}),
            ...(v.component ? { component: v.component } : {}),
          },
        },
      );
      const text = t('sandbox.loadApplied', {
        app: `${tenant}/${name}`,
        factor: v.factor,
        rps: r.components.map((c) => `${c.component} ${formatNumber(c.offeredRps, locale)}`).join(', '),
      });
      message.success(text);
      props.onDone(text);
    } catch (e) {
      props.onError(e as ApiError);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title={t('sandbox.load')} size="small">
      <Form form={form} layout="vertical" initialValues={{ factor: 30, minutes: 10 }} onFinish={submit}>
        <Form.Item label={t('sandbox.application')} required>
          <Select
            showSearch
            value={target}
            onChange={setTarget}
            placeholder={t('sandbox.pickApplication')}
            options={props.rows.slice(0, 2000).map((r) => ({ value: r.key, label: r.key }))}
            data-testid="load-app"
          />
        </Form.Item>
        <Row gutter={12}>
          <Col span={8}>
            <Form.Item
              name="factor"
              label={t('sandbox.factor')}
              extra={t('sandbox.factorHelp')}
              rules={[{ required: true }]}
            >
              <InputNumber min={0} max={1000} step={1} style={{ width: '100%' }} data-testid="load-factor" />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="minutes" label={t('sandbox.minutes')}>
              <InputNumber min={1} max={10080} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="component" label={t('app.component')}>
              <Select
                allowClear
                placeholder={t('sandbox.allComponents')}
                options={components.map((c) => ({ value: c, label: c }))}
              />
            </Form.Item>
          </Col>
        </Row>
        <Button
          type="primary"
          htmlType="submit"
          icon={<ApiOutlined />}
          loading={busy}
          disabled={!target}
          data-testid="load-submit"
        >
          {t('sandbox.applyLoad')}
        </Button>
      </Form>
      {target && samples.length > 1 && (
        <div style={{ marginTop: 16 }}>
          <Chart option={option} height={220} />
        </div>
      )}
    </Card>
  );
}
