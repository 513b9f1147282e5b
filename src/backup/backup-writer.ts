import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Store } from '../resources/store.ts';
import { BACKUP_FORMAT, BACKUP_FORMAT_VERSION, type BackupHeader, type BackupSummary } from './backup-format.ts';

export interface BackupMeta {
  readonly polisVersion: string;
  /** The store kind the caller opened (from its config); the store itself does not name its backend. */
  readonly sourceStore: 'sqlite' | 'postgres';
  readonly now: Date;
}

/** Objects and audit entries read per statement. */
const PAGE = 1000;

/**
 * Writes one consistent snapshot of `store` (Store.readSnapshot: every object, the whole audit chain and the ledger as of
 * one revision) to `out` in the backup format (backup-format.ts), and ends `out`. Writes in flight are wholly in the
 * snapshot or wholly out of it. Compression runs on libuv's thread pool while the next page is read.
 */
export async function writeBackup(store: Store, out: Writable, meta: BackupMeta): Promise<BackupSummary> {
  const gzip = createGzip({ level: 6 });
  const hash = createHash('sha256');
  gzip.pipe(out);
  const done = finished(out);
  // A destination that fails (disk full, client gone) must end the snapshot read too.
  let failed: unknown;
  const onError = (e: unknown) => (failed ??= e);
  gzip.on('error', onError);
  out.on('error', onError);
  const write = async (line: string): Promise<void> => {
    if (failed) throw failed;
    const text = `${line}\n`;
    hash.update(text);
    if (!gzip.write(text)) await Promise.race([once(gzip, 'drain'), done]);
  };
  try {
    const summary = await store.readSnapshot(async (view) => {
      const counts = await view.counts();
      const keyIds = new Set<string>();
      const header: BackupHeader = {
        format: BACKUP_FORMAT,
        formatVersion: BACKUP_FORMAT_VERSION,
        polisVersion: meta.polisVersion,
        createdAt: meta.now.toISOString(),
        source: { store: meta.sourceStore },
        revision: view.revision,
        counts: {
          objects: counts.objects,
          objectsByKind: counts.objectsByKind,
          auditEntries: counts.auditEntries,
          ledgerRows: counts.ledgerRows,
        },
        auditHead: counts.auditHead,
        auditAnchor: counts.auditAnchor,
      };
      await write(JSON.stringify(header));
      let objects = 0;
      for await (const page of view.objects(PAGE)) {
        for (const body of page) {
          sealedKeyId(body, keyIds);
          await write(`{"object":${body}}`);
        }
        objects += page.length;
      }
      let auditEntries = 0;
      for await (const page of view.audit(PAGE)) {
        for (const entry of page) await write(JSON.stringify({ audit: entry }));
        auditEntries += page.length;
      }
      let ledgerRows = 0;
      for await (const page of view.ledger(PAGE)) {
        for (const record of page) await write(JSON.stringify({ ledger: record }));
        ledgerRows += page.length;
      }
      return {
        revision: view.revision,
        objects,
        auditEntries,
        ledgerRows,
        auditHead: counts.auditHead,
        sha256: '',
        secretKeyIds: [...keyIds].sort(),
      };
    });
    const sha256 = hash.digest('hex');
    const { objects, auditEntries, ledgerRows, secretKeyIds } = summary;
    const end = JSON.stringify({ end: { objects, auditEntries, ledgerRows, sha256, secretKeyIds } });
    gzip.end(`${end}\n`);
    await done;
    if (failed) throw failed;
    return { ...summary, sha256 };
  } catch (e) {
    gzip.destroy();
    out.destroy(e as Error);
    throw e;
  }
}

/** Adds the key id of a sealed value (a top-level `encryptedData` envelope, as Secrets store it) to `ids`. */
function sealedKeyId(body: string, ids: Set<string>): void {
  if (!body.includes('"encryptedData"')) return;
  const kid = (JSON.parse(body) as { encryptedData?: { kid?: unknown } }).encryptedData?.kid;
  if (typeof kid === 'string') ids.add(kid);
}
