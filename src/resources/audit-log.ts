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

/** The chain link: sha256 over the previous hash, the sequence number and the canonical entry. */
export function auditHash(prevHash: string, seq: number, entry: AuditEntryInput): string {
  const fields: AuditEntryInput = {
    time: entry.time,
    actor: entry.actor,
    verb: entry.verb,
    apiVersion: entry.apiVersion,
    kind: entry.kind,
    tenant: entry.tenant,
    name: entry.name,
    outcome: entry.outcome,
    code: entry.code,
    message: entry.message,
    requestId: entry.requestId,
    changes: entry.changes,
  };
  return createHash('sha256')
    .update(`${prevHash}\n${seq}\n${canonicalJson(fields)}`)
    .digest('hex');
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
