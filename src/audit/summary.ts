import type { AuditEntryInput } from '../resources/audit-log.ts';
import { DRY_RUN_PREFIX } from '../resources/audit-records.ts';

export { AUDIT_SUMMARY_CODES } from './summary-templates.ts';
import type { AuditSummary, AuditSummaryCode, SummaryParams } from './summary-templates.ts';
export type { AuditSummary, AuditSummaryCode, SummaryParams };

/** The actions a reader filters by (`?action=`), each the verbs recorded for it. */
export const AUDIT_ACTIONS = {
  create: { verbs: ['create'] },
  update: { verbs: ['update', 'patch'] },
  apply: { verbs: ['apply'] },
  delete: { verbs: ['delete'] },
  rollback: { verbs: ['rollback'] },
  resume: { verbs: ['resume'] },
  'dry-run': { verbPrefix: DRY_RUN_PREFIX },
  status: { verbs: ['update-status', 'patch-status'] },
  register: { verbs: ['register'] },
  login: { verbs: ['login'] },
  'token-create': { verbs: ['create'], kind: 'Token' },
  'token-revoke': { verbs: ['delete'], kind: 'Token' },
  suppressed: { verbs: ['suppress'] },
  backup: { verbs: ['backup'] },
  restore: { verbs: ['restore'] },
} as const satisfies Record<string, { verbs?: readonly string[]; verbPrefix?: string; kind?: string }>;
export type AuditAction = keyof typeof AUDIT_ACTIONS;

export function isAuditAction(value: string): value is AuditAction {
  return Object.hasOwn(AUDIT_ACTIONS, value);
}

/** Actors whose names start with this are polis's own controllers (system:delivery …), not people. */
export const SYSTEM_ACTOR_PREFIX = 'system:';

export function isSystemActor(actor: string): boolean {
  return actor.startsWith(SYSTEM_ACTOR_PREFIX);
}

/** Display names the reader knows, by user id (User spec.displayName). */
export type ActorNames = ReadonlyMap<string, string>;

/**
 * The summary of one entry. Pure: the verb, kind, outcome and recorded change say what happened; `names` turns user
 * ids into display names. Objects of a multi-document apply (kind List) are listed one by one.
 */
export function summarize(e: AuditEntryInput, names: ActorNames = new Map()): AuditSummary {
  const actor = names.get(e.actor) ?? e.actor;
  const base = { actor, actorId: e.actor, tenant: e.tenant };
  const target = targetOf(e);
  const make = (code: AuditSummaryCode, params: SummaryParams): AuditSummary => {
    const all = { ...base, ...params };
    return { code, params: all, message: englishOf(code, all) };
  };
  if (e.verb === 'suppress') {
    const count = (e.changes as { count?: unknown } | null)?.count;
    return make('AuditRefusalsSuppressed', { count: typeof count === 'number' ? count : 0, outcome: e.outcome });
  }
  if (e.outcome !== 'success') {
    const dry = e.verb.startsWith(DRY_RUN_PREFIX);
    const action = dry ? e.verb.slice(DRY_RUN_PREFIX.length) : e.verb;
    if (target.count === 0 && e.kind === 'List')
      return make('AuditApplyUnreadable', { action, dryRun: dry ? 1 : 0, outcome: e.outcome, status: e.code });
    return make(dry ? 'AuditDryRunRefused' : 'AuditRefused', {
      action,
      kind: target.kind,
      object: target.object,
      count: target.count,
      outcome: e.outcome,
      status: e.code,
    });
  }
  const obj = { kind: target.kind, object: target.object };
  switch (e.verb) {
    case 'rollback':
      return make('AuditRollback', { ...obj, revision: rollbackRevision(e.changes) ?? '?' });
    case 'resume':
      return make('AuditApprove', { ...obj, step: approvedStep(e.changes) ?? '?' });
    case 'login':
      return make('AuditLogin', {});
    case 'register':
      return make('AuditRegister', obj);
    case 'update-status':
    case 'patch-status':
      return make('AuditStatusUpdate', obj);
  }
  if (e.kind === 'Token' && (e.verb === 'create' || e.verb === 'delete')) {
    const user = (e.changes as { spec?: { user?: unknown } } | null)?.spec?.user;
    return make(e.verb === 'create' ? 'AuditTokenCreate' : 'AuditTokenRevoke', {
      token: e.name,
      user: typeof user === 'string' ? user : '',
    });
  }
  switch (e.verb) {
    case 'create':
      return make('AuditCreate', obj);
    case 'apply':
      return make('AuditApply', obj);
    case 'update':
    case 'patch':
      return make('AuditUpdate', obj);
    case 'delete':
      return make('AuditDelete', obj);
    default:
      return make('AuditAction', { ...obj, action: e.verb });
  }
}

