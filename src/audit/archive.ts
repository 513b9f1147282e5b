import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { AuditAnchor, AuditEntry } from '../resources/audit-log.ts';
import { GENESIS_ANCHOR, verifyChain } from '../resources/audit-log.ts';

/**
 * An archive of pruned audit entries: gzip JSON lines, a header line then one entry per line, each with its seq,
 * prevHash and hash. `from` is the anchor the first entry links to, `through` the last entry: the next archive (or
 * the live chain, once pruned) starts from it.
 */
export const ARCHIVE_FORMAT = 'polis-audit-archive/v1';

export interface ArchiveHeader {
  readonly format: typeof ARCHIVE_FORMAT;
  readonly from: AuditAnchor;
  readonly through: AuditAnchor;
  readonly entries: number;
  readonly createdAt: string;
}

export interface Archive {
  readonly file: string;
  readonly header: ArchiveHeader;
  readonly entries: readonly AuditEntry[];
}

/**
 * Writes `entries` (a verified run following `from`) to `dir`, durably (temporary file, fsync, rename), reads it
 * back and checks it before returning: only then may the entries be pruned.
 */
export function writeArchive(
  dir: string,
  from: AuditAnchor,
  entries: readonly AuditEntry[],
  createdAt: string,
): string {
  if (entries.length === 0) throw new Error('an archive needs at least one entry');
  const last = entries[entries.length - 1]!;
  const header: ArchiveHeader = {
    format: ARCHIVE_FORMAT,
    from,
    through: { seq: last.seq, hash: last.hash },
    entries: entries.length,
    createdAt,
  };
  const text = [header, ...entries].map((x) => JSON.stringify(x)).join('\n') + '\n';
  mkdirSync(dir, { recursive: true });
  const pad = (n: number) => String(n).padStart(12, '0');
  const file = join(dir, `audit-${pad(entries[0]!.seq)}-${pad(last.seq)}.jsonl.gz`);
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, gzipSync(Buffer.from(text, 'utf8')));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  const dirFd = openSync(dir, 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
  const back = readArchive(file);
  const check = verifyChain(back.entries, { prevHash: back.header.from.hash, seq: back.header.from.seq });
  if (!check.ok || check.headSeq !== last.seq || check.headHash !== last.hash)
    throw new Error(`the archive ${file} does not read back as written: nothing is pruned`);
  return file;
}

export function readArchive(file: string): Archive {
  const lines = gunzipSync(readFileSync(file)).toString('utf8').split('\n').filter(Boolean);
  const header = JSON.parse(lines[0] ?? '{}') as ArchiveHeader;
  if (header.format !== ARCHIVE_FORMAT) throw new Error(`${basename(file)} is not a polis audit archive`);
  return { file, header, entries: lines.slice(1).map((l) => JSON.parse(l) as AuditEntry) };
}

export interface ArchivesCheck {
  readonly ok: boolean;
  readonly archives: number;
  readonly entries: number;
  /** Where the archived history starts (GENESIS_ANCHOR when it is complete from the first entry). */
  readonly from: AuditAnchor;
  /** The last archived entry: the live chain's anchor must be this. */
  readonly through: AuditAnchor;
  readonly complete: boolean;
  readonly problem?: { readonly file: string; readonly seq?: number; readonly message: string };
}

/** Checks archives as one chain: each verifies from its `from`, and each starts where the one before ended. */
export function checkArchives(archives: readonly Archive[]): ArchivesCheck {
  const sorted = [...archives].sort((a, b) => a.header.from.seq - b.header.from.seq);
  let at: AuditAnchor | undefined;
  let entries = 0;
  const first = sorted[0]?.header.from ?? GENESIS_ANCHOR;
  const result = (problem?: ArchivesCheck['problem']): ArchivesCheck => ({
    ok: problem === undefined,
    archives: sorted.length,
    entries,
    from: first,
    through: at ?? first,
    complete: first.seq === 0 && first.hash === GENESIS_ANCHOR.hash,
    ...(problem ? { problem } : {}),
  });
  for (const a of sorted) {
    const name = basename(a.file);
    if (at && (a.header.from.seq !== at.seq || a.header.from.hash !== at.hash))
      return result({ file: name, message: `does not start where the archive before ended (entry ${at.seq})` });
    const v = verifyChain(a.entries, { prevHash: a.header.from.hash, seq: a.header.from.seq });
    if (!v.ok) return result({ file: name, seq: v.brokenAt?.seq, message: v.brokenAt?.problem ?? 'broken' });
    if (v.headSeq !== a.header.through.seq || v.headHash !== a.header.through.hash)
      return result({ file: name, message: 'its entries do not end at the entry its header names' });
    entries += a.entries.length;
    at = a.header.through;
  }
  return result();
}
