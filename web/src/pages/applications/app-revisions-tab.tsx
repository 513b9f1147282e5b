import { RollbackOutlined } from '@ant-design/icons';
import { App, Button, Card, Flex, Select, Space, Table, Tag, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import type { ApiError } from '../../api/api-error.ts';
import { api } from '../../api/client.ts';
import { paths } from '../../api/paths.ts';
import type { Application, RevisionHistory } from '../../api/types.ts';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { useFetch } from '../../data/hooks.ts';
import { formatDateTime } from '../../format/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';

/** A unified diff, coloured by line. */
export function DiffView(props: { diff: string }) {
  const { t } = useI18n();
  if (props.diff.trim() === '')
    return <Typography.Text type="secondary">{t('revisions.noDifference')}</Typography.Text>;
  return (
    <pre
      data-testid="revision-diff"
      style={{
        background: '#fafafa',
        border: '1px solid #f0f0f0',
        borderRadius: 6,
        padding: 12,
        fontSize: 12,
        overflow: 'auto',
        maxHeight: 420,
        margin: 0,
      }}
    >
      {props.diff.split('\n').map((l, i) => (
        <div
          key={i}
          style={{
            background:
              l.startsWith('+') && !l.startsWith('+++')
                ? '#f6ffed'
                : l.startsWith('-') && !l.startsWith('---')
                  ? '#fff1f0'
                  : undefined,
            color: l.startsWith('@@') ? '#1677ff' : undefined,
          }}
        >
          {l || ' '}
        </div>
      ))}
    </pre>
  );
}

/** Revision history with a diff between any two kept revisions, and rollback (after confirmation). */
export function AppRevisionsTab(props: { app: Application; writable: boolean }) {
  const { t, locale } = useI18n();
  const { modal, message } = App.useApp();
  const tenant = props.app.metadata.tenant!;
  const name = props.app.metadata.name;
  const history = useFetch<RevisionHistory>(paths.revisions(tenant, name), [props.app.metadata.generation], 500);
  const items = useMemo(() => history.data?.items ?? [], [history.data]);
  const current = history.data?.current;
  const [from, setFrom] = useState<number>();
  const [to, setTo] = useState<number>();
  const [diff, setDiff] = useState<string>();
  const [error, setError] = useState<ApiError>();

  // By default: the previous kept revision against the current one.
  useEffect(() => {
    if (items.length === 0) return;
    const revs = items.map((i) => i.revision);
    const cur = current ?? revs[revs.length - 1]!;
    setTo(cur);
    setFrom([...revs].reverse().find((r) => r < cur) ?? cur);
  }, [items, current]);

  useEffect(() => {
    if (from === undefined || to === undefined) return;
    const ctrl = new AbortController();
    api<{ diff: string }>(paths.diff(tenant, name, from, to), { signal: ctrl.signal })
      .then((d) => {
        setDiff(d.diff);
        setError(undefined);
      })
      .catch((e: unknown) => {
        if ((e as Error).name !== 'AbortError') setError(e as ApiError);
      });
    return () => ctrl.abort();
  }, [tenant, name, from, to]);

  const rollback = (revision: number) =>
    modal.confirm({
      title: t('revisions.rollbackTitle', { revision }),
      content: t('revisions.rollbackBody', { revision, next: (current ?? 0) + 1 }),
      okText: t('revisions.rollback'),
      cancelText: t('common.cancel'),
      okButtonProps: { 'data-testid': 'confirm-rollback' },
      onOk: async () => {
        try {
          await api(paths.rollback(tenant, name), { method: 'POST', body: { revision } });
          message.success(t('revisions.rolledBack', { revision }));
          setError(undefined);
          history.reload();
        } catch (e) {
          setError(e as ApiError);
        }
      },
    });

  const options = items.map((i) => ({ value: i.revision, label: `v${i.revision}` }));
  return (
    <>
      <ErrorAlert error={error ?? history.error} />
      <Table
        size="small"
        rowKey="revision"
        loading={history.loading}
        dataSource={[...items].reverse()}
        pagination={false}
        data-testid="revisions-table"
        columns={[
          {
            title: t('app.revision'),
            render: (_, r) => (
              <Space data-testid={`revision-${r.revision}`}>
                <Typography.Text strong>v{r.revision}</Typography.Text>
                {r.current && <Tag color="blue">{t('revisions.current')}</Tag>}
                {r.rollbackOf && <Tag color="purple">{t('revisions.rollbackOf', { revision: r.rollbackOf })}</Tag>}
              </Space>
            ),
          },
          { title: t('common.created'), render: (_, r) => formatDateTime(r.created, locale) },
          { title: t('revisions.changeCause'), render: (_, r) => r.changeCause ?? '' },
          {
            title: '',
            align: 'right',
            render: (_, r) => (
              <Space>
                <Button
                  size="small"
                  onClick={() => {
                    setFrom(r.revision);
                    setTo(current);
                  }}
                >
                  {t('revisions.compare')}
                </Button>
                {props.writable && !r.current && (
                  <Button
                    size="small"
                    icon={<RollbackOutlined />}
                    onClick={() => rollback(r.revision)}
                    data-testid={`rollback-${r.revision}`}
                  >
                    {t('revisions.rollback')}
                  </Button>
                )}
              </Space>
            ),
          },
        ]}
      />
      <Card
        size="small"
        style={{ marginTop: 16 }}
        title={
          <Flex gap={8} align="center">
            {t('revisions.diff')}
            <Select
              size="small"
              value={from}
              onChange={setFrom}
              options={options}
              style={{ width: 90 }}
              data-testid="diff-from"
            />
            →
            <Select
              size="small"
              value={to}
              onChange={setTo}
              options={options}
              style={{ width: 90 }}
              data-testid="diff-to"
            />
          </Flex>
        }
      >
        {diff !== undefined && <DiffView diff={diff} />}
      </Card>
    </>
  );
}
