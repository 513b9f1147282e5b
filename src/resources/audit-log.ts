import { createHash } from 'node:crypto';

/** What happened to a request that reached (or was refused at) the API. */
export type AuditOutcome = 'success' | 'denied' | 'invalid' | 'conflict' | 'notfound' | 'error';

/** One audit entry as a caller submits it; the store adds `seq`, `prevHash` and `hash`. */
export interface AuditEntryInput {
  readonly time: string;
  readonly actor: string;
  readonly verb: string;
  readonly apiVersion: string;
  readonly kind: string;
  /** '' for platform-scoped objects and requests. */
  readonly tenant: string;
  readonly name: string;
  readonly outcome: AuditOutcome;
  readonly code: number;
  readonly message: string;
  readonly requestId: string;
  /** A JSON merge patch from the old object to the new one, with secret values masked; null when nothing changed. */
  readonly changes: unknown;
}

export interface AuditEntry extends AuditEntryInput {
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/**
 * Where the live chain starts: the sequence number and hash of the newest entry that retention archived and pruned
 * (`{seq: 0, hash: GENESIS_HASH}` while nothing was). The first live entry's prevHash is this hash.
 */
export interface AuditAnchor {
  readonly seq: number;
  readonly hash: string;
}

export const GENESIS_ANCHOR: AuditAnchor = { seq: 0, hash: GENESIS_HASH };

/** Canonical JSON: keys sorted at every depth, so the same entry always hashes to the same bytes. */
export function canonicalJson(value: unknown): string {
  // Built by appending, without the intermediate arrays of map/filter/join: every write hashes its entry (the
  // whole object for a create), so this is on the write path. The text is the same as before, byte for byte (an
  // array's hole stays empty, as join left it; audit-log.test.ts).
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      if (i in value) out += canonicalJson(value[i]);
    }
    return `${out}]`;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  let out = '{';
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined) continue;
    if (out.length > 1) out += ',';
    out += `${JSON.stringify(k)}:${canonicalJson(v)}`;
  }
  return `${out}}`;
}

/**
 * `value` as it reads back from JSON (`value` itself when JSON carries it unchanged), its JSON text and its canonical
 * form: always `json === JSON.stringify(value) ?? 'null'`, `canonical === canonicalJson(JSON.parse(json))` and `read`
 * equal to `JSON.parse(json)` as JSON values (an own key holding undefined counts as absent, as in jsonEqual). A plain JSON value (the objects polis writes) is walked once for its canonical form
 * and serialised once; only a value JSON would change (a Date, a class instance, undefined in an array, NaN, -0) goes
 * through JSON.parse first. Each audit entry of a write passes its `changes` (for a create, the whole object) here.
 */
export function jsonAndCanonical(value: unknown): { read: unknown; json: string; canonical: string } {
  const canonical = plainCanonical(value);
  const json = JSON.stringify(value) ?? 'null';
  if (canonical !== undefined) return { read: value, json, canonical };
  const read = JSON.parse(json) as unknown;
  return { read, json, canonical: canonicalJson(read) };
}

/** The quoted form of keys seen before (JSON.stringify of each key is most of canonicalJson's own time). */
const quotedKeys = new Map<string, string>();
const QUOTED_KEYS_LIMIT = 10_000;

function quoted(key: string): string {
  let q = quotedKeys.get(key);
  if (q === undefined) {
    q = JSON.stringify(key);
    if (quotedKeys.size < QUOTED_KEYS_LIMIT && key.length <= 64) quotedKeys.set(key, q);
  }
  return q;
}

/** canonicalJson of a value JSON carries unchanged; undefined for any other value (it may hold what JSON changes). */
function plainCanonical(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0) ? JSON.stringify(value) : undefined;
    case 'object':
      break;
    default:
      return undefined;
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) return undefined;
      const v = plainCanonical(value[i]);
      if (v === undefined) return undefined;
      out += i > 0 ? `,${v}` : v;
    }
    return `${out}]`;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return undefined;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  let out = '{';
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined) continue;
    if (k === '__proto__' || k === 'toJSON') return undefined;
    const text = plainCanonical(v);
    if (text === undefined) return undefined;
    out += `${out.length > 1 ? ',' : ''}${quoted(k)}:${text}`;
  }
  return `${out}}`;
}

/**
 * The chain link: sha256 over the previous hash, the sequence number and the canonical entry. `changesCanonical`, when
 * the caller has it (jsonAndCanonical), is `canonicalJson(entry.changes)` already serialised.
 */
export function auditHash(prevHash: string, seq: number, entry: AuditEntryInput, changesCanonical?: string): string {
  // The canonical entry, written in its sorted key order without a walk over the entry (the text canonicalJson gives
  // for the twelve fields: a field holding undefined is left out).
  const changes = entry.changes === undefined ? undefined : (changesCanonical ?? canonicalJson(entry.changes));
  let text = '{';
  const field = (name: string, v: string | undefined) => {
    if (v === undefined) return;
    if (text.length > 1) text += ',';
    text += `"${name}":${v}`;
  };
  const scalar = (v: unknown) => (v === undefined ? undefined : canonicalJson(v));
  field('actor', scalar(entry.actor));
  field('apiVersion', scalar(entry.apiVersion));
  field('changes', changes);
  field('code', scalar(entry.code));
  field('kind', scalar(entry.kind));
  field('message', scalar(entry.message));
  field('name', scalar(entry.name));
  field('outcome', scalar(entry.outcome));
  field('requestId', scalar(entry.requestId));
  field('tenant', scalar(entry.tenant));
  field('time', scalar(entry.time));
  field('verb', scalar(entry.verb));
  return createHash('sha256').update(`${prevHash}\n${seq}\n${text}}`).digest('hex');
}

export interface AuditVerification {
  readonly ok: boolean;
  readonly entries: number;
  readonly headSeq: number;
  readonly headHash: string;
  /** The first entry whose link does not hold, and why. */
  readonly brokenAt?: { readonly seq: number; readonly problem: string };
}

/** Checks a run of entries in sequence order, starting from `prevHash` (the genesis hash for the first run). */
export function verifyChain(
  entries: readonly AuditEntry[],
  start: { prevHash: string; seq: number } = { prevHash: GENESIS_HASH, seq: 0 },
): AuditVerification {
  let prev = start.prevHash;
  let expectedSeq = start.seq + 1;
  for (const e of entries) {
    const broken = (problem: string): AuditVerification => ({
      ok: false,
      entries: expectedSeq - 1,
      headSeq: expectedSeq - 1,
      headHash: prev,
      brokenAt: { seq: e.seq, problem },
    });
    if (e.seq !== expectedSeq) return broken(`expected entry ${expectedSeq}, found ${e.seq} (an entry is missing)`);
    if (e.prevHash !== prev)
      return broken('prevHash does not match the previous entry (an entry was removed or altered)');
    if (auditHash(prev, e.seq, e) !== e.hash) return broken('hash does not match the entry (its content was altered)');
    prev = e.hash;
    expectedSeq++;
  }
  return { ok: true, entries: expectedSeq - 1, headSeq: expectedSeq - 1, headHash: prev };
}
