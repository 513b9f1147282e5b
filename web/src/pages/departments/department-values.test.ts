import { describe, expect, it } from 'vitest';
import type { Tenant } from '../../api/types.ts';
import { departmentFieldOf, departmentValues, tenantBody, tenantPatch } from './department-values.ts';

const edu = {
  apiVersion: 'polis.io/v1',
  kind: 'Tenant',
  metadata: { name: 'edu' },
  spec: {
    displayName: { zh: '教育局', en: 'Education Bureau' },
    quota: { cpu: '8', memory: '16Gi' },
    burst: { maxReplicas: 4, windows: [{ cron: '0 8 * * *', durationMinutes: 60 }] },
  },
} as unknown as Tenant;

describe('the department form values', () => {
  it('round-trips a department, leaving blank sections out of a new one', () => {
    const v = { ...departmentValues(edu), name: 'culture' } as Parameters<typeof tenantBody>[0];
    expect(tenantBody(v)).toEqual({
      apiVersion: 'polis.io/v1',
      kind: 'Tenant',
      metadata: { name: 'culture' },
      spec: {
        displayName: { zh: '教育局', en: 'Education Bureau' },
        quota: { cpu: '8', memory: '16Gi' },
        burst: { maxReplicas: 4 },
      },
    });
  });

  it('patches what the form holds and removes what it left blank, keeping fields it does not show', () => {
    const v = { ...departmentValues(edu), quotaMemory: '', borrowCpu: '2 ' } as Parameters<typeof tenantPatch>[0];
    const patch = tenantPatch(v);
    expect(patch.spec).toMatchObject({
      parent: null,
      quota: { cpu: '8', memory: null, storage: null, applications: null },
      sharing: { borrowingLimit: { cpu: '2', memory: null } },
      burst: { maxReplicas: 4, budgetYuanPerHour: null },
    });
    // Burst windows are not in the form: a merge patch of the other burst fields leaves them as they are.
    expect(patch.spec.burst).not.toHaveProperty('windows');
  });

  it('names the form field of a server cause', () => {
    expect(departmentFieldOf('spec.sharing.borrowingLimit.cpu')).toEqual(['borrowCpu']);
    expect(departmentFieldOf('spec.contacts[0].email')).toBeUndefined();
  });
});
