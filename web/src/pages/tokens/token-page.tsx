import { Alert, Button, Form, Input, Modal, Popconfirm, Select, Table, Tag, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import type { ApiError } from '../../api/api-error.ts';
import { api } from '../../api/client.ts';
import { paths } from '../../api/paths.ts';
import type { RoleBinding, User } from '../../api/types.ts';
import type { KubeObject } from '../../api/watch-reducer.ts';
import { useCan } from '../../auth/session.tsx';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { PageHeader } from '../../components/page.tsx';
import { useFetch } from '../../data/hooks.ts';
import { formatDateTime } from '../../format/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useServerText } from '../../i18n/server-messages.ts';

interface TokenObject extends KubeObject {
  readonly spec: { readonly user: string; readonly description?: string; readonly expiresAt?: string };
}

interface IssuedToken {
  readonly id: string;
  readonly user: string;
  readonly expiresAt: string | null;
  readonly token: string;
}

const DAY = 86_400;
const EXPIRIES = [7, 30, 90, 180, 365] as const;

/**
 * API tokens: the user's own; a department admin's members' too; everyone's for the data bureau. Issued with an
 * expiry (the secret shown once, to copy), revoked at once. The same API as `polis token`.
 */
export function TokenPage() {
  const { t, locale } = useI18n();
  const st = useServerText();
  const can = useCan();
  const tokens = useFetch<{ items: TokenObject[] }>(paths.tokens, [], 0);
  const adminOf = Object.entries(can.departmentRoles)
    .filter(([, roles]) => roles.includes('tenant-admin'))
    .map(([d]) => d)
    .sort();
  // Who tokens may be issued for: anyone (data bureau), or the members of the departments one administers.
  const users = useFetch<{ items: User[] }>(can.isPlatformAdmin ? paths.users : undefined);
  const [memberLists, setMemberLists] = useState<string[]>();
  const adminKey = can.isPlatformAdmin ? '' : adminOf.join(',');
  useEffect(() => {
    if (!adminKey) return;
    // Members are read per department the user administers (the server shows each admin its own only).
    let live = true;
    void Promise.all(adminKey.split(',').map((d) => api<{ items: RoleBinding[] }>(paths.roleBindings(d))))
      .then((lists) => {
        if (live) setMemberLists([...new Set(lists.flatMap((l) => l.items.map((b) => b.spec.user)))]);
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [adminKey]);
  const userOptions = useMemo(() => {
    const names = can.isPlatformAdmin ? (users.data?.items ?? []).map((u) => u.metadata.name) : (memberLists ?? []);
    return [...new Set([can.user, ...names])].sort().map((n) => ({ value: n, label: n }));
  }, [can.isPlatformAdmin, can.user, users.data, memberLists]);

  // Revoke is offered where the server allows it (an auditor reads every token and revokes only its own).
  const mayRevoke = (user: string) => can.isPlatformAdmin || user === can.user || (memberLists ?? []).includes(user);
  const [creating, setCreating] = useState(false);
  const [issued, setIssued] = useState<IssuedToken>();
  const [error, setError] = useState<ApiError>();
  const [form] = Form.useForm<{ user: string; description?: string; days: number | 'never' }>();
  const now = Date.now();

  const create = async () => {
    const v = await form.validateFields().catch(() => undefined);
    if (!v) return;
    try {
      const r = await api<IssuedToken>(paths.tokens, {
        body: {
          user: v.user,
          ...(v.description ? { description: v.description } : {}),
          ...(v.days === 'never' ? {} : { ttlSeconds: v.days * DAY }),
        },
      });
      setCreating(false);
      setError(undefined);
      setIssued(r);
      tokens.reload();
    } catch (e) {
      const err = e as ApiError;
      const userCause = err.causes.find((c) => c.path === 'user');
      if (userCause) form.setFields([{ name: 'user', errors: [st.text(userCause)] }]);
      else setError(err);
    }
  };
  const revoke = async (id: string) => {
    try {
      await api(paths.token(id), { method: 'DELETE' });
      setError(undefined);
      tokens.reload();
    } catch (e) {
      setError(e as ApiError);
    }
  };

  return (
    <div data-testid="token-page">
      <PageHeader
        title={t('nav.tokens')}
        subtitle={t('admin.token.subtitle')}
        extra={
          <Button
            type="primary"
            data-testid="token-create"
            onClick={() => {
              form.resetFields();
              form.setFieldsValue({ user: can.user, days: 90 });
              setError(undefined);
              setCreating(true);
            }}
          >
            {t('admin.token.create')}
          </Button>
        }
      />
      {!creating && <ErrorAlert error={error ?? tokens.error} />}
      <Table<TokenObject>
        rowKey={(x) => x.metadata.name}
        dataSource={tokens.data?.items ?? []}
        loading={tokens.loading}
        pagination={false}
        data-testid="token-table"
        columns={[
          { title: t('admin.token.id'), render: (_, x) => <code>{x.metadata.name}</code> },
          { title: t('departments.user'), render: (_, x) => x.spec.user },
          { title: t('admin.token.description'), render: (_, x) => x.spec.description ?? '—' },
          {
            title: t('admin.token.expires'),
            render: (_, x) =>
              !x.spec.expiresAt ? (
                <Tag color="warning">{t('admin.token.never')}</Tag>
              ) : Date.parse(x.spec.expiresAt) <= now ? (
                <Tag color="error">{t('admin.token.expired')}</Tag>
              ) : (
                formatDateTime(x.spec.expiresAt, locale)
              ),
          },
          {
            title: t('admin.token.created'),
            render: (_, x) =>
              x.metadata.creationTimestamp ? formatDateTime(x.metadata.creationTimestamp, locale) : '—',
          },
          {
            title: t('admin.actions'),
            render: (_, x) =>
              mayRevoke(x.spec.user) && (
                <Popconfirm
                  title={t('admin.token.confirmRevoke', { id: x.metadata.name, user: x.spec.user })}
                  okText={t('admin.token.revoke')}
                  cancelText={t('admin.cancel')}
                  onConfirm={() => revoke(x.metadata.name)}
                  okButtonProps={{ danger: true, 'data-testid': 'token-revoke-confirm' }}
                >
                  <Button size="small" danger data-testid={`token-revoke-${x.metadata.name}`}>
                    {t('admin.token.revoke')}
                  </Button>
                </Popconfirm>
              ),
          },
        ]}
      />
      <Modal
        open={creating}
        title={t('admin.token.create')}
        okText={t('admin.token.issue')}
        cancelText={t('admin.cancel')}
        onOk={() => void create()}
        onCancel={() => setCreating(false)}
        okButtonProps={{ 'data-testid': 'token-create-submit' }}
      >
        <ErrorAlert error={error} />
        <Form form={form} layout="vertical">
          <Form.Item
            name="user"
            label={t('departments.user')}
            rules={[{ required: true, message: t('admin.required') }]}
          >
            <Select options={userOptions} showSearch data-testid="token-user" />
          </Form.Item>
          <Form.Item name="description" label={t('admin.token.description')}>
            <Input maxLength={200} data-testid="token-description" />
          </Form.Item>
          <Form.Item name="days" label={t('admin.token.expiry')}>
            <Select
              data-testid="token-expiry"
              options={[
                ...EXPIRIES.map((d) => ({ value: d, label: t('admin.token.days', { n: d }) })),
                { value: 'never', label: t('admin.token.neverDiscouraged') },
              ]}
            />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        open={issued !== undefined}
        title={t('admin.token.issuedTitle', { user: issued?.user ?? '' })}
        onOk={() => setIssued(undefined)}
        onCancel={() => setIssued(undefined)}
        okText={t('admin.token.stored')}
        cancelButtonProps={{ style: { display: 'none' } }}
        okButtonProps={{ 'data-testid': 'token-issued-close' }}
      >
        <Alert type="warning" showIcon title={t('admin.token.onlyOnce')} style={{ marginBottom: 12 }} />
        <Typography.Paragraph copyable={{ text: issued?.token }} data-testid="token-secret" code>
          {issued?.token}
        </Typography.Paragraph>
        <Typography.Text type="secondary">
          {issued?.expiresAt
            ? t('admin.token.expiresAt', { at: formatDateTime(issued.expiresAt, locale) })
            : t('admin.token.never')}
        </Typography.Text>
      </Modal>
    </div>
  );
}
