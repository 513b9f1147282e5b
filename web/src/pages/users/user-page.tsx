import { App, Button, Form, Input, Modal, Popconfirm, Radio, Select, Space, Table, Tag } from 'antd';
import { useMemo, useState } from 'react';
import type { ApiError } from '../../api/api-error.ts';
import { api } from '../../api/client.ts';
import { paths } from '../../api/paths.ts';
import type { RoleBinding, Tenant, User } from '../../api/types.ts';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { PageHeader } from '../../components/page.tsx';
import { useFetch } from '../../data/hooks.ts';
import type { MessageKey } from '../../i18n/i18n.tsx';
import { localName, useI18n } from '../../i18n/i18n.tsx';
import { useServerText } from '../../i18n/server-messages.ts';
import { bindingName } from '../departments/member-admin.tsx';
import type { HeldRole } from './user-values.ts';
import { DEPARTMENT_ROLES, PLATFORM_ROLES, rolesByUser, userFieldOf } from './user-values.ts';

const POLIS = '/apis/polis.io/v1';
const PLATFORM_BINDINGS = `${POLIS}/platformrolebindings`;
const ALL_BINDINGS = `${POLIS}/rolebindings`;

interface UserValues {
  name: string;
  displayName: string;
  email?: string;
  organization?: string;
}

interface GrantValues {
  scope: 'platform' | 'department';
  tenant?: string;
  role: string;
}

type TenantBinding = RoleBinding & { metadata: { tenant?: string } };

/**
 * The data bureau's users and their roles (platform admins): create a user, disable or enable one (a disabled user's
 * tokens are refused), grant a role platform-wide (PlatformRoleBinding) or in a department (RoleBinding) and revoke
 * it. Every action is the request `polis apply`/`polis delete` sends, audited under the signed-in user.
 */
