import type { AuditAnchor } from '../resources/audit-log.ts';
import { auditHash } from '../resources/audit-log.ts';
import type { ParsedExport } from './export-format.ts';
import { EXPORT_FORMAT } from './export-format.ts';

/** One thing found wrong in an export, at an entry (seq) or in the file as a whole (seq undefined). */
export interface ExportProblem {
  readonly seq?: number;
  readonly code: 'HashMismatch' | 'BrokenLink' | 'NotInChain' | 'HeadMismatch' | 'BadFile' | 'ArchivedEntry';
  readonly message: string;
}

export interface ExportCheck {
  readonly ok: boolean;
  readonly entries: number;
  /** Rows whose hash was recomputed from their fields and matched. */
  readonly recomputed: number;
  /** Rows whose `changes` were too long for a cell (XLSX): checked against the live chain only. */
  readonly notRecomputed: number;
  readonly head?: AuditAnchor;
  readonly problems: readonly ExportProblem[];
}

/**
 * Checks an export on its own: every row's hash is recomputed from its fields and its prevHash (so a changed cell
 * shows), consecutive rows link (prevHash = the hash before), rows are in sequence order and none is past the chain
 * head the export names.
 */
export function checkExport(parsed: ParsedExport): ExportCheck {
  const problems: ExportProblem[] = [];
  const { meta, entries } = parsed;
  if (meta.format !== EXPORT_FORMAT)
    problems.push({ code: 'BadFile', message: `not a polis audit export (format ${meta.format ?? 'missing'})` });
  const headSeq = Number(meta.chainHeadSeq);
  const head =
    Number.isSafeInteger(headSeq) && /^[0-9a-f]{64}$/.test(meta.chainHeadHash ?? '')
      ? { seq: headSeq, hash: meta.chainHeadHash! }
      : undefined;
  if (!head)
    problems.push({ code: 'BadFile', message: 'the export names no chain head (chainHeadSeq, chainHeadHash)' });
  let recomputed = 0;
  let notRecomputed = 0;
  let prev: { seq: number; hash: string } | undefined;
  for (const e of entries) {
    if (!Number.isSafeInteger(e.seq) || e.seq < 1) {
      problems.push({ code: 'BadFile', message: `a row has no valid sequence number` });
      continue;
    }
    if (prev && e.seq <= prev.seq)
      problems.push({ seq: e.seq, code: 'BadFile', message: `entry ${e.seq} follows entry ${prev.seq}: out of order` });
    if (head && e.seq > head.seq)
      problems.push({ seq: e.seq, code: 'HeadMismatch', message: `entry ${e.seq} is past the chain head ${head.seq}` });
    if (e.changesOmitted) notRecomputed++;
    else if (auditHash(e.prevHash, e.seq, e) !== e.hash)
      problems.push({ seq: e.seq, code: 'HashMismatch', message: `entry ${e.seq}: its fields do not give its hash` });
    else recomputed++;
    if (prev && e.seq === prev.seq + 1 && e.prevHash !== prev.hash)
      problems.push({
        seq: e.seq,
        code: 'BrokenLink',
        message: `entry ${e.seq}: prevHash is not entry ${prev.seq}'s hash`,
      });
    if (head && e.seq === head.seq && e.hash !== head.hash)
      problems.push({ seq: e.seq, code: 'HeadMismatch', message: `entry ${e.seq} is the head but its hash differs` });
    prev = e;
  }
  return {
    ok: problems.length === 0,
    entries: entries.length,
    recomputed,
    notRecomputed,
    ...(head ? { head } : {}),
    problems,
  };
}
