import type { Tenant } from '../../api/types.ts';

/** The department form's fields, flat; quantities stay as typed (the server checks and explains them). */
export interface DepartmentValues {
  name: string;
  zh: string;
  en: string;
  parent?: string;
  quotaCpu?: string;
  quotaMemory?: string;
  quotaStorage?: string;
  quotaApplications?: number | null;
  borrowCpu?: string;
  borrowMemory?: string;
  burstMaxReplicas?: number | null;
  burstBudget?: number | null;
}

type TenantSpec = Tenant['spec'] & {
  sharing?: { borrowingLimit?: { cpu?: string | number; memory?: string | number } };
  burst?: { maxReplicas?: number; budgetYuanPerHour?: number };
};

const str = (v: string | number | undefined) => (v === undefined ? undefined : String(v));

/** The form's values for a department (empty for a new one). */
export function departmentValues(t: Tenant | undefined): Partial<DepartmentValues> {
  if (!t) return {};
  const s = t.spec as TenantSpec;
  return {
    name: t.metadata.name,
    zh: s.displayName?.zh,
    en: s.displayName?.en,
    parent: s.parent,
    quotaCpu: str(s.quota?.cpu),
    quotaMemory: str(s.quota?.memory),
    quotaStorage: str(s.quota?.storage),
    quotaApplications: s.quota?.applications,
    borrowCpu: str(s.sharing?.borrowingLimit?.cpu),
    borrowMemory: str(s.sharing?.borrowingLimit?.memory),
    burstMaxReplicas: s.burst?.maxReplicas,
    burstBudget: s.burst?.budgetYuanPerHour,
  };
}

const blank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

/** A section from the given fields; null (remove it, in a merge patch) when every field is blank. */
function section(fields: Record<string, unknown>, forPatch: boolean): Record<string, unknown> | null | undefined {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (!blank(v)) out[k] = typeof v === 'string' ? v.trim() : v;
    else if (forPatch) out[k] = null;
  }
  const any = Object.values(out).some((v) => v !== null);
  if (!any) return forPatch ? null : undefined;
  return out;
}

function specOf(v: DepartmentValues, forPatch: boolean) {
  const quota = section(
    { cpu: v.quotaCpu, memory: v.quotaMemory, storage: v.quotaStorage, applications: v.quotaApplications },
    forPatch,
  );
  const borrowing = section({ cpu: v.borrowCpu, memory: v.borrowMemory }, forPatch);
  const burst = section({ maxReplicas: v.burstMaxReplicas, budgetYuanPerHour: v.burstBudget }, forPatch);
  const spec: Record<string, unknown> = { displayName: { zh: v.zh.trim(), en: v.en.trim() } };
  if (!blank(v.parent)) spec.parent = v.parent;
  else if (forPatch) spec.parent = null;
  if (quota !== undefined) spec.quota = quota;
  if (borrowing !== undefined) spec.sharing = borrowing === null ? null : { borrowingLimit: borrowing };
  if (burst !== undefined) spec.burst = burst;
  return spec;
}

/** The Tenant to create, as `polis apply` would send it. */
export function tenantBody(v: DepartmentValues) {
  return { apiVersion: 'polis.io/v1', kind: 'Tenant', metadata: { name: v.name.trim() }, spec: specOf(v, false) };
}

/** A JSON merge patch (RFC 7386) setting what the form holds and removing what it left blank. */
export function tenantPatch(v: DepartmentValues) {
  return { spec: specOf(v, true) };
}

/** The form field a cause's path names (`spec.quota.cpu` → quotaCpu), or undefined when it has none. */
export function departmentFieldOf(path: string): string[] | undefined {
  const map: Record<string, string> = {
    'metadata.name': 'name',
    'spec.displayName.zh': 'zh',
    'spec.displayName.en': 'en',
    'spec.parent': 'parent',
    'spec.quota.cpu': 'quotaCpu',
    'spec.quota.memory': 'quotaMemory',
    'spec.quota.storage': 'quotaStorage',
    'spec.quota.applications': 'quotaApplications',
    'spec.sharing.borrowingLimit.cpu': 'borrowCpu',
    'spec.sharing.borrowingLimit.memory': 'borrowMemory',
    'spec.burst.maxReplicas': 'burstMaxReplicas',
    'spec.burst.budgetYuanPerHour': 'burstBudget',
  };
  const f = map[path];
  return f ? [f] : undefined;
}
