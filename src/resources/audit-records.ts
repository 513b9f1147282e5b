import { PolisError, isPolisError } from '../kernel/errors.ts';
import type { AuditEntryInput, AuditOutcome } from './audit-log.ts';
import type { StoredObject } from './envelope.ts';
import { createMergePatch } from './merge-patch.ts';
import type { KindDefinition } from './registry.ts';
import { apiVersionOf } from './registry.ts';
import { maskSensitive } from './sensitive.ts';

/** Who asks, for audit and admission. */
export interface RequestContext {
  readonly actor: string;
  readonly requestId: string;
}

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
    verb: target.verb,
    apiVersion: target.apiVersion ?? (def ? apiVersionOf(def) : ''),
    kind: target.kind,
    tenant: target.tenant ?? '',
    name: target.name ?? '',
    outcome: outcomeOf(error),
    code: isPolisError(error) ? error.status : 500,
    message: message.slice(0, 2000),
    requestId: ctx.requestId,
    changes: null,
  };
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
