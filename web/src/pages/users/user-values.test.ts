import { describe, expect, it } from 'vitest';
import { rolesByUser, userFieldOf } from './user-values.ts';

const rb = (name: string, user: string, role: string, tenant?: string) => ({
  apiVersion: 'polis.io/v1',
  kind: 'RoleBinding',
  metadata: { name, ...(tenant ? { tenant } : {}) },
  spec: { user, role },
});

describe('rolesByUser', () => {
  it('lists platform-wide roles first, then each department, for each user', () => {
    const m = rolesByUser(
      [rb('wf-auditor', 'wang-fang', 'auditor')],
      [rb('wf-viewer', 'wang-fang', 'viewer', 'tax'), rb('wf-admin', 'wang-fang', 'tenant-admin', 'edu')],
    );
    expect(m.get('wang-fang')).toEqual([
      { role: 'auditor', binding: 'wf-auditor' },
      { role: 'tenant-admin', tenant: 'edu', binding: 'wf-admin' },
      { role: 'viewer', tenant: 'tax', binding: 'wf-viewer' },
    ]);
  });
});

describe('userFieldOf', () => {
  it('puts a refusal at its field', () => {
    expect(userFieldOf('metadata.name')).toBe('name');
    expect(userFieldOf('spec.email')).toBe('email');
    expect(userFieldOf('spec.other')).toBeUndefined();
  });
});
