import { CheckCircleTwoTone, CloseCircleTwoTone } from '@ant-design/icons';
import { Card, Col, Drawer, Empty, Flex, Progress, Row, Statistic, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useCan } from '../../auth/session.tsx';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { PageHeader } from '../../components/page.tsx';
import { useFetch } from '../../data/hooks.ts';
import { useDisplayName } from '../../data/names.ts';
import { formatNumber, formatPercent } from '../../format/format.ts';
import type { MessageKey } from '../../i18n/i18n.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { useServerText } from '../../i18n/server-messages.ts';
import { criteriaByLevel, orderedResults } from './assessment-model.ts';
import type { Assessment, CheckResult, Criterion, Scorecard } from './operations-api.ts';
import { opsPaths } from './operations-api.ts';

const SEVERITY_COLOR = { danger: 'red', warning: 'orange', info: 'blue' } as const;
/** Criteria whose value is a share (shown as a percentage); the rest are ratios shown as numbers. */
const SHARES = new Set(['standard', 'automation', 'failover', 'slo-declared', 'slo', 'allocated', 'utilization']);

/**
 * 评估 (issue 17 point 7): scores per department and application, each application's scorecard (every check with
 * its severity, reason and fix in the reader's language), and for platform-wide readers the maturity level L1–L5
 * with each criterion's measured figure as evidence.
 */
export function AssessmentPage() {
  const { t } = useI18n();
  const can = useCan();
  const name = useDisplayName();
  const data = useFetch<Assessment>(opsPaths.assessment(), [], 0);
  const [open, setOpen] = useState<{ tenant: string; application: string }>();
  const departments = data.data?.departments ?? [];
  return (
    <div data-testid="assessment-page">
      <PageHeader
        title={t('nav.assessment')}
        subtitle={
          can.readableDepartments === 'all'
            ? t('assess.subtitleAll')
            : t('assess.subtitleDepartments', {
                departments: can.readableDepartments.map((d) => name('tenant', d)).join('、'),
              })
        }
      />
      <ErrorAlert error={data.error} />
      {data.data?.level && <LevelCard level={data.data.level} />}
      <Typography.Title level={5}>{t('assess.departments')}</Typography.Title>
      {departments.length === 0 && !data.loading && <Empty />}
      <Row gutter={[16, 16]}>
        {departments.map((d) => (
          <Col key={d.tenant} xs={24} lg={12}>
            <Card
              size="small"
              data-testid={`assess-dept-${d.tenant}`}
              title={name('tenant', d.tenant)}
              extra={
                <Typography.Text type="secondary">
                  {t('assess.inStandardCount', { n: d.inStandard, total: d.applications.length })}
                </Typography.Text>
              }
            >
              <Flex gap={24} align="center">
                <Progress type="circle" size={72} percent={d.score ?? 0} format={(p) => `${p}`} />
                <Table
                  style={{ flex: 1 }}
                  size="small"
                  pagination={false}
                  rowKey="application"
                  dataSource={[...d.applications]}
                  columns={[
                    {
                      key: 'a',
                      title: t('rec.application'),
                      render: (_, a) => (
                        <Typography.Link
                          data-testid={`assess-open-${a.application}`}
                          onClick={() => setOpen({ tenant: d.tenant, application: a.application })}
                        >
                          {a.application}
                        </Typography.Link>
                      ),
                    },
                    { key: 's', title: t('assess.score'), align: 'right', dataIndex: 'score' },
                    {
                      key: 'i',
                      title: t('assess.inStandard'),
                      render: (_, a) =>
                        a.inStandard ? (
                          <CheckCircleTwoTone twoToneColor="#52c41a" />
                        ) : (
                          <CloseCircleTwoTone twoToneColor="#ff4d4f" />
                        ),
                    },
                    { key: 'f', title: t('assess.failedChecks'), align: 'right', dataIndex: 'failed' },
                  ]}
                />
              </Flex>
            </Card>
          </Col>
        ))}
      </Row>
      <Drawer
        open={!!open}
        size={860}
        onClose={() => setOpen(undefined)}
        title={open ? t('assess.scorecard', { application: open.application }) : ''}
        destroyOnHidden
      >
        {open && <ScorecardView tenant={open.tenant} application={open.application} />}
      </Drawer>
    </div>
  );
}

