import { PolisError, isPolisError } from '../kernel/errors.ts';
import type { Message } from '../kernel/messages/index.ts';
import { msg } from '../kernel/messages/index.ts';
import type { AuditEntryInput, AuditOutcome } from './audit-log.ts';
import type { StoredObject } from './envelope.ts';
import { createMergePatch } from './merge-patch.ts';
import type { SuppressedRefusals } from './refusal-limiter.ts';
import type { KindDefinition } from './registry.ts';
import { apiVersionOf } from './registry.ts';
import { maskSensitive } from './sensitive.ts';

/** Who asks, for audit and admission. */
export interface RequestContext {
  readonly actor: string;
  readonly requestId: string;
  /**
   * Where the caller holds roles (from its bindings); set for API requests. A refusal in a department where the
   * caller holds none is recorded under this scope, not in that department's trail.
   */
  readonly scope?: { readonly platform: boolean; readonly tenants: readonly string[] };
  /**
   * The request asked for a dry run: a refusal of it is recorded as `dry-run-<verb>`, so a reviewer tells a rehearsal
   * from a failed change. (A dry run that succeeds stores nothing, its audit entry included.)
   */
  readonly dryRun?: boolean;
}

/** The verb a dry run's refusal is recorded under. */
export const DRY_RUN_PREFIX = 'dry-run-';

/** The audit record of a successful write: what changed is a merge patch from old to new, secret values masked. */
export function successRecord(
  time: string,
  ctx: RequestContext,
  def: KindDefinition,
  verb: string,
  obj: StoredObject,
  old: StoredObject | undefined,
  deleted = false,
): AuditEntryInput {
  return {
    time,
    actor: ctx.actor,
    verb,
    apiVersion: apiVersionOf(def),
    kind: def.kind,
    tenant: obj.metadata.tenant ?? '',
    name: obj.metadata.name,
    outcome: 'success',
    code: 200,
    message: '',
    requestId: ctx.requestId,
    changes: deleted ? null : (createMergePatch(auditView(def, old), auditView(def, obj)) ?? null),
  };
}

/** The audit record of a request that failed (denied, invalid, conflicting, missing, or an error). */
export function failureRecord(
  time: string,
  ctx: RequestContext,
  target: { verb: string; kind: string; tenant?: string; name?: string; apiVersion?: string },
  def: KindDefinition | undefined,
  error: unknown,
): AuditEntryInput {
  const message = error instanceof Error ? error.message : String(error);
  return {
    time,
    actor: ctx.actor,
    verb: ctx.dryRun && !target.verb.startsWith(DRY_RUN_PREFIX) ? `${DRY_RUN_PREFIX}${target.verb}` : target.verb,
    apiVersion: target.apiVersion ?? (def ? apiVersionOf(def) : ''),
    kind: target.kind,
    tenant: target.tenant ?? '',
    name: target.name ?? '',
    outcome: outcomeOf(error),
    code: isPolisError(error) ? error.status : 500,
    message: message.slice(0, 2000),
    requestId: ctx.requestId,
    changes: refusalOf(error),
  };
}

/**
 * A refusal's words as codes (the message and its causes' codes and params), so a reviewer reads them in their own
 * language; `message` keeps the English. Null for an error polis has not coded.
 */
function refusalOf(error: unknown): { refusal: unknown } | null {
  if (!isPolisError(error)) return null;
  const causes = error.causes
    .filter((c) => c.code)
    .map((c) => ({ path: c.path, code: c.code, ...(c.params ? { params: c.params } : {}), message: c.message }));
  if (!error.detail && causes.length === 0) return null;
  return { refusal: { ...(error.detail ?? {}), ...(causes.length > 0 ? { causes } : {}) } };
}

/** An object as the audit log records it: no revision bookkeeping, secret values masked. */
function auditView(def: KindDefinition, obj: StoredObject | undefined): unknown {
  if (!obj) return {};
  const { metadata, ...rest } = obj;
  const { resourceVersion: _rv, generation: _g, ...meta } = metadata;
  return maskSensitive({ ...rest, metadata: meta }, def.sensitiveFields);
}

/** The audit outcome of a failed request, from its error. */
function outcomeOf(error: unknown): AuditOutcome {
  if (!(error instanceof PolisError)) return 'error';
  switch (error.status) {
    case 400:
    case 413:
    case 415:
    case 422:
      return 'invalid';
    case 401:
    case 403:
      return 'denied';
    case 404:
      return 'notfound';
    case 409:
      return 'conflict';
    default:
      return 'error';
  }
}

/** The department a caller's own refusals are recorded under: its only department, else '' (the platform's). */
export function callerTenant(ctx: RequestContext): string {
  return ctx.scope && !ctx.scope.platform && ctx.scope.tenants.length === 1 ? ctx.scope.tenants[0]! : '';
}

/**
 * A refusal in a department where the caller holds no role is the caller's act, not the department's: it goes to
 * the caller's scope (with the department it aimed at kept in the message), so another department cannot fill a
 * department's trail. Refusals of a department's own members stay in that department's trail.
 */
export function scopeRefusal(record: AuditEntryInput, ctx: RequestContext): AuditEntryInput {
  const scope = ctx.scope;
  if (!scope || record.outcome !== 'denied' || record.tenant === '' || scope.platform) return record;
  if (scope.tenants.includes(record.tenant)) return record;
  const said = msg('RefusedInDepartment', {
    department: record.tenant,
    detail: msg('External', { text: record.message }),
  });
  const message = said.message.slice(0, 2000);
  // A coded refusal stays coded inside: the department it aimed at, then the refusal's own code and params.
  const refusal = (record.changes as { refusal?: Message & { causes?: unknown } } | null)?.refusal;
  const changes =
    refusal && typeof refusal.code === 'string'
      ? {
          refusal: {
            code: 'RefusedInDepartment',
            params: {
              department: record.tenant,
              detail: {
                code: refusal.code,
                ...(refusal.params ? { params: refusal.params } : {}),
                message: refusal.message ?? record.message,
              },
            },
            message,
            ...(refusal.causes ? { causes: refusal.causes } : {}),
          },
        }
      : record.changes;
  return { ...record, tenant: callerTenant(ctx), message, changes };
}

/** The one entry that stands for a caller's refusals that the rate limit kept out of the chain, with their counts. */
export function suppressedRecord(
  time: string,
  s: SuppressedRefusals,
  limits: { burst: number; perSecond: number },
): AuditEntryInput {
  const outcomes = Object.entries(s.byOutcome) as Array<[AuditOutcome, number]>;
  const outcome = s.byOutcome.denied ? 'denied' : (outcomes.sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'denied');
  return {
    time,
    actor: s.actor,
    verb: 'suppress',
    apiVersion: '',
    kind: 'FailedRequests',
    tenant: s.tenant,
    name: '',
    outcome,
    code: 429,
    message:
      `${s.count} further failed requests by ${s.actor} were counted, not recorded one by one ` +
      `(at most ${limits.burst} at once, then ${limits.perSecond} a second); counts by outcome and target are in changes`,
    requestId: '',
    changes: {
      reason: 'RefusalsSuppressed',
      count: s.count,
      byOutcome: s.byOutcome,
      byTarget: s.byTarget,
      from: new Date(s.firstMs).toISOString(),
      until: new Date(s.lastMs).toISOString(),
    },
  };
}
