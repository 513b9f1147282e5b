import { InputError } from '../kernel/errors.ts';
import type { Message } from '../kernel/messages/index.ts';
import { msg } from '../kernel/messages/index.ts';
import { formatBytes, formatCpu, parseBytes, parseCpu } from '../kernel/quantity.ts';

/**
 * Quota arithmetic for departments. Usage is counted in base units (millicores, bytes, applications); a quota
 * is written in Kubernetes quantities. The rule: a change may not *grow* a dimension past its limit. A change
 * that keeps or lowers a dimension is always allowed, even when the department is already over (say, after its
 * quota was lowered): scaling down, deleting and unrelated edits must never be blocked by an old excess.
 */
export interface ResourceUsage {
  /** millicores */
  readonly cpu: number;
  /** bytes */
  readonly memory: number;
  /** bytes */
  readonly storage: number;
  readonly applications: number;
}

/** A department's limits; an absent dimension is unlimited. Quantities may be strings or plain numbers. */
export interface Quota {
  readonly cpu?: string | number;
  readonly memory?: string | number;
  readonly storage?: string | number;
  readonly applications?: number;
}

export type QuotaDimension = 'cpu' | 'memory' | 'storage' | 'applications';

/** One dimension a change would take over its limit, each figure formatted as a quantity. */
export interface QuotaExcess {
  readonly dimension: QuotaDimension;
  readonly limit: string;
  /** In use before the change, the changed object's current usage included. */
  readonly used: string;
  /** The growth the change asks for. */
  readonly requested: string;
}

export const QUOTA_DIMENSIONS: readonly QuotaDimension[] = ['cpu', 'memory', 'storage', 'applications'];

export const ZERO_USAGE: ResourceUsage = Object.freeze({
  cpu: 0,
  memory: 0,
  storage: 0,
  applications: 0,
});

export function addUsage(a: ResourceUsage, b: ResourceUsage): ResourceUsage {
  return combine(a, b, (x, y) => x + y);
}

/** a − b per dimension. Not clamped: a negative result means the caller subtracted something never added. */
export function subtractUsage(a: ResourceUsage, b: ResourceUsage): ResourceUsage {
  return combine(a, b, (x, y) => x - y);
}

/**
 * The dimensions where adding `requested` to `used` goes over `quota`. A dimension with nothing requested (zero
 * or negative) is never listed, even if `used` is already over its limit. Throws `InputError` (path
 * `spec.quota.<dimension>`) if the quota itself is malformed; admission validates it first, so that is a bug.
 */
export function exceededDimensions(quota: Quota, used: ResourceUsage, requested: ResourceUsage): QuotaExcess[] {
  const limits = parseQuota(quota);
  const excess: QuotaExcess[] = [];
  for (const dimension of QUOTA_DIMENSIONS) {
    const limit = limits[dimension];
    if (limit === undefined || requested[dimension] <= 0) continue;
    if (used[dimension] + requested[dimension] <= limit) continue;
    const format = FORMATS[dimension];
    excess.push({
      dimension,
      limit: format(limit),
      used: format(used[dimension]),
      requested: format(requested[dimension]),
    });
  }
  return excess;
}

/** Whether a change from `before` to `after` grows any dimension: only such a change can exceed a quota. */
export function growsUsage(before: ResourceUsage, after: ResourceUsage): boolean {
  return QUOTA_DIMENSIONS.some((d) => after[d] > before[d]);
}

/**
 * Whether changing one object from `before` to `after` fits the department's quota.
 *
 * - `others`: what every *other* object of the department uses (the department's total minus this object).
 * - `before`: this object's usage now; `ZERO_USAGE` when it is being created.
 * - `after`: its usage once changed; `ZERO_USAGE` when it is being deleted.
 *
 * Only dimensions that grow (after > before) are checked, against `others + after`; the excess is reported as
 * `others + before` in use with `after − before` requested. An empty array means the change is allowed.
 */
export function quotaViolations(
  quota: Quota,
  others: ResourceUsage,
  before: ResourceUsage,
  after: ResourceUsage,
): QuotaExcess[] {
  return exceededDimensions(quota, addUsage(others, before), subtractUsage(after, before));
}

/** `department "edu" would exceed its quota: cpu: 2500m requested with 19 in use (limit 20); …`, coded. */
export function quotaMessage(tenant: string, exceeded: readonly QuotaExcess[]): Message {
  const dimensions = exceeded.map((e) =>
    msg('QuotaDimensionExceeded', { dimension: e.dimension, requested: e.requested, used: e.used, limit: e.limit }),
  );
  return msg('QuotaWouldExceed', { tenant: JSON.stringify(tenant), dimensions });
}

const FORMATS: Readonly<Record<QuotaDimension, (n: number) => string>> = {
  cpu: formatCpu,
  memory: formatBytes,
  storage: formatBytes,
  applications: String,
};

function parseQuota(quota: Quota): Partial<Record<QuotaDimension, number>> {
  const { applications } = quota;
  if (applications !== undefined && !(Number.isInteger(applications) && applications >= 0)) {
    const message = `expected a whole number of applications such as 10, got ${JSON.stringify(applications)}`;
    throw new InputError(
      `invalid quota at spec.quota.applications: ${message}`,
      [{ path: 'spec.quota.applications', message }],
      { invalid: true },
    );
  }
  return {
    cpu: quota.cpu === undefined ? undefined : parseCpu(quota.cpu, 'spec.quota.cpu'),
    memory: quota.memory === undefined ? undefined : parseBytes(quota.memory, 'spec.quota.memory'),
    storage: quota.storage === undefined ? undefined : parseBytes(quota.storage, 'spec.quota.storage'),
    applications,
  };
}

function combine(a: ResourceUsage, b: ResourceUsage, op: (x: number, y: number) => number): ResourceUsage {
  return {
    cpu: op(a.cpu, b.cpu),
    memory: op(a.memory, b.memory),
    storage: op(a.storage, b.storage),
    applications: op(a.applications, b.applications),
  };
}