interface Target {
  /** The kind, '' when a list names several kinds. */
  readonly kind: string;
  /** `tenant/name` (or `name`), or for a list `Kind tenant/name, …`. */
  readonly object: string;
  readonly count: number;
}

/**
 * What an entry is about. A multi-document apply is recorded as kind List with `Kind/tenant/name` items joined by
 * commas (older entries: `(unparsed)` when the body could not be read).
 */
export function targetOf(e: Pick<AuditEntryInput, 'kind' | 'tenant' | 'name'>): Target {
  if (e.kind !== 'List') {
    const object = e.tenant && e.name ? `${e.tenant}/${e.name}` : e.name || e.tenant;
    return { kind: e.kind, object, count: 1 };
  }
  const items = e.name
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '' && s !== '(unparsed)')
    .map((s) => {
      const [kind = '', ...rest] = s.split('/');
      return { kind, object: rest.join('/') };
    });
  if (items.length === 1) return { ...items[0]!, count: 1 };
  return {
    kind: '',
    object: items.map((i) => (i.object ? `${i.kind} ${i.object}` : i.kind)).join(', '),
    count: items.length,
  };
}

/** The revision a rollback took its spec from, from the rollback annotation it set (`<revision>@<generation>`). */
function rollbackRevision(changes: unknown): number | undefined {
  const mark = (changes as { metadata?: { annotations?: Record<string, unknown> } } | null)?.metadata?.annotations?.[
    'polis.io/rollback-of'
  ];
  const m = typeof mark === 'string' ? /^(\d+)@\d+$/.exec(mark) : null;
  return m ? Number(m[1]) : undefined;
}

/** The workflow step a resume approved: the newest approval in the approvals annotation it set. */
function approvedStep(changes: unknown): string | undefined {
  const text = (changes as { metadata?: { annotations?: Record<string, unknown> } } | null)?.metadata?.annotations?.[
    'polis.io/approvals'
  ];
  if (typeof text !== 'string') return undefined;
  try {
    const approvals = JSON.parse(text) as Record<string, number>;
    const newest = Object.entries(approvals).sort((a, b) => b[1] - a[1])[0];
    return newest?.[0];
  } catch {
    return undefined;
  }
}

/** The English fallback sentence of a summary. */
function englishOf(code: AuditSummaryCode, p: SummaryParams): string {
  const what = p.kind ? `${String(p.kind)} ${String(p.object)}` : String(p.object ?? '');
  switch (code) {
    case 'AuditCreate':
      return `${p.actor} created ${what}`;
    case 'AuditUpdate':
      return `${p.actor} updated ${what}`;
    case 'AuditApply':
      return `${p.actor} applied ${what}`;
    case 'AuditDelete':
      return `${p.actor} deleted ${what}`;
    case 'AuditStatusUpdate':
      return `${p.actor} reported the status of ${what}`;
    case 'AuditRollback':
      return `${p.actor} rolled ${p.object} back to revision ${p.revision}`;
    case 'AuditApprove':
      return `${p.actor} approved step ${p.step} of ${p.object}`;
    case 'AuditTokenCreate':
      return `${p.actor} created API token ${p.token}${p.user ? ` for ${p.user}` : ''}`;
    case 'AuditTokenRevoke':
      return `${p.actor} revoked API token ${p.token}`;
    case 'AuditLogin':
      return `${p.actor} signed in`;
    case 'AuditRegister':
      return `${p.actor} registered ${what}`;
    case 'AuditAction':
      return `${p.actor} ran ${p.action} on ${what}`;
    case 'AuditRefused':
      return `${p.actor} was refused ${p.action} of ${what} (${p.outcome}, HTTP ${p.status})`;
    case 'AuditDryRunRefused':
      return `${p.actor}'s dry run of ${p.action} of ${what} did not pass (${p.outcome}, HTTP ${p.status})`;
    case 'AuditApplyUnreadable':
      return `${p.actor}'s ${p.dryRun ? 'dry run of ' : ''}${p.action} of a document that could not be read was refused (${p.outcome}, HTTP ${p.status})`;
    case 'AuditRefusalsSuppressed':
      return `${p.count} further failed requests by ${p.actor} were counted, not recorded one by one`;
  }
}
