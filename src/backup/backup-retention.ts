import { backupFileTime } from './backup-format.ts';

/** How many scheduled backups to keep: the newest `keep`, and every one younger than `keepDays` (0: that rule off). */
export interface Retention {
  readonly keep: number;
  readonly keepDays: number;
}

const DAY_MS = 86_400_000;

/**
 * The backup files in `names` to delete at `nowMs` (pure). A file is kept when any rule keeps it: it is among the
 * newest `keep`, or younger than `keepDays`. The newest file is always kept, and names that are not backup file
 * names (backupFileName) are never touched.
 */
export function filesToPrune(names: readonly string[], nowMs: number, retention: Retention): string[] {
  const dated = names
    .map((name) => ({ name, at: backupFileTime(name) }))
    .filter((f): f is { name: string; at: number } => f.at !== undefined)
    .sort((a, b) => b.at - a.at || (a.name < b.name ? 1 : -1));
  const keepCount = Math.max(1, retention.keep);
  return dated
    .filter((f, i) => i >= keepCount && (retention.keepDays <= 0 || nowMs - f.at >= retention.keepDays * DAY_MS))
    .map((f) => f.name);
}