function ScorecardView(props: { tenant: string; application: string }) {
  const { t } = useI18n();
  const server = useServerText();
  const card = useFetch<Scorecard>(opsPaths.scorecard(props.tenant, props.application), [], 0);
  const c = card.data;
  return (
    <div data-testid="scorecard">
      <ErrorAlert error={card.error} />
      {c && (
        <>
          <Flex gap={48} style={{ marginBottom: 16 }}>
            <Statistic title={t('assess.score')} value={c.score} />
            <Statistic title={t('assess.passed')} value={c.passed} />
            <Statistic title={t('assess.failed')} value={c.failed} />
            <Statistic
              title={t('assess.inStandard')}
              value=" "
              prefix={
                c.inStandard ? (
                  <CheckCircleTwoTone twoToneColor="#52c41a" />
                ) : (
                  <CloseCircleTwoTone twoToneColor="#ff4d4f" />
                )
              }
            />
          </Flex>
          <Table<CheckResult>
            size="small"
            pagination={false}
            rowKey={(r) => `${r.check}/${r.component ?? ''}`}
            dataSource={orderedResults(c.results)}
            onRow={(r) =>
              ({ 'data-testid': `check-${r.check}`, 'data-passed': r.passed }) as React.HTMLAttributes<HTMLElement>
            }
            columns={[
              {
                key: 'check',
                title: t('assess.check'),
                width: 230,
                render: (_, r) => (
                  <span>
                    {t(`assess.title.${r.check}` as MessageKey)}{' '}
                    <Typography.Text code type="secondary" style={{ whiteSpace: 'nowrap' }}>
                      {r.check}
                    </Typography.Text>
                    {r.component && <Typography.Text type="secondary"> {r.component}</Typography.Text>}
                    {r.mandatory && <Tag color="red">{t('assess.mandatory')}</Tag>}
                  </span>
                ),
              },
              {
                key: 'severity',
                title: t('assess.severity'),
                width: 96,
                render: (_, r) => (
                  <Tag color={SEVERITY_COLOR[r.severity]}>{t(`assess.severity.${r.severity}` as MessageKey)}</Tag>
                ),
              },
              {
                key: 'passed',
                title: t('common.status'),
                width: 80,
                render: (_, r) =>
                  r.passed ? (
                    <Typography.Text type="success">{t('assess.passed')}</Typography.Text>
                  ) : (
                    <Typography.Text type="danger">{t('assess.failed')}</Typography.Text>
                  ),
              },
              {
                key: 'reason',
                title: t('assess.reason'),
                render: (_, r) => (r.passed ? '' : <span data-testid="check-reason">{server.text(r.reason)}</span>),
              },
              {
                key: 'fix',
                title: t('assess.fix'),
                render: (_, r) => (r.passed ? '' : <span data-testid="check-fix">{server.text(r.fix)}</span>),
              },
            ]}
          />
        </>
      )}
    </div>
  );
}

function LevelCard(props: { level: NonNullable<Assessment['level']> }) {
  const { t, locale } = useI18n();
  const figure = (c: Criterion, v: number) =>
    SHARES.has(c.id) ? formatPercent(v, locale) : formatNumber(v, locale, 2);
  return (
    <Card size="small" style={{ marginBottom: 16 }} data-testid="maturity-level" data-level={props.level.level}>
      <Flex gap={32} align="start" wrap>
        <Statistic title={t('assess.level')} value={t('assess.levelValue', { level: props.level.level })} />
        <Table
          style={{ flex: 1, minWidth: 640 }}
          size="small"
          pagination={false}
          rowKey={(c) => `${c.level}/${c.id}`}
          dataSource={criteriaByLevel(props.level.criteria).flatMap((l) => l.criteria)}
          columns={[
            { key: 'l', title: '', render: (_, c) => <Tag color={c.met ? 'green' : 'default'}>L{c.level}</Tag> },
            { key: 'id', title: t('assess.check'), render: (_, c) => t(`assess.criterion.${c.id}` as MessageKey) },
            {
              key: 'v',
              title: t('assess.measured'),
              align: 'right',
              render: (_, c) => (c.value === null ? t('assess.notMeasured') : figure(c, c.value)),
            },
            {
              key: 't',
              title: t('assess.required'),
              render: (_, c) => t('assess.threshold', { threshold: figure(c, c.threshold) }),
            },
            {
              key: 'e',
              title: t('assess.evidence'),
              render: (_, c) => (
                <Typography.Text type="secondary">
                  {Object.values(c.evidence)
                    .map((v) => formatNumber(v, locale, 2))
                    .join(' / ')}
                </Typography.Text>
              ),
            },
            {
              key: 'm',
              title: '',
              render: (_, c) => (c.met ? <Tag color="green">{t('assess.met')}</Tag> : <Tag>{t('assess.notMet')}</Tag>),
            },
          ]}
        />
      </Flex>
    </Card>
  );
}
