import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { GENESIS_HASH, verifyChain, type AuditEntry } from '../resources/audit-log.ts';
import { describeKey, keyOf, type StoredObject } from '../resources/envelope.ts';
import { LEDGER_TABLES, type LedgerRecord } from '../resources/store.ts';
import {
  BACKUP_FORMAT,
  BACKUP_FORMAT_VERSION,
  BackupFileError,
  backupHeaderSchema,
  backupTrailerSchema,
  type BackupHeader,
  type BackupSummary,
} from './backup-format.ts';

export interface BackupBatch {
  readonly objects: readonly StoredObject[];
  readonly audit: readonly AuditEntry[];
  readonly ledger: readonly LedgerRecord[];
}

/** A backup file being read: its header at once, then its content in batches (Store.load's shape). */
export interface BackupReader {
  readonly header: BackupHeader;
  /**
   * The objects and audit entries, checked as they stream: each line's shape, unique keys, revisions within the
   * header's, the audit chain link by link; at the end the counts and the checksum. Throws BackupFileError at the
   * first fault, so a consumer loading in one transaction rolls back.
   */
  readonly batches: AsyncIterable<BackupBatch>;
  /** What the file held; only after `batches` was read to its end. */
  summary(): BackupSummary;
  /** Stops reading (closes the file) when the consumer gave up before the end. */
  close(): void;
}

const BATCH = 1000;

/** Opens a backup stream (gzip as written by writeBackup) and reads its header; throws BackupFileError. */
export async function openBackup(input: Readable): Promise<BackupReader> {
  const gunzip = createGunzip();
  let zipError: Error | undefined;
  const fail = (e: Error) => {
    zipError ??= e;
    gunzip.destroy(e);
  };
  input.on('error', fail);
  gunzip.on('error', (e) => (zipError ??= e));
  input.pipe(gunzip);
  const lines = createInterface({ input: gunzip, crlfDelay: Infinity })[Symbol.asyncIterator]();
  const hash = createHash('sha256');
  let lineNo = 0;
  const next = async (): Promise<string | undefined> => {
    let r: IteratorResult<string>;
    try {
      r = await lines.next();
    } catch (e) {
      throw corrupt(zipError ?? (e as Error), lineNo);
    }
    if (zipError) throw corrupt(zipError, lineNo);
    if (r.done) return undefined;
    lineNo++;
    return r.value;
  };
  const close = () => {
    void lines.return?.();
    input.destroy();
    gunzip.destroy();
  };

  let header: BackupHeader;
  try {
    const first = await next();
    if (first === undefined) throw new BackupFileError('BackupTruncated', { line: 0 }, 'the file is empty: no header');
    header = parseHeader(first);
    hash.update(`${first}\n`);
  } catch (e) {
    close();
    throw e;
  }

  let summary: BackupSummary | undefined;
  async function* batches(): AsyncIterable<BackupBatch> {
    const keys = new Set<string>();
    let objects: StoredObject[] = [];
    let audit: AuditEntry[] = [];
    let ledger: LedgerRecord[] = [];
    let objectCount = 0;
    let auditCount = 0;
    let ledgerCount = 0;
    const anchor = header.auditAnchor ?? { seq: 0, hash: GENESIS_HASH };
    let chain = { prevHash: anchor.hash, seq: anchor.seq };
    const checkChain = (): void => {
      const v = verifyChain(audit, chain);
      if (!v.ok)
        throw new BackupFileError(
          'AuditChainBroken',
          { seq: v.brokenAt!.seq, problem: v.brokenAt!.problem },
          `the audit chain in the file is broken at entry ${v.brokenAt!.seq}: ${v.brokenAt!.problem}`,
        );
      chain = { prevHash: v.headHash, seq: v.headSeq };
    };
    try {
      for (;;) {
        const line = await next();
        if (line === undefined)
          throw new BackupFileError(
            'BackupTruncated',
            { line: lineNo },
            `the file ends after line ${lineNo} without its end line: it was cut short (a copy or a download that did not finish)`,
          );
        const value = parseLine(line, lineNo);
        if ('object' in value) {
          if (auditCount > 0 || audit.length > 0 || ledgerCount > 0)
            throw misplaced(lineNo, 'an object after audit entries');
          const obj = checkObject(value.object, lineNo, header.revision);
          const key = JSON.stringify(keyOf(obj));
          if (keys.has(key)) throw badLine(lineNo, `${describeKey(keyOf(obj))} appears twice`);
          keys.add(key);
          objects.push(obj);
          objectCount++;
        } else if ('audit' in value) {
          if (ledgerCount > 0) throw misplaced(lineNo, 'an audit entry after ledger rows');
          audit.push(checkAudit(value.audit, lineNo));
          auditCount++;
        } else if ('ledger' in value) {
          ledger.push(checkLedger(value.ledger, lineNo));
          ledgerCount++;
        } else if ('end' in value) {
          checkChain();
          if (objects.length > 0 || audit.length > 0 || ledger.length > 0) yield { objects, audit, ledger };
          summary = checkEnd(
            value.end,
            header,
            hash.digest('hex'),
            objectCount,
            auditCount,
            ledgerCount,
            chain,
            lineNo,
          );
          if ((await next()) !== undefined) throw badLine(lineNo + 1, 'content after the end line');
          return;
        } else throw badLine(lineNo, 'expected {"object":…}, {"audit":…}, {"ledger":…} or {"end":…}');
        hash.update(`${line}\n`);
        if (objects.length + audit.length + ledger.length >= BATCH) {
          checkChain();
          yield { objects, audit, ledger };
          objects = [];
          audit = [];
          ledger = [];
        }
      }
    } finally {
      close();
    }
  }
  return {
    header,
    batches: batches(),
    summary() {
      if (!summary) throw new Error('BackupReader.summary: read batches to the end first');
      return summary;
    },
    close,
  };
}

