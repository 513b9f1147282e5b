import { z } from 'zod';
import { InputError } from '../kernel/errors.ts';

/**
 * The polis backup file, format version 4: gzip of newline-delimited JSON, one value per line.
 *
 *   {"format":"polis-backup","formatVersion":4, …header}        what, from where, how much (BackupHeader)
 *   {"object":{…}}                                              every object, by kind, tenant and name, as stored
 *   {"audit":{…}}                                               the audit chain in seq order, with its hashes
 *   {"ledger":{"table":"cost_lines","row":{…}}}                 the ledger: metering roll-ups, closed cost days,
 *                                                               and the alert tables: alert_state,
 *                                                               notification_records, the windows (alert_series,
 *                                                               alert_slots with `data` as base64, and any
 *                                                               alert_windows rows of the format before)
 *   {"end":{"objects":n,"auditEntries":m,"ledgerRows":l,      counts, sha256 over every byte before this line,
 *           "sha256":"…","secretKeyIds":[…]}}                   and the ids of the keys secret values are sealed with
 *
 * Version 1 (no ledger lines, no ledger counts) is still read: it restores with an empty ledger. Version 2 (no alert
 * rows) is still read: it restores with no alerts, no notification records and empty windows. Version 3 (the windows
 * as alert_windows rows of JSON) is still read: its rows go to alert_windows, which polis reads on its first round
 * beside the compact form (schema step 11) until they are pruned, by when no window reads them. Versions 3 and 4 are new numbers only
 * so that an older polis refuses a file with tables it does not know as too new rather than as corrupt.
 *
 * Secret values stay sealed as the store holds them (AES-256-GCM under the server's key); the end line names the
 * ids of the keys they were sealed with, never a key. A reader refuses a newer format version and anything that does not add
 * up (BackupFileError codes below).
 */
export const BACKUP_FORMAT = 'polis-backup';
export const BACKUP_FORMAT_VERSION = 4;
/** The name ending backup files are written and pruned under. */
export const BACKUP_SUFFIX = '.polis-backup.gz';

export const backupHeaderSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  formatVersion: z.number().int().positive(),
  polisVersion: z.string(),
  createdAt: z.string(),
  /** The store kind the snapshot was read from. */
  source: z.object({ store: z.enum(['sqlite', 'postgres']) }),
  /** The revision of the last write in the snapshot; a restored store continues above it. */
  revision: z.number().int().nonnegative(),
  counts: z.object({
    objects: z.number().int().nonnegative(),
    objectsByKind: z.record(z.string(), z.number().int().nonnegative()),
    auditEntries: z.number().int().nonnegative(),
    /** Ledger rows (format version 2; absent in version 1). */
    ledgerRows: z.number().int().nonnegative().optional(),
  }),
  /** The audit chain's head in the snapshot. */
  auditHead: z.object({ seq: z.number().int().nonnegative(), hash: z.string().regex(/^[0-9a-f]{64}$/) }),
  /** Where the chain in the file starts: the entry audit retention last pruned (absent: the genesis). */
  auditAnchor: z.object({ seq: z.number().int().nonnegative(), hash: z.string().regex(/^[0-9a-f]{64}$/) }).optional(),
});

export type BackupHeader = z.infer<typeof backupHeaderSchema>;

export const backupTrailerSchema = z.object({
  objects: z.number().int().nonnegative(),
  auditEntries: z.number().int().nonnegative(),
  ledgerRows: z.number().int().nonnegative().optional(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** Ids (first 8 hex digits of sha256(key)) of the keys the snapshot's secret values are sealed with. */
  secretKeyIds: z.array(z.string()),
});

/** What a finished backup holds, as reported to the caller, the audit log and metrics. */
export interface BackupSummary {
  readonly revision: number;
  readonly objects: number;
  readonly auditEntries: number;
  /** Ledger rows (metering and closed cost days). */
  readonly ledgerRows: number;
  readonly auditHead: { readonly seq: number; readonly hash: string };
  /** sha256 of the uncompressed content before the end line (as the end line states it). */
  readonly sha256: string;
  readonly secretKeyIds: readonly string[];
}

/** Why a backup file was refused; each is a stable reason code with parameters. */
export type BackupProblem =
  | 'BackupNotRecognized'
  | 'BackupFormatUnsupported'
  | 'BackupCorrupt'
  | 'BackupTruncated'
  | 'BackupChecksumMismatch'
  | 'BackupCountMismatch'
  | 'AuditChainBroken';

/** A backup file that cannot be restored: nothing was written. `code` and `params` say why, `message` in English. */
export class BackupFileError extends InputError {
  readonly code: BackupProblem;
  readonly params: Readonly<Record<string, string | number>>;
  constructor(code: BackupProblem, params: Readonly<Record<string, string | number>>, message: string) {
    super(`backup refused (${code}): ${message}`, [{ path: 'file', code, params, message }], { invalid: true });
    this.code = code;
    this.params = params;
  }
}

/** `polis-backup-20260131T020000Z-r1234.polis-backup.gz`: sorts by time, says the revision. */
export function backupFileName(at: Date, revision: number): string {
  const stamp = at
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/[-:]/g, '');
  return `polis-backup-${stamp}-r${revision}${BACKUP_SUFFIX}`;
}

/** The time a file named by backupFileName was taken, or undefined for any other name. */
export function backupFileTime(name: string): number | undefined {
  const m = /^polis-backup-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z-r\d+\.polis-backup\.gz$/.exec(name);
  if (!m) return undefined;
  const t = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  return Number.isNaN(t) ? undefined : t;
}
