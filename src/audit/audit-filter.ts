import { InputError } from '../kernel/errors.ts';
import type { Query } from '../kernel/query-params.ts';
import { boolParam, stringParam } from '../kernel/query-params.ts';
import type { AuditOutcome } from '../resources/audit-log.ts';
import type { AuditQuery } from '../resources/store.ts';
import { AUDIT_ACTIONS, isAuditAction, SYSTEM_ACTOR_PREFIX } from './summary.ts';

export const AUDIT_OUTCOMES: readonly AuditOutcome[] = [
  'success',
  'denied',
  'invalid',
  'conflict',
  'notfound',
  'error',
];

/** Kinds recorded besides the served ones: a multi-document apply, and the summary of suppressed refusals. */
const RECORDED_KINDS = ['List', 'FailedRequests', 'Backup'];

/** The filters a reader gives (`GET /api/v1/audit` and its export), parsed and checked. */
export interface AuditFilter {
  readonly tenant?: string;
  readonly actor?: string;
  readonly kind?: string;
  readonly name?: string;
  readonly verb?: string;
  readonly action?: string;
  readonly outcome?: string;
  readonly since?: string;
  readonly until?: string;
  /** Include polis's own controllers (actors `system:…`); off by default: people first. */
  readonly system: boolean;
}

function invalid(param: string, value: string, accepted: string, code = 'AuditFilterInvalid'): InputError {
  return new InputError(`query parameter ${param}="${value}" is not valid: expected ${accepted}`, [
    { path: `query.${param}`, code, params: { param, value, accepted }, message: `expected ${accepted}` },
  ]);
}

function time(q: Query, name: string): string | undefined {
  const v = stringParam(q, name);
  if (v === undefined) return undefined;
  const t = /^\d{4}-\d{2}-\d{2}/.test(v) ? Date.parse(v) : NaN;
  if (Number.isNaN(t)) throw invalid(name, v, 'an ISO 8601 time such as 2026-11-24T09:00:00Z or a date 2026-11-24');
  return new Date(t).toISOString();
}

/** Reads the audit filters from a query string; every bad value is a 400 naming the parameter and what is accepted. */
export function parseAuditFilter(q: Query, kinds: readonly string[]): AuditFilter {
  const tenant = stringParam(q, 'tenant');
  if (tenant !== undefined && !/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(tenant))
    throw invalid('tenant', tenant, 'a department id such as edu');
  const actor = stringParam(q, 'actor');
  if (actor !== undefined && actor.length > 253)
    throw invalid('actor', actor.slice(0, 40), 'a user name of at most 253 characters');
  const kind = stringParam(q, 'kind');
  const known = [...kinds, ...RECORDED_KINDS];
  if (kind !== undefined && !known.includes(kind))
    throw invalid('kind', kind, `a kind: ${[...known].sort().join(', ')}`);
  const action = stringParam(q, 'action');
  if (action !== undefined && !isAuditAction(action))
    throw invalid('action', action, `an action: ${Object.keys(AUDIT_ACTIONS).join(', ')}`);
  const outcome = stringParam(q, 'outcome');
  if (outcome !== undefined && !(AUDIT_OUTCOMES as readonly string[]).includes(outcome))
    throw invalid('outcome', outcome, `an outcome: ${AUDIT_OUTCOMES.join(', ')}`);
  const verb = stringParam(q, 'verb');
  if (verb !== undefined && !/^[a-z][a-z-]{0,62}$/.test(verb))
    throw invalid('verb', verb, 'a recorded verb such as update');
  const since = time(q, 'since');
  const until = time(q, 'until');
  if (since !== undefined && until !== undefined && since > until)
    throw invalid('until', stringParam(q, 'until')!, `a time at or after since (${since})`, 'AuditTimeRangeReversed');
  return {
    tenant,
    actor,
    kind,
    name: stringParam(q, 'name'),
    verb,
    action,
    outcome,
    since,
    until,
    system: boolParam(q, 'system') || (actor?.startsWith(SYSTEM_ACTOR_PREFIX) ?? false),
  };
}

/** The store query of a filter, for a reader who sees `tenants` ('all', or these departments only). */
export function storeQuery(f: AuditFilter, tenants: 'all' | readonly string[]): AuditQuery {
  const a: { verbs?: readonly string[]; verbPrefix?: string; kind?: string } | undefined =
    f.action !== undefined && isAuditAction(f.action) ? AUDIT_ACTIONS[f.action] : undefined;
  const actionKind = a?.kind;
  return {
    tenant: f.tenant,
    tenants: tenants === 'all' ? undefined : tenants,
    actor: f.actor,
    // An action on one kind (token-create) and a kind filter for another find nothing, as both must hold.
    kind: f.kind ?? actionKind,
    name: f.name,
    verb: f.verb,
    ...(a?.verbs ? { verbs: a.verbs } : {}),
    ...(f.kind !== undefined && actionKind !== undefined && f.kind !== actionKind ? { verbs: [] } : {}),
    ...(a?.verbPrefix ? { verbPrefix: a.verbPrefix } : {}),
    ...(f.system ? {} : { excludeActorPrefix: SYSTEM_ACTOR_PREFIX }),
    outcome: f.outcome,
    since: f.since,
    until: f.until,
  };
}

/** The filters as a query string, for an export's record of what it holds. */
export function filterText(f: AuditFilter): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) {
    if (v === undefined || v === false) continue;
    p.set(k, String(v));
  }
  return p.toString();
}
