import { AutoComplete, Button, Flex, Popconfirm, Select } from 'antd';
import { useState } from 'react';
import type { ApiError } from '../../api/api-error.ts';
import { api } from '../../api/client.ts';
import { paths } from '../../api/paths.ts';
import type { RoleBinding } from '../../api/types.ts';
import { ErrorAlert } from '../../components/error-alert.tsx';
import type { MessageKey } from '../../i18n/i18n.tsx';
import { useI18n } from '../../i18n/i18n.tsx';

const ROLES = ['tenant-admin', 'tenant-member', 'developer', 'viewer'] as const;

/** A RoleBinding's name for a user and role: lower-case, hyphens for anything else (`Wang.Fang` → `wang-fang-viewer`). */
export function bindingName(user: string, role: string): string {
  const base = `${user}-${role}`
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-|-$/g, '');
  return base.slice(0, 63).replace(/-$/, '');
}

/**
 * Grant a user a role in the department (a RoleBinding, as `polis apply` would create it). `users` are the names
 * offered (the data bureau's user list); a department admin types the name.
 */
export function AddMember(props: { tenant: string; users: readonly string[] }) {
  const { t } = useI18n();
  const [user, setUser] = useState('');
  const [role, setRole] = useState<string>('tenant-member');
  const [error, setError] = useState<ApiError>();
  const add = async () => {
    try {
      await api(paths.roleBindings(props.tenant), {
        body: {
          apiVersion: 'polis.io/v1',
          kind: 'RoleBinding',
          metadata: { name: bindingName(user.trim(), role) },
          spec: { user: user.trim(), role },
        },
      });
      setUser('');
      setError(undefined);
    } catch (e) {
      setError(e as ApiError);
    }
  };
  return (
    <div style={{ marginBottom: 12 }}>
      <ErrorAlert error={error} compact />
      <Flex gap={8}>
        <AutoComplete
          value={user}
          onChange={setUser}
          options={props.users.map((u) => ({ value: u }))}
          filterOption={(input, o) => (o?.value ?? '').includes(input)}
          placeholder={t('departments.user')}
          style={{ flex: 1 }}
          data-testid="member-user"
        />
        <Select
          value={role}
          onChange={setRole}
          options={ROLES.map((r) => ({ value: r, label: t(`role.${r}` as MessageKey) }))}
          style={{ width: 140 }}
          data-testid="member-role"
        />
        <Button type="primary" disabled={!user.trim()} onClick={() => void add()} data-testid="member-add">
          {t('admin.member.add')}
        </Button>
      </Flex>
    </div>
  );
}

/** Take a role binding away (after confirmation). */
export function RemoveMember(props: { binding: RoleBinding; tenant: string }) {
  const { t } = useI18n();
  const b = props.binding;
  const [error, setError] = useState<ApiError>();
  return (
    <>
      <Popconfirm
        title={t('admin.member.confirmRemove', { user: b.spec.user, role: t(`role.${b.spec.role}` as MessageKey) })}
        okText={t('admin.remove')}
        cancelText={t('admin.cancel')}
        onConfirm={() =>
          api(`${paths.roleBindings(props.tenant)}/${encodeURIComponent(b.metadata.name)}`, { method: 'DELETE' }).then(
            () => setError(undefined),
            (e: unknown) => setError(e as ApiError),
          )
        }
        okButtonProps={{ danger: true, 'data-testid': 'member-remove-confirm' }}
      >
        <Button size="small" danger data-testid={`member-remove-${b.metadata.name}`}>
          {t('admin.remove')}
        </Button>
      </Popconfirm>
      <ErrorAlert error={error} compact />
    </>
  );
}
