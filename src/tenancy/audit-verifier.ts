import type { AuditVerification } from '../resources/audit-log.ts';
import { GENESIS_HASH, verifyChain } from '../resources/audit-log.ts';
import type { Store } from '../resources/store.ts';

/** Walks the whole audit chain page by page and reports the first broken link, if any. */
export async function verifyAuditLog(store: Store, pageSize = 5000): Promise<AuditVerification> {
  let start = { prevHash: GENESIS_HASH, seq: 0 };
  let result: AuditVerification = { ok: true, entries: 0, headSeq: 0, headHash: GENESIS_HASH };
  for await (const page of store.scanAudit(pageSize)) {
    result = verifyChain(page, start);
    if (!result.ok) return result;
    start = { prevHash: result.headHash, seq: result.headSeq };
  }
  return result;
}
