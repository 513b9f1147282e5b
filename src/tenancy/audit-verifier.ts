import type { AuditAnchor, AuditVerification } from '../resources/audit-log.ts';
import { verifyChain } from '../resources/audit-log.ts';
import type { Store } from '../resources/store.ts';

/**
 * Walks the live audit chain page by page, from the anchor retention left (the genesis hash until entries were
 * archived and pruned), and reports the first broken link, if any. The archived prefix is checked from its archive
 * files (polis audit verify ARCHIVE…), which must end at this anchor.
 */
export async function verifyAuditLog(
  store: Store,
  pageSize = 5000,
): Promise<AuditVerification & { readonly anchor: AuditAnchor }> {
  const anchor = await store.auditAnchor();
  let start = { prevHash: anchor.hash, seq: anchor.seq };
  let result: AuditVerification = { ok: true, entries: 0, headSeq: anchor.seq, headHash: anchor.hash };
  let entries = 0;
  for await (const page of store.scanAudit(pageSize)) {
    result = verifyChain(page, start);
    if (!result.ok) return { ...result, entries: entries + result.entries - start.seq, anchor };
    entries += page.length;
    start = { prevHash: result.headHash, seq: result.headSeq };
  }
  return { ...result, entries, anchor };
}
