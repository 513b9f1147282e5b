import { Card, Col, Descriptions, Empty, Row, Table, Tag, Typography } from 'antd';
import { useMemo } from 'react';
import { paths } from '../../api/paths.ts';
import type { DepartmentUsage, RoleBinding, Tenant, User } from '../../api/types.ts';
import { useCollection } from '../../api/use-collection.ts';
import { Link } from '../../app/router.tsx';
import { canSeeMembers } from '../../auth/capabilities.ts';
import { useCan } from '../../auth/session.tsx';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { PageHeader } from '../../components/page.tsx';
import { PhaseTag, RoleTag } from '../../components/status-tags.tsx';
import { useApplicationRows, useFetch } from '../../data/hooks.ts';
import { formatBytes, formatCores, formatYuan } from '../../format/format.ts';
import { localName, useI18n } from '../../i18n/i18n.tsx';
import { QuotaBar } from './department-list-page.tsx';
import { ShareBar, ShareFigures } from './department-share.tsx';
import { AddMember, RemoveMember } from './member-admin.tsx';

/** One department: who it is, its quota against use, its members and their roles, its applications. */
export function DepartmentDetailPage(props: { params: Record<string, string> }) {
  const tenant = props.params.tenant!;
  const { t, locale, lang } = useI18n();
  const can = useCan();
  const apps = useApplicationRows();
  const tenantObj = useFetch<Tenant>(paths.tenant(tenant));
  const usage = useFetch<DepartmentUsage>(paths.tenantUsage(tenant), [apps.state.resourceVersion], 3000);
  const members = useCollection<RoleBinding>(canSeeMembers(can, tenant) ? `rolebindings/${tenant}` : undefined, () => ({
    path: paths.roleBindings(tenant),
  }));
  const users = useFetch<{ items: User[] }>(can.canListTenants ? paths.users : undefined);
  const userNames = useMemo(
    () => new Map((users.data?.items ?? []).map((u) => [u.metadata.name, u.spec.displayName])),
    [users.data],
  );
  // Who may grant and take away roles here: the data bureau, and the department's own admins (the server decides).
  const manages = can.isPlatformAdmin || (can.departmentRoles[tenant] ?? []).includes('tenant-admin');
  const mine = useMemo(() => apps.rows.filter((r) => r.tenant === tenant), [apps.rows, tenant]);
  const u = usage.data;
  const spec = tenantObj.data?.spec;

  return (
    <div data-testid="department-detail">
      <PageHeader
        crumbs={[{ label: t('nav.departments'), to: '/departments' }, { label: tenant }]}
        title={localName(spec?.displayName ?? u?.displayName, lang, tenant)}
        subtitle={tenant}
      />
      <ErrorAlert error={tenantObj.error ?? usage.error} />
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={10}>
          <Card size="small" title={t('departments.about')}>
            <Descriptions
              size="small"
              column={1}
              items={[
                { key: 'zh', label: t('departments.nameZh'), children: spec?.displayName?.zh ?? '—' },
                { key: 'en', label: t('departments.nameEn'), children: spec?.displayName?.en ?? '—' },
                ...(spec?.parent
                  ? [
                      {
                        key: 'parent',
                        label: t('departments.parent'),
                        children: <Link to={`/departments/${spec.parent}`}>{spec.parent}</Link>,
                      },
                    ]
                  : []),
                {
                  key: 'contacts',
                  label: t('departments.contacts'),
                  children: (spec?.contacts ?? []).map((c, i) => (
                    <div key={i}>
                      {c.name}
                      {c.role && <Typography.Text type="secondary"> · {c.role}</Typography.Text>}
                      {c.email && <Typography.Text type="secondary"> · {c.email}</Typography.Text>}
                    </div>
                  )),
                },
                {
                  key: 'cost',
                  label: t('overview.costPerHour'),
                  children: u ? formatYuan(u.costPerHour, locale) : '—',
                },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} xl={14}>
          <Card size="small" title={t('departments.quotaAgainstUse')}>
            {u ? (
              <Table
                size="small"
                pagination={false}
                rowKey="what"
                data-testid="quota-table"
                dataSource={[
                  {
                    what: t('common.cpu'),
                    requested: u.requested.cpu,
                    placed: u.placed.cpu,
                    quota: u.quota.cpu,
                    fmt: (n: number) => `${formatCores(n, locale)} ${t('unit.cores')}`,
                  },
                  {
                    what: t('common.memory'),
                    requested: u.requested.memory,
                    placed: u.placed.memory,
                    quota: u.quota.memory,
                    fmt: (n: number) => formatBytes(n, locale),
                  },
                  {
                    what: t('departments.storage'),
                    requested: u.requested.storage,
                    placed: undefined,
                    quota: u.quota.storage,
                    fmt: (n: number) => formatBytes(n, locale),
                  },
                  {
                    what: t('nav.applications'),
                    requested: u.requested.applications,
                    placed: undefined,
                    quota: u.quota.applications,
                    fmt: (n: number) => String(n),
                  },
                ]}
                columns={[
                  { title: '', dataIndex: 'what' },
                  { title: t('departments.requested'), render: (_, r) => r.fmt(r.requested) },
                  {
                    title: t('departments.placed'),
                    render: (_, r) => (r.placed === undefined ? '—' : r.fmt(r.placed)),
                  },
                  {
                    title: t('departments.quota'),
                    render: (_, r) => (r.quota === undefined ? t('departments.unlimited') : r.fmt(r.quota)),
                  },
                  {
                    title: t('departments.ofQuota'),
                    width: 180,
                    render: (_, r) => (
                      <QuotaBar
                        used={r.requested}
                        quota={r.quota}
                        label={`${r.fmt(r.requested)} / ${r.quota === undefined ? '∞' : r.fmt(r.quota)}`}
                      />
                    ),
                  },
                ]}
              />
            ) : (
              <Empty />
            )}
            {u && u.placed.burstReplicas > 0 && (
              <Typography.Paragraph type="warning" style={{ marginTop: 8 }}>
                {t('departments.burstNote', { n: u.placed.burstReplicas })}
              </Typography.Paragraph>
            )}
          </Card>
        </Col>
        {u?.sharing && (
          <Col xs={24}>
            <Card size="small" title={t('share.title')} data-testid="department-share">
              <Row gutter={[16, 8]}>
                <Col xs={24} lg={8}>
                  <ShareBar sharing={u.sharing} testId={`share-${tenant}`} />
                </Col>
                <Col xs={24} lg={16}>
                  <ShareFigures sharing={u.sharing} />
                </Col>
              </Row>
            </Card>
          </Col>
        )}
        <Col xs={24} xl={10}>
          <Card size="small" title={t('departments.members')}>
            {canSeeMembers(can, tenant) ? (
              <>
                <ErrorAlert error={members.error} compact />
                {manages && <AddMember tenant={tenant} users={[...userNames.keys()].sort()} />}
                <Table
                  size="small"
                  pagination={false}
                  rowKey={(b) => b.metadata.name}
                  loading={members.loading}
                  data-testid="members-table"
                  dataSource={[...members.state.items.values()].sort((a, b) => a.spec.user.localeCompare(b.spec.user))}
                  columns={[
                    {
                      title: t('departments.user'),
                      render: (_, b) => (
                        <span>
                          {b.spec.user}
                          {userNames.get(b.spec.user) && (
                            <Typography.Text type="secondary"> · {userNames.get(b.spec.user)}</Typography.Text>
                          )}
                        </span>
                      ),
                    },
                    { title: t('departments.role'), render: (_, b) => <RoleTag role={b.spec.role} /> },
                    ...(manages
                      ? [
                          {
                            title: t('admin.actions'),
                            render: (_: unknown, b: RoleBinding) => <RemoveMember binding={b} tenant={tenant} />,
                          },
                        ]
                      : []),
                  ]}
                />
              </>
            ) : (
              <Typography.Text type="secondary">{t('departments.membersHidden')}</Typography.Text>
            )}
          </Card>
        </Col>
        <Col xs={24} xl={14}>
          <Card
            size="small"
            title={t('departments.applicationsN', { n: mine.length })}
            extra={<Link to={`/applications?department=${tenant}`}>{t('common.all')}</Link>}
          >
            <Table
              size="small"
              rowKey="key"
              dataSource={mine}
              pagination={{ pageSize: 10, hideOnSinglePage: true }}
              columns={[
                {
                  title: t('common.name'),
                  render: (_, a) => <Link to={`/applications/${a.tenant}/${a.name}`}>{a.name}</Link>,
                },
                { title: t('common.health'), render: (_, a) => <PhaseTag phase={a.phase} /> },
                { title: t('app.readyReplicas'), render: (_, a) => `${a.ready}/${a.desired}` },
                {
                  title: t('nav.clusters'),
                  render: (_, a) =>
                    Object.keys(a.clusters)
                      .sort()
                      .map((c) => <Tag key={c}>{c}</Tag>),
                },
              ]}
            />
          </Card>
        </Col>
      </Row>
    </div>
  );
}