function parseHeader(line: string): BackupHeader {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new BackupFileError(
      'BackupNotRecognized',
      {},
      'the file does not start with a polis backup header (is it a polis backup?)',
    );
  }
  const v = value as { format?: unknown; formatVersion?: unknown };
  if (v === null || typeof v !== 'object' || v.format !== BACKUP_FORMAT)
    throw new BackupFileError('BackupNotRecognized', {}, `the first line does not say "format":"${BACKUP_FORMAT}"`);
  if (typeof v.formatVersion === 'number' && v.formatVersion > BACKUP_FORMAT_VERSION)
    throw new BackupFileError(
      'BackupFormatUnsupported',
      { version: v.formatVersion, supported: BACKUP_FORMAT_VERSION },
      `format version ${v.formatVersion} was written by a newer polis; this one reads up to version ${BACKUP_FORMAT_VERSION}`,
    );
  const parsed = backupHeaderSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw badLine(1, `header.${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}

function parseLine(
  line: string,
  lineNo: number,
): { object?: unknown; audit?: unknown; ledger?: unknown; end?: unknown } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e) {
    throw badLine(lineNo, `not JSON (${(e as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value) || Object.keys(value).length !== 1)
    throw badLine(lineNo, 'expected {"object":…}, {"audit":…}, {"ledger":…} or {"end":…}');
  return value as { object?: unknown; audit?: unknown; ledger?: unknown; end?: unknown };
}

/** A ledger line: a known table and a row of strings, integers and nulls (a SQL NULL). */
function checkLedger(value: unknown, lineNo: number): LedgerRecord {
  const r = value as { table?: unknown; row?: unknown } | null;
  if (!r || typeof r !== 'object' || !(LEDGER_TABLES as readonly unknown[]).includes(r.table))
    throw badLine(lineNo, `a ledger row names its table: one of ${LEDGER_TABLES.join(', ')}`);
  const row = r.row as Record<string, unknown> | null;
  if (
    !row ||
    typeof row !== 'object' ||
    Array.isArray(row) ||
    Object.values(row).some(
      (v) => v !== null && typeof v !== 'string' && !(typeof v === 'number' && Number.isSafeInteger(v)),
    )
  )
    throw badLine(lineNo, 'a ledger row is an object of strings, integers and nulls');
  return r as LedgerRecord;
}

function checkObject(value: unknown, lineNo: number, revision: number): StoredObject {
  const o = value as Partial<StoredObject> | null;
  const m = o?.metadata;
  if (
    !o ||
    typeof o !== 'object' ||
    typeof o.kind !== 'string' ||
    typeof o.apiVersion !== 'string' ||
    !m ||
    typeof m.name !== 'string' ||
    typeof m.uid !== 'string' ||
    (m.tenant !== undefined && typeof m.tenant !== 'string')
  )
    throw badLine(lineNo, 'an object needs apiVersion, kind, metadata.name and metadata.uid');
  const rv = Number(m.resourceVersion);
  if (typeof m.resourceVersion !== 'string' || !Number.isSafeInteger(rv) || rv < 1 || rv > revision)
    throw badLine(
      lineNo,
      `${describeKey(keyOf(o as StoredObject))}: resourceVersion ${JSON.stringify(m.resourceVersion)} is not a revision from 1 to the header's ${revision}`,
    );
  return o as StoredObject;
}

function checkAudit(value: unknown, lineNo: number): AuditEntry {
  const a = value as Partial<AuditEntry> | null;
  const strings = ['time', 'actor', 'verb', 'apiVersion', 'kind', 'tenant', 'name', 'outcome', 'message'] as const;
  if (
    !a ||
    typeof a !== 'object' ||
    typeof a.seq !== 'number' ||
    typeof a.code !== 'number' ||
    typeof a.prevHash !== 'string' ||
    typeof a.hash !== 'string' ||
    typeof a.requestId !== 'string' ||
    strings.some((k) => typeof a[k] !== 'string')
  )
    throw badLine(lineNo, 'an audit entry needs seq, time, actor, verb, kind, outcome, code, prevHash and hash');
  return { ...(a as AuditEntry), changes: a.changes ?? null };
}

function checkEnd(
  value: unknown,
  header: BackupHeader,
  sha256: string,
  objects: number,
  auditEntries: number,
  ledgerRows: number,
  chain: { prevHash: string; seq: number },
  lineNo: number,
): BackupSummary {
  const parsed = backupTrailerSchema.safeParse(value);
  if (!parsed.success)
    throw badLine(lineNo, `end.${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`);
  const end = parsed.data;
  if (end.sha256 !== sha256)
    throw new BackupFileError(
      'BackupChecksumMismatch',
      { expected: end.sha256, actual: sha256 },
      'the content does not match the checksum in its end line: the file was altered or damaged',
    );
  const counted = (what: string, stated: number, found: number): void => {
    if (stated !== found)
      throw new BackupFileError(
        'BackupCountMismatch',
        { what, stated, found },
        `the file states ${stated} ${what} but holds ${found}`,
      );
  };
  counted('objects', header.counts.objects, objects);
  counted('objects', end.objects, objects);
  counted('audit entries', header.counts.auditEntries, auditEntries);
  counted('audit entries', end.auditEntries, auditEntries);
  // Version 1 files state no ledger count and hold no ledger rows.
  counted('ledger rows', header.counts.ledgerRows ?? 0, ledgerRows);
  counted('ledger rows', end.ledgerRows ?? 0, ledgerRows);
  if (chain.seq !== header.auditHead.seq || chain.prevHash !== header.auditHead.hash)
    throw new BackupFileError(
      'AuditChainBroken',
      { seq: chain.seq, problem: 'head does not match the header' },
      `the audit chain ends at entry ${chain.seq} (hash ${chain.prevHash}), the header names entry ${header.auditHead.seq} (hash ${header.auditHead.hash})`,
    );
  return {
    revision: header.revision,
    objects,
    auditEntries,
    ledgerRows,
    auditHead: header.auditHead,
    sha256,
    secretKeyIds: end.secretKeyIds,
  };
}

function corrupt(e: Error, lineNo: number): BackupFileError {
  const truncated = /unexpected end of file/i.test(e.message);
  return new BackupFileError(
    truncated ? 'BackupTruncated' : 'BackupCorrupt',
    { line: lineNo, detail: e.message },
    truncated
      ? `the compressed data ends early, after line ${lineNo}: the file was cut short`
      : `the file is not readable gzip after line ${lineNo} (${e.message}): it is damaged or not a polis backup`,
  );
}

function badLine(lineNo: number, problem: string): BackupFileError {
  return new BackupFileError('BackupCorrupt', { line: lineNo, problem }, `line ${lineNo}: ${problem}`);
}

function misplaced(lineNo: number, what: string): BackupFileError {
  return badLine(lineNo, `${what}: objects come first, then the audit chain`);
}
