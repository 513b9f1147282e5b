import type { Readable } from 'node:stream';
import { verifyChain, GENESIS_HASH } from '../resources/audit-log.ts';
import type { Store, StoreSnapshot } from '../resources/store.ts';
import { BackupFileError, type BackupHeader, type BackupSummary } from './backup-format.ts';
import { openBackup } from './backup-reader.ts';

export interface RestoreResult extends BackupSummary {
  readonly header: BackupHeader;
}

/**
 * Loads a backup into `store`, which must be empty (else ConflictError, code StoreNotEmpty, nothing changed). One
 * transaction: the file is checked as it streams (shape, checksum, counts, the audit chain link by link), then the
 * chain is verified again as the store holds it, and the object and entry counts compared; any fault rolls the
 * whole load back (BackupFileError with its reason code). Objects keep their names, uids and resourceVersions; the
 * store's revision continues above the backup's, and change history starts there (watches from before get 410).
 */
export async function restoreBackup(store: Store, input: Readable): Promise<RestoreResult> {
  const reader = await openBackup(input);
  const { header } = reader;
  try {
    await store.load({
      revision: header.revision,
      auditAnchor: header.auditAnchor,
      batches: reader.batches,
      check: (view) => checkLoaded(view, header),
    });
  } finally {
    reader.close();
  }
  return { header, ...reader.summary() };
}

/** The loaded store, read back inside the load's transaction: the same counts, and a chain that verifies. */
async function checkLoaded(view: StoreSnapshot, header: BackupHeader): Promise<void> {
  const counts = await view.counts();
  if (
    counts.objects !== header.counts.objects ||
    counts.auditEntries !== header.counts.auditEntries ||
    counts.ledgerRows !== (header.counts.ledgerRows ?? 0)
  )
    throw new BackupFileError(
      'BackupCountMismatch',
      { what: 'loaded', stated: header.counts.objects, found: counts.objects },
      `the store holds ${counts.objects} objects and ${counts.auditEntries} audit entries after loading, the backup ${header.counts.objects} and ${header.counts.auditEntries}`,
    );
  const anchor = header.auditAnchor ?? { seq: 0, hash: GENESIS_HASH };
  let start = { prevHash: anchor.hash, seq: anchor.seq };
  for await (const page of view.audit(5000)) {
    const v = verifyChain(page, start);
    if (!v.ok)
      throw new BackupFileError(
        'AuditChainBroken',
        { seq: v.brokenAt!.seq, problem: v.brokenAt!.problem },
        `the audit chain does not verify after loading, at entry ${v.brokenAt!.seq}: ${v.brokenAt!.problem}`,
      );
    start = { prevHash: v.headHash, seq: v.headSeq };
  }
  if (start.seq !== header.auditHead.seq || start.prevHash !== header.auditHead.hash)
    throw new BackupFileError(
      'AuditChainBroken',
      { seq: start.seq, problem: 'head does not match the header' },
      `the loaded audit chain ends at entry ${start.seq}, the backup's at ${header.auditHead.seq}`,
    );
}

/** Reads a whole backup without a store: the same checks as a restore (for `polis backup` to check what it wrote). */
export async function verifyBackup(input: Readable): Promise<RestoreResult> {
  const reader = await openBackup(input);
  try {
    for await (const _batch of reader.batches) {
      // Every check runs as the batches stream.
    }
  } finally {
    reader.close();
  }
  return { header: reader.header, ...reader.summary() };
}
