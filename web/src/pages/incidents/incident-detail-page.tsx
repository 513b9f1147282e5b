import { CheckCircleOutlined, CheckOutlined } from '@ant-design/icons';
import { App, Button, Card, Descriptions, Flex, Result, Spin, Table, Tag, Timeline, Typography } from 'antd';
import { useState } from 'react';
import type { ApiError } from '../../api/api-error.ts';
import { api } from '../../api/client.ts';
import { paths } from '../../api/paths.ts';
import { useCollection } from '../../api/use-collection.ts';
import { Link } from '../../app/router.tsx';
import { canWrite } from '../../auth/capabilities.ts';
import { useCan } from '../../auth/session.tsx';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { PageHeader } from '../../components/page.tsx';
import { LiveBadge } from '../../components/status-tags.tsx';
import { useDisplayName } from '../../data/names.ts';
import { formatDateTime } from '../../format/format.ts';
import type { MessageKey } from '../../i18n/i18n.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { useServerText } from '../../i18n/server-messages.ts';
import type { EvidenceRow } from '../../observe/incident-model.ts';
import {
  byPerson,
  evidenceRows,
  evidenceSignalKey,
  incidentActions,
  OWNER_KEY,
  pathOf,
  shortName,
  subjectKindKey,
  timelineOf,
} from '../../observe/incident-model.ts';
import type { Candidate, Incident } from '../../observe/types.ts';
import { IncidentStateTag, VerdictTag } from './incident-tags.tsx';

/**
 * One incident: its verdict and who should act, the ranked root-cause candidates with their evidence (series before
 * and after, events, changes, the path in the topology), the symptoms, the timeline; acknowledge and resolve through
 * the incident's routes (the CLI's `polis incident ack|resolve`), which the server audits.
 */
