import type { Kysely, Selectable } from 'kysely';
import { sql } from 'kysely';
import type { AuditEntry, AuditEntryInput, AuditOutcome } from '../audit-log.ts';
import { InputError } from '../../kernel/errors.ts';
import type { AuditPage, AuditQuery } from '../store.ts';
import type { Schema } from './schema.ts';

/** The controllers' actor prefix (src/audit/summary.ts SYSTEM_ACTOR_PREFIX), which audit_people leaves out. */
const SYSTEM_PREFIX = 'system:';

type AuditRow = Selectable<Schema['audit']>;

/**
 * The entry exactly as it will read back: only the known fields, `time` in canonical ISO form (UTC, milliseconds, so
 * time ranges compare as text), `changes` passed through JSON (undefined becomes null). Hashing this form is what
 * makes a stored entry verify after a round trip.
 */
export function normalizeAuditInput(input: AuditEntryInput, changesRead?: { read: unknown }): AuditEntryInput {
  const time = canonicalTime(input.time, 'time');
  // `changesRead`: the changes as they read back, already made by the caller (jsonAndCanonical).
  const changes =
    input.changes === undefined
      ? null
      : changesRead !== undefined
        ? changesRead.read
        : (JSON.parse(JSON.stringify(input.changes) ?? 'null') as unknown);
  return {
    time,
    actor: input.actor,
    verb: input.verb,
    apiVersion: input.apiVersion,
    kind: input.kind,
    tenant: input.tenant,
    name: input.name,
    outcome: input.outcome,
    code: input.code,
    message: input.message,
    requestId: input.requestId,
    changes,
  };
}

export function toAuditRow(e: AuditEntry): AuditRow {
  return auditRowWithText(e, undefined);
}

/** toAuditRow with the JSON text of `e.changes` when the caller has it (the text JSON.stringify gives). */
export function auditRowWithText(e: AuditEntry, changesText: string | undefined): AuditRow {
  return {
    seq: e.seq,
    time: e.time,
    actor: e.actor,
    verb: e.verb,
    api_version: e.apiVersion,
    kind: e.kind,
    tenant: e.tenant,
    name: e.name,
    outcome: e.outcome,
    code: e.code,
    message: e.message,
    request_id: e.requestId,
    changes: e.changes === null ? null : (changesText ?? JSON.stringify(e.changes)),
    prev_hash: e.prevHash,
    hash: e.hash,
  };
}

export function fromAuditRow(r: AuditRow): AuditEntry {
  return {
    seq: Number(r.seq),
    time: r.time,
    actor: r.actor,
    verb: r.verb,
    apiVersion: r.api_version,
    kind: r.kind,
    tenant: r.tenant,
    name: r.name,
    outcome: r.outcome as AuditOutcome,
    code: Number(r.code),
    message: r.message,
    requestId: r.request_id,
    changes: r.changes === null ? null : (JSON.parse(r.changes) as unknown),
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

/** A positive integer or undefined; anything else is an InputError naming `param`. */
export function checkLimit(limit: number | undefined, param: string): number | undefined {
  if (limit === undefined) return undefined;
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new InputError(`${param} must be a positive integer, got ${String(limit)}`, [
      { path: param, message: 'a positive integer' },
    ]);
  }
  return limit;
}

/** Runs an audit query: every filter in SQL, seq order, one extra row fetched to know whether more follow. */
export async function selectAudit(db: Kysely<Schema>, q: AuditQuery): Promise<AuditPage> {
  const limit = checkLimit(q.limit, 'limit');
  if (q.tenants !== undefined && q.tenants.length === 0) return { items: [] };
  let query = db
    .selectFrom('audit')
    .selectAll()
    .orderBy('seq', q.newestFirst ? 'desc' : 'asc');
  if (q.after !== undefined) query = query.where('seq', '>', q.after);
  if (q.before !== undefined) query = query.where('seq', '<', q.before);
  if (q.tenant !== undefined) query = query.where('tenant', '=', q.tenant);
  if (q.tenants !== undefined) query = query.where('tenant', 'in', [...q.tenants]);
  if (q.actor !== undefined) query = query.where('actor', '=', q.actor);
  if (q.kind !== undefined) query = query.where('kind', '=', q.kind);
  if (q.name !== undefined) query = query.where('name', '=', q.name);
  if (q.verb !== undefined) query = query.where('verb', '=', q.verb);
  if (q.verbs !== undefined) query = query.where('verb', 'in', q.verbs.length > 0 ? [...q.verbs] : ['']);
  if (q.verbPrefix !== undefined) query = query.where('verb', 'like', `${likeEscape(q.verbPrefix)}%`);
  if (q.excludeActorPrefix === SYSTEM_PREFIX)
    // Written as a literal, the very predicate of the partial index audit_people (migration 7): the planner uses it
    // only when it can see the query's condition is the index's; people's entries then need no scan of the
    // controllers' (at 10,000 applications they are nine in ten).
    query = query.where(sql<boolean>`actor NOT LIKE 'system:%'`);
  else if (q.excludeActorPrefix !== undefined)
    query = query.where('actor', 'not like', `${likeEscape(q.excludeActorPrefix)}%`);
  if (q.outcome !== undefined) query = query.where('outcome', '=', q.outcome);
  if (q.outcomes !== undefined) query = query.where('outcome', 'in', q.outcomes.length > 0 ? [...q.outcomes] : ['']);
  if (q.since !== undefined) query = query.where('time', '>=', canonicalTime(q.since, 'since'));
  if (q.until !== undefined) query = query.where('time', '<=', canonicalTime(q.until, 'until'));
  if (limit !== undefined) query = query.limit(limit + 1);
  const rows = await query.execute();
  if (limit !== undefined && rows.length > limit) {
    const items = rows.slice(0, limit).map(fromAuditRow);
    return { items, next: items[items.length - 1]!.seq };
  }
  return { items: rows.map(fromAuditRow) };
}

/** A LIKE pattern's literal part: the prefixes used here hold no wildcard, and a stray one must not widen the match. */
function likeEscape(text: string): string {
  if (/[%_\\]/.test(text)) throw new InputError(`a prefix filter may not contain %, _ or \\: '${text}'`);
  return text;
}

/** `YYYY-MM-DDTHH:mm:ss.sssZ`, the one form audit times are stored and compared in. */
function canonicalTime(text: string, param: string): string {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) {
    throw new InputError(`${param} is not a timestamp: '${text}'`, [
      { path: param, message: 'an ISO 8601 timestamp such as 2026-01-31T12:00:00Z' },
    ]);
  }
  return new Date(ms).toISOString();
}

/**
 * Every live audit entry in sequence order, in pages of at most `pageSize` (keyset on seq). `db` is asked for each
 * page, so a caller can read through whatever connection is current then.
 */
export async function* auditPages(db: () => Kysely<Schema>, pageSize: number): AsyncIterable<readonly AuditEntry[]> {
  const size = checkLimit(pageSize, 'pageSize')!;
  let after = 0;
  for (;;) {
    const rows = await db()
      .selectFrom('audit')
      .selectAll()
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(size)
      .execute();
    if (rows.length === 0) return;
    const page = rows.map(fromAuditRow);
    yield page;
    if (rows.length < size) return;
    after = page[page.length - 1]!.seq;
  }
}
