import type { Clock } from '../kernel/clock.ts';
import { InputError } from '../kernel/errors.ts';
import type { AuditAnchor, AuditEntry } from '../resources/audit-log.ts';
import { verifyChain } from '../resources/audit-log.ts';
import type { Store } from '../resources/store.ts';
import { writeArchive } from './archive.ts';

/** 等保 2.0 (GB/T 22239-2019) asks that audit records be kept at least six months: 180 days is the floor. */
export const MIN_RETENTION_DAYS = 180;

/** The error for a retention below the floor, naming where it was set. */
export function checkRetentionDays(days: number, path: string): number {
  if (!Number.isSafeInteger(days) || days < MIN_RETENTION_DAYS) {
    throw new InputError(
      `${path}=${days} is too short: audit entries must be kept at least ${MIN_RETENTION_DAYS} days`,
      [
        {
          path,
          code: 'AuditRetentionTooShort',
          params: { min: MIN_RETENTION_DAYS, given: String(days) },
          message: `expected a whole number of days of at least ${MIN_RETENTION_DAYS} (等保 2.0 asks for six months of audit records), or unset to keep every entry`,
        },
      ],
    );
  }
  return days;
}

export interface RetentionDeps {
  readonly store: Store;
  readonly clock: Clock;
  /** Where archives are written (gzip JSON lines; see archive.ts). */
  readonly archiveDir: string;
  readonly retentionDays: number;
  /** Entries per archive file (and per prune): bounds memory on a first run over a long history. */
  readonly batch?: number;
}

export interface RetentionResult {
  readonly archived: number;
  readonly files: readonly string[];
  /** The anchor after the run (unchanged when nothing was old enough). */
  readonly anchor: AuditAnchor;
}

/**
 * Archives, then prunes, the audit entries older than the retention: the oldest run of entries whose times are all
 * before `now - retentionDays` (an entry is never pruned while an older-numbered one is kept). Each batch is read,
 * verified from the anchor, written to an archive that is read back and verified, and only then pruned, in one
 * transaction that moves the anchor to its last entry. A broken chain is never archived or pruned: it throws.
 */
export async function runRetention(deps: RetentionDeps): Promise<RetentionResult> {
  checkRetentionDays(deps.retentionDays, 'retentionDays');
  const batch = deps.batch ?? 50_000;
  const now = deps.clock.now();
  const cutoff = new Date(now.getTime() - deps.retentionDays * 86_400_000).toISOString();
  let anchor = await deps.store.auditAnchor();
  // The newest entry that may go: the one before the first entry inside the retention, else the newest of all.
  const firstKept = (await deps.store.queryAudit({ since: cutoff, limit: 1 })).items[0];
  const newest = (await deps.store.queryAudit({ newestFirst: true, limit: 1 })).items[0];
  const through = firstKept ? firstKept.seq - 1 : (newest?.seq ?? anchor.seq);
  const files: string[] = [];
  let archived = 0;
  while (anchor.seq < through) {
    const entries: AuditEntry[] = [];
    while (entries.length < batch) {
      const page = await deps.store.queryAudit({
        after: entries.length > 0 ? entries[entries.length - 1]!.seq : anchor.seq,
        before: through + 1,
        limit: Math.min(5000, batch - entries.length),
      });
      entries.push(...page.items);
      if (page.next === undefined) break;
    }
    if (entries.length === 0) break;
    const check = verifyChain(entries, { prevHash: anchor.hash, seq: anchor.seq });
    if (!check.ok) {
      throw new Error(
        `audit retention stopped: the chain breaks at entry ${check.brokenAt?.seq} (${check.brokenAt?.problem}); nothing from there on is archived or pruned`,
      );
    }
    const last = entries[entries.length - 1]!;
    files.push(writeArchive(deps.archiveDir, anchor, entries, now.toISOString()));
    const next = { seq: last.seq, hash: last.hash };
    await deps.store.pruneAudit(anchor, next);
    archived += entries.length;
    anchor = next;
  }
  return { archived, files, anchor };
}

/**
 * Runs retention soon after start, then every `everyMs` (default hourly); a failed run is logged and tried again at
 * the next tick, so a broken chain or a full disk stops pruning, never the server. `stop` waits for a run in progress.
 * With several replicas, `leads` says whether this one holds the controllers' term: a tick elsewhere does nothing, so
 * one replica archives and prunes (the anchor check would refuse a second prune, but not a second archive file).
 */
export function startRetention(
  deps: RetentionDeps & {
    readonly log: { info(o: object, msg: string): void; error(o: object, msg: string): void };
    readonly everyMs?: number;
    /** Milliseconds before the first run (default 10 s). */
    readonly firstMs?: number;
    /** Whether this replica leads now (default: always, one process). */
    readonly leads?: () => boolean;
  },
): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const tick = () => {
    if (running || (deps.leads && !deps.leads())) return;
    running = runRetention(deps)
      .then((r) => {
        if (r.archived > 0)
          deps.log.info(
            { archived: r.archived, files: r.files, anchor: r.anchor },
            'audit entries archived and pruned',
          );
      })
      .catch((err: unknown) => deps.log.error({ err }, 'audit retention failed; nothing more was pruned'))
      .finally(() => {
        running = undefined;
      });
  };
  const first = setTimeout(tick, deps.firstMs ?? 10_000);
  const timer = setInterval(tick, deps.everyMs ?? 3_600_000);
  first.unref();
  timer.unref();
  return {
    async stop() {
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}