export function IncidentDetailPage(props: { params: Record<string, string> }) {
  const { tenant, name } = props.params as { tenant: string; name: string };
  const { t, locale } = useI18n();
  const st = useServerText();
  const can = useCan();
  const displayName = useDisplayName();
  const signalName = useSignalName();
  const { message, modal } = App.useApp();
  const [actionError, setActionError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const snap = useCollection<Incident>(`incident/${tenant}/${name}`, () => ({
    path: `${paths.incidents(tenant)}?fieldSelector=${encodeURIComponent(`metadata.name=${name}`)}`,
  }));
  const inc = snap.state.items.get(`${tenant}/${name}`);
  const crumbs = [{ label: t('nav.incidents'), to: '/incidents' }, { label: `${tenant}/${name}` }];

  if (!inc) {
    if (snap.error) {
      return (
        <div>
          <PageHeader title={name} crumbs={crumbs} />
          <ErrorAlert error={snap.error} />
        </div>
      );
    }
    if (snap.loading) return <Spin size="large" style={{ display: 'block', margin: '120px auto' }} />;
    return (
      <Result
        status="404"
        title={t('incident.notFound', { name: `${tenant}/${name}` })}
        extra={<Link to="/incidents">{t('nav.incidents')}</Link>}
      />
    );
  }

  const s = inc.spec;
  const v = s.verdict;
  const actions = incidentActions(s.state, canWrite(can, tenant));
  const act = async (action: 'acknowledge' | 'resolve') => {
    setActionError(undefined);
    setBusy(true);
    try {
      await api(paths.incidentAction(tenant, name, action), { method: 'POST', body: {} });
      message.success(t(action === 'acknowledge' ? 'incident.acknowledged' : 'incident.resolved', { name }));
    } catch (e) {
      setActionError(e as ApiError);
    } finally {
      setBusy(false);
    }
  };
  const resolve = () =>
    modal.confirm({
      title: t('incident.confirmResolve', { name }),
      okText: t('incident.resolve'),
      okButtonProps: { 'data-testid': 'confirm-resolve' },
      cancelText: t('common.cancel'),
      onOk: () => act('resolve'),
    });

  return (
    <div data-testid="incident-detail">
      <PageHeader
        crumbs={crumbs}
        title={
          <Flex gap={8} align="center" wrap>
            <span>{name}</span>
            <IncidentStateTag state={s.state} testId="incident-state" />
            <VerdictTag kind={v?.kind ?? s.verdictKind} testId="incident-verdict" />
          </Flex>
        }
        extra={
          <>
            <LiveBadge live={snap.live} />
            {actions.acknowledge && (
              <Button
                icon={<CheckOutlined />}
                loading={busy}
                onClick={() => act('acknowledge')}
                data-testid="incident-ack"
              >
                {t('incident.acknowledge')}
              </Button>
            )}
            {actions.resolve && (
              <Button
                type="primary"
                icon={<CheckCircleOutlined />}
                loading={busy}
                onClick={resolve}
                data-testid="incident-resolve"
              >
                {t('incident.resolve')}
              </Button>
            )}
          </>
        }
      />
      <ErrorAlert error={actionError} />
      <Card size="small" style={{ marginBottom: 16 }} data-testid="incident-verdict-card">
        <Descriptions
          size="small"
          column={{ xs: 1, md: 2 }}
          items={[
            {
              key: 'verdict',
              label: t('incident.verdict'),
              span: 2,
              children: (
                <Typography.Text strong data-testid="incident-reason" data-server-text>
                  {st.text(v?.reason)}
                </Typography.Text>
              ),
            },
            {
              key: 'owner',
              label: t('incident.owner'),
              span: 2,
              children: (
                <span data-testid="incident-owner">
                  {v?.owner && <Tag>{t(OWNER_KEY[v.owner.team] ?? 'observe.owner.platform')}</Tag>}
                  <span data-server-text>{st.text(v?.ownerText)}</span>
                </span>
              ),
            },
            { key: 'dept', label: t('incidents.col.department'), children: displayName('tenant', tenant) },
            {
              key: 'final',
              label: t('incident.finality'),
              children: s.final ? t('incident.final') : t('incident.notFinal'),
            },
            { key: 'onset', label: t('incident.onset'), children: formatDateTime(s.at, locale) },
            { key: 'opened', label: t('incident.opened'), children: formatDateTime(s.openedAt, locale) },
          ]}
        />
      </Card>

      <Typography.Title level={5}>{t('incident.candidates')}</Typography.Title>
      <Flex vertical gap={12} style={{ marginBottom: 16 }} data-testid="incident-candidates">
        {s.candidates.map((c) => (
          <CandidateCard key={`${c.rank}-${c.subject.name}`} c={c} />
        ))}
      </Flex>

      <Flex gap={16} wrap align="start">
        <Card size="small" title={t('incident.timeline')} style={{ flex: '1 1 420px' }} data-testid="incident-timeline">
          <Timeline
            items={timelineOf(s.timeline).map((e, i) => ({
              key: i,
              color: byPerson(e) ? 'blue' : 'gray',
              children: (
                <div data-testid={`timeline-${e.action}`}>
                  <Typography.Text type="secondary">{formatDateTime(e.at * 1000, locale)}</Typography.Text>{' '}
                  <Tag>{t(`incident.action.${e.action}` as MessageKey)}</Tag>
                  <Typography.Text strong>{byPerson(e) ? e.actor : t('incident.system')}</Typography.Text>
                  <div data-server-text>{st.text(e.message)}</div>
                </div>
              ),
            }))}
          />
        </Card>
        <Card size="small" title={t('incident.symptoms')} style={{ flex: '1 1 420px' }}>
          <Table
            size="small"
            rowKey="id"
            pagination={{ pageSize: 8, hideOnSinglePage: true }}
            dataSource={[...s.symptoms]}
            columns={[
              { key: 'on', title: t('incident.col.subject'), render: (_, x) => shortName(x.name) },
              {
                key: 'signal',
                title: t('incident.col.signal'),
                render: (_, x) => `${signalName(x.signal)}${x.detail ? ` (${shortName(x.detail)})` : ''}`,
              },
              { key: 'since', title: t('incident.onset'), render: (_, x) => formatDateTime(x.since * 1000, locale) },
            ]}
          />
        </Card>
      </Flex>
    </div>
  );
}

/** A demarcation signal in the reader's language (the raw name for one this console does not know). */
function useSignalName(): (signal: string) => string {
  const { t } = useI18n();
  return (signal) => {
    const key = evidenceSignalKey(signal);
    return key ? t(key) : signal;
  };
}

function CandidateCard(props: { c: Candidate }) {
  const { t, locale } = useI18n();
  const signalName = useSignalName();
  const st = useServerText();
  const c = props.c;
  const rows = evidenceRows(c, locale);
  const path = pathOf(c);
  const ev = c.evidence;
  return (
    <Card
      size="small"
      data-testid={`candidate-${c.rank}`}
      title={
        <Flex gap={8} align="center">
          <Tag color={c.rank === 1 ? 'red' : 'default'}>#{c.rank}</Tag>
          <span>{subjectKindKey(c.subject.kind) ? t(subjectKindKey(c.subject.kind)!) : c.subject.kind}</span>
          <Typography.Text strong>{shortName(c.subject.name)}</Typography.Text>
          <Typography.Text type="secondary">{c.subject.name}</Typography.Text>
        </Flex>
      }
      extra={
        <Typography.Text type="secondary">
          {t('incident.score', { score: Math.round(c.score * 100) / 100 })}
        </Typography.Text>
      }
    >
      {(c.reasons ?? []).length > 0 && (
        <ul style={{ margin: '0 0 8px', paddingLeft: 20 }} data-testid={`candidate-${c.rank}-reasons`}>
          {(c.reasons ?? []).map((r, i) => (
            <li key={i} data-server-text>
              {st.text(r)}
            </li>
          ))}
        </ul>
      )}
      {rows.length > 0 && (
        <Table<EvidenceRow>
          size="small"
          rowKey="key"
          pagination={false}
          dataSource={rows.slice(0, 8)}
          title={() => t('incident.series')}
          columns={[
            { key: 'subject', title: t('incident.col.subject'), dataIndex: 'subject' },
            {
              key: 'signal',
              title: t('incident.col.signal'),
              render: (_, r) =>
                `${signalName(r.signal)}${r.quantile !== undefined ? ` P${Math.round(r.quantile * 100)}` : ''}`,
            },
            { key: 'before', title: t('incident.col.before'), dataIndex: 'before' },
            {
              key: 'after',
              title: t('incident.col.after'),
              render: (_, r) => (r.silent ? <Tag>{t('incident.silent')}</Tag> : r.after),
            },
            {
              key: 'z',
              title: t('incident.col.z'),
              render: (_, r) => (
                <>
                  {r.z ?? '—'}
                  {r.explainedBy && (
                    <Typography.Text type="secondary">
                      {' '}
                      ({t('incident.explainedBy', { by: r.explainedBy })})
                    </Typography.Text>
                  )}
                </>
              ),
            },
          ]}
        />
      )}
      <Descriptions
        size="small"
        column={1}
        style={{ marginTop: 8 }}
        items={[
          ...(path.length > 1
            ? [
                {
                  key: 'path',
                  label: t('incident.path'),
                  children: <span data-testid={`candidate-${c.rank}-path`}>{path.join(' → ')}</span>,
                },
              ]
            : []),
          ...(ev.events.length > 0
            ? [
                {
                  key: 'events',
                  label: t('incident.events'),
                  children: ev.events
                    .map(
                      (e) =>
                        `${formatDateTime(e.at * 1000, locale)} ${shortName(e.name)} ${st.reason(e.reason) || e.reason}`,
                    )
                    .join('; '),
                },
              ]
            : []),
          ...(ev.changes.length > 0
            ? [
                {
                  key: 'changes',
                  label: t('incident.changes'),
                  children: ev.changes
                    .map(
                      (ch) =>
                        `${formatDateTime(ch.at * 1000, locale)} ${shortName(ch.component)}: ${t(
                          `incident.change.${ch.kind}` as MessageKey,
                          { revision: ch.revision ?? '' },
                        )}`,
                    )
                    .join('; '),
                },
              ]
            : []),
          ...(ev.spread
            ? [
                {
                  key: 'spread',
                  label: t('incident.evidence'),
                  children: t('incident.spread', {
                    anomalous: ev.spread.anomalousPods,
                    pods: ev.spread.pods,
                    components: ev.spread.components.map(shortName).join(', '),
                  }),
                },
              ]
            : []),
        ]}
      />
    </Card>
  );
}