export function UserPage() {
  const { t, lang } = useI18n();
  const st = useServerText();
  const { message } = App.useApp();
  const [nonce, setNonce] = useState(0);
  const users = useFetch<{ items: User[] }>(paths.users, [nonce], 0);
  const platform = useFetch<{ items: RoleBinding[] }>(PLATFORM_BINDINGS, [nonce], 0);
  const departmental = useFetch<{ items: TenantBinding[] }>(ALL_BINDINGS, [nonce], 0);
  const tenants = useFetch<{ items: Tenant[] }>(paths.tenants);
  const reload = () => setNonce((n) => n + 1);
  const [error, setError] = useState<ApiError>();
  const [creating, setCreating] = useState(false);
  const [granting, setGranting] = useState<string>();
  const [userForm] = Form.useForm<UserValues>();
  const [grantForm] = Form.useForm<GrantValues>();
  const scope = Form.useWatch('scope', grantForm);

  const roles = useMemo(
    () => rolesByUser(platform.data?.items ?? [], departmental.data?.items ?? []),
    [platform.data, departmental.data],
  );
  const deptName = (id: string) =>
    localName(tenants.data?.items.find((d) => d.metadata.name === id)?.spec.displayName, lang, id);

  const fail = (e: unknown) => setError(e as ApiError);
  const done = () => {
    setError(undefined);
    reload();
  };

  const createUser = async () => {
    const v = await userForm.validateFields().catch(() => undefined);
    if (!v) return;
    try {
      await api(paths.users, {
        body: {
          apiVersion: 'polis.io/v1',
          kind: 'User',
          metadata: { name: v.name.trim() },
          spec: {
            displayName: v.displayName.trim(),
            ...(v.email?.trim() ? { email: v.email.trim() } : {}),
            ...(v.organization?.trim() ? { organization: v.organization.trim() } : {}),
          },
        },
      });
      setCreating(false);
      void message.success(t('admin.user.createdNow', { user: v.name.trim() }));
      done();
    } catch (e) {
      const err = e as ApiError;
      const fields = new Map<string, string[]>();
      const rest = (err.causes ?? []).filter((c) => {
        const f = userFieldOf(c.path);
        if (!f) return true;
        fields.set(f, [...(fields.get(f) ?? []), st.text(c)]);
        return false;
      });
      userForm.setFields([...fields].map(([name, errors]) => ({ name: name as keyof UserValues, errors })));
      setError(fields.size > 0 && rest.length === 0 ? undefined : err);
    }
  };

  const setDisabled = (user: string, disabled: boolean) =>
    api(`${paths.users}/${encodeURIComponent(user)}`, {
      method: 'PATCH',
      body: JSON.stringify({ spec: { disabled: disabled ? true : null } }),
      contentType: 'application/merge-patch+json',
    }).then(done, fail);

  const grant = async () => {
    const v = await grantForm.validateFields().catch(() => undefined);
    if (!v || !granting) return;
    const platformWide = v.scope === 'platform';
    try {
      await api(platformWide ? PLATFORM_BINDINGS : paths.roleBindings(v.tenant!), {
        body: {
          apiVersion: 'polis.io/v1',
          kind: platformWide ? 'PlatformRoleBinding' : 'RoleBinding',
          metadata: { name: bindingName(granting, v.role) },
          spec: { user: granting, role: v.role },
        },
      });
      setGranting(undefined);
      done();
    } catch (e) {
      setError(e as ApiError);
    }
  };

  const revoke = (r: HeldRole) =>
    api(
      r.tenant
        ? `${paths.roleBindings(r.tenant)}/${encodeURIComponent(r.binding)}`
        : `${PLATFORM_BINDINGS}/${encodeURIComponent(r.binding)}`,
      { method: 'DELETE' },
    ).then(done, fail);

  const roleLabel = (r: HeldRole) =>
    `${r.tenant ? `${deptName(r.tenant)} · ` : ''}${t(`role.${r.role}` as MessageKey)}`;

  return (
    <div data-testid="user-page">
      <PageHeader
        title={t('nav.users')}
        subtitle={t('admin.user.subtitle')}
        extra={
          <Button
            type="primary"
            data-testid="user-create"
            onClick={() => {
              userForm.resetFields();
              setError(undefined);
              setCreating(true);
            }}
          >
            {t('admin.user.create')}
          </Button>
        }
      />
      {!creating && !granting && <ErrorAlert error={error ?? users.error ?? platform.error ?? departmental.error} />}
      <Table<User>
        rowKey={(u) => u.metadata.name}
        dataSource={users.data?.items ?? []}
        loading={users.loading}
        pagination={false}
        data-testid="user-table"
        columns={[
          {
            title: t('admin.user.name'),
            render: (_, u) => <code data-testid={`user-row-${u.metadata.name}`}>{u.metadata.name}</code>,
          },
          { title: t('admin.user.displayName'), render: (_, u) => u.spec.displayName ?? '—' },
          {
            title: t('admin.user.status'),
            render: (_, u) =>
              u.spec.disabled ? (
                <Tag color="error" data-testid={`user-disabled-${u.metadata.name}`}>
                  {t('admin.user.disabled')}
                </Tag>
              ) : (
                <Tag color="success">{t('admin.user.active')}</Tag>
              ),
          },
          {
            title: t('admin.user.roles'),
            render: (_, u) => (
              <Space size={[4, 4]} wrap>
                {(roles.get(u.metadata.name) ?? []).map((r) => (
                  <Popconfirm
                    key={`${r.tenant ?? ''}/${r.binding}`}
                    title={t('admin.user.confirmRevoke', {
                      user: u.metadata.name,
                      role: t(`role.${r.role}` as MessageKey),
                      scope: r.tenant ? deptName(r.tenant) : t('admin.user.platformWide'),
                    })}
                    okText={t('admin.remove')}
                    cancelText={t('admin.cancel')}
                    onConfirm={() => revoke(r)}
                    okButtonProps={{ danger: true, 'data-testid': 'role-revoke-confirm' }}
                  >
                    <Button
                      size="small"
                      type="dashed"
                      data-testid={`role-${u.metadata.name}-${r.tenant ?? 'platform'}-${r.role}`}
                    >
                      {roleLabel(r)} ×
                    </Button>
                  </Popconfirm>
                ))}
              </Space>
            ),
          },
          {
            title: t('admin.actions'),
            width: 200,
            render: (_, u) => (
              <Space>
                <Button
                  size="small"
                  data-testid={`user-grant-${u.metadata.name}`}
                  onClick={() => {
                    grantForm.resetFields();
                    grantForm.setFieldsValue({ scope: 'department', role: 'tenant-member' });
                    setError(undefined);
                    setGranting(u.metadata.name);
                  }}
                >
                  {t('admin.user.grant')}
                </Button>
                {u.spec.disabled ? (
                  <Button
                    size="small"
                    onClick={() => void setDisabled(u.metadata.name, false)}
                    data-testid={`user-enable-${u.metadata.name}`}
                  >
                    {t('admin.user.enable')}
                  </Button>
                ) : (
                  <Popconfirm
                    title={t('admin.user.confirmDisable', { user: u.metadata.name })}
                    okText={t('admin.user.disable')}
                    cancelText={t('admin.cancel')}
                    onConfirm={() => setDisabled(u.metadata.name, true)}
                    okButtonProps={{ danger: true, 'data-testid': 'user-disable-confirm' }}
                  >
                    <Button size="small" danger data-testid={`user-disable-${u.metadata.name}`}>
                      {t('admin.user.disable')}
                    </Button>
                  </Popconfirm>
                )}
              </Space>
            ),
          },
        ]}
      />
      <Modal
        open={creating}
        title={t('admin.user.create')}
        okText={t('admin.save')}
        cancelText={t('admin.cancel')}
        onOk={() => void createUser()}
        onCancel={() => setCreating(false)}
        okButtonProps={{ 'data-testid': 'user-create-submit' }}
      >
        <ErrorAlert error={error} />
        <Form
          form={userForm}
          layout="vertical"
          autoComplete="off"
          onValuesChange={(changed: Partial<UserValues>) =>
            userForm.setFields(Object.keys(changed).map((name) => ({ name: name as keyof UserValues, errors: [] })))
          }
        >
          <Form.Item
            name="name"
            label={t('admin.user.name')}
            rules={[{ required: true, whitespace: true, message: t('admin.required') }]}
          >
            <Input placeholder="wang-fang" data-testid="user-name" />
          </Form.Item>
          <Form.Item
            name="displayName"
            label={t('admin.user.displayName')}
            rules={[{ required: true, whitespace: true, message: t('admin.required') }]}
          >
            <Input placeholder="王芳" data-testid="user-display-name" />
          </Form.Item>
          <Form.Item name="email" label={t('admin.user.email')}>
            <Input data-testid="user-email" />
          </Form.Item>
          <Form.Item name="organization" label={t('admin.user.organization')}>
            <Input data-testid="user-organization" />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        open={granting !== undefined}
        title={t('admin.user.grantTitle', { user: granting ?? '' })}
        okText={t('admin.member.add')}
        cancelText={t('admin.cancel')}
        onOk={() => void grant()}
        onCancel={() => setGranting(undefined)}
        okButtonProps={{ 'data-testid': 'grant-submit' }}
      >
        <ErrorAlert error={error} />
        <Form
          form={grantForm}
          layout="vertical"
          onValuesChange={(changed: Partial<GrantValues>) => {
            if (changed.scope)
              grantForm.setFieldsValue({ role: changed.scope === 'platform' ? 'viewer' : 'tenant-member' });
          }}
        >
          <Form.Item name="scope" label={t('admin.user.scope')}>
            <Radio.Group data-testid="grant-scope">
              <Radio value="department" data-testid="grant-scope-department">
                {t('admin.user.scopeDepartment')}
              </Radio>
              <Radio value="platform" data-testid="grant-scope-platform">
                {t('admin.user.scopePlatform')}
              </Radio>
            </Radio.Group>
          </Form.Item>
          {scope !== 'platform' && (
            <Form.Item
              name="tenant"
              label={t('admin.user.department')}
              rules={[{ required: true, message: t('admin.required') }]}
            >
              <Select
                showSearch
                optionFilterProp="label"
                data-testid="grant-tenant"
                options={(tenants.data?.items ?? []).map((d) => ({
                  value: d.metadata.name,
                  label: localName(d.spec.displayName, lang, d.metadata.name),
                }))}
              />
            </Form.Item>
          )}
          <Form.Item name="role" label={t('admin.user.roles')}>
            <Select
              data-testid="grant-role"
              options={(scope === 'platform' ? PLATFORM_ROLES : DEPARTMENT_ROLES).map((r) => ({
                value: r,
                label: t(`role.${r}` as MessageKey),
              }))}
            />
          </Form.Item>
        </Form>
      </Modal>
    </div>
  );
}
