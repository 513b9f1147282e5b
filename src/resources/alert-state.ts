import type { Fence } from '../kernel/leader-lease.ts';

/**
 * The store's part of alerting that must outlive a process (src/observe): the alerts the last evaluation held
 * (with when each became active and fired, so a restart neither restarts a `for` duration nor tells a firing alert
 * again) and the notification records (outcome, attempts, and the next retry of one still being retried). The store
 * keeps JSON and bytes; what they mean is decided in src/observe. Rows, not objects: no revision, no change event, no
 * audit. Only the leader evaluates and notifies: `fenced` gives the same tables with every write refused once the
 * leader's term is over.
 */
export interface AlertStateStore {
  /**
   * The alert rows, by key: every one, or those of `tenants` (a department's list, without the platform's '' rows
   * unless '' is named).
   */
  loadAlerts(filter?: { readonly tenants?: readonly string[] }): Promise<AlertRow[]>;
  /** Replaces the alert rows: `put` upserted, every other key deleted (the evaluation's whole state, one step). */
  saveAlerts(put: readonly AlertRow[]): Promise<void>;
  /**
   * The sample windows alert evaluation last kept: the series dictionary, the slot rows (a row per department,
   * window and bucket slot, naming series by id) and the rows of the format before schema step 11 (`legacy`: an
   * older replica's, or a restored version 3 backup's), which are read until they are pruned.
   */
  loadWindows(): Promise<StoredWindows>;
  /**
   * The ids of these series keys, in the order given; a key not in the dictionary yet is added (ids are never
   * reused while a key holds one).
   */
  windowSeriesIds(series: readonly WindowSeriesKey[]): Promise<number[]>;
  /**
   * One checkpoint, in one step: deletes the rows of every `replaced` window slot (every department's) and writes
   * `put`; deletes the dictionary entries `dropSeries`, and the rows (slot rows and legacy rows) last written before
   * `pruneBefore` (windows no rule reads any more).
   */
  saveWindows(checkpoint: WindowCheckpoint): Promise<void>;
  /**
   * The same tables, every write (alerts, windows, notification records) refused (ConflictError, cause `Fenced`)
   * unless the term `fence()` names still holds its lease, checked inside the write's transaction as a controller's
   * object write is (Store TransactionOptions.fence): a leader that lost its term writes none of them.
   */
  fenced(fence: () => Fence): AlertStateStore;
  /** Inserts or replaces a notification record by id. */
  putNotification(row: NotificationRow): Promise<void>;
  /** Notification records, oldest first; `pending` only those with a retry due. */
  listNotifications(filter?: {
    readonly tenants?: readonly string[];
    readonly pending?: boolean;
  }): Promise<NotificationRow[]>;
  /** The highest record id so far (0 when none). */
  lastNotificationId(): Promise<number>;
  /**
   * Deletes settled records older than `beforeMs` and, past `keep`, the oldest settled ones; returns how many.
   * Pending ones are kept: their retry is still owed.
   */
  pruneNotifications(beforeMs: number, keep: number): Promise<number>;
}

export interface AlertRow {
  readonly key: string;
  /** The alert's department; '' for a platform alert. */
  readonly tenant: string;
  /** The alert, as src/observe writes it (JSON). */
  readonly data: string;
  /** Epoch ms of the evaluation that wrote it. */
  readonly updatedAt: number;
}

/** A series of the windows' dictionary: its department ('' the platform's) and key. */
export interface WindowSeriesKey {
  readonly tenant: string;
  readonly key: string;
}

export interface WindowSeries extends WindowSeriesKey {
  readonly id: number;
}

/**
 * One bucket slot of one window of one department's series (src/observe/alerts/window-rows.ts writes and reads
 * `data`, binary, naming series by dictionary id): a checkpoint rewrites only the slots written to since the one
 * before.
 */
export interface WindowSlotRow {
  /** The department; '' for the platform's series (clusters). */
  readonly tenant: string;
  readonly windowMs: number;
  readonly slot: number;
  readonly data: Uint8Array;
  /** Epoch ms of the evaluation that wrote it. */
  readonly updatedAt: number;
}

export interface StoredWindows {
  readonly series: readonly WindowSeries[];
  readonly slots: readonly WindowSlotRow[];
  readonly legacy: readonly WindowRow[];
}

export interface WindowCheckpoint {
  readonly put: readonly WindowSlotRow[];
  /** Window slots whose rows `put` replaces: any other department's row there is deleted. */
  readonly replaced: readonly { readonly windowMs: number; readonly slot: number }[];
  readonly dropSeries: readonly number[];
  readonly pruneBefore: number;
}

/**
 * A row of the format before schema step 11 (alert_windows): one bucket slot of one window of one department's
 * series, as JSON that repeats each series' key. Read, and pruned, never written.
 */
export interface WindowRow {
  /** The department; '' for the platform's series (clusters). */
  readonly tenant: string;
  readonly windowMs: number;
  readonly slot: number;
  readonly data: string;
  /** Epoch ms of the evaluation that wrote it. */
  readonly updatedAt: number;
}

export interface NotificationRow {
  readonly id: number;
  /** The record's department ('' none). */
  readonly tenant: string;
  /** Epoch ms it was written or last changed. */
  readonly at: number;
  /** Epoch ms its next attempt is due; null once settled (sent, given up, silenced …). */
  readonly nextRetryAt: number | null;
  /** The record, as src/observe writes it (JSON). */
  readonly data: string;
}
