/**
 * The store's part of alerting that must outlive a process (src/observe): the alerts the last evaluation held
 * (with when each became active and fired, so a restart neither restarts a `for` duration nor tells a firing alert
 * again) and the notification records (outcome, attempts, and the next retry of one still being retried). The store
 * keeps JSON; what it means is decided in src/observe. Rows, not objects: no revision, no change event, no audit.
 */
export interface AlertStateStore {
  /**
   * The alert rows, by key: every one, or those of `tenants` (a department's list, without the platform's '' rows
   * unless '' is named).
   */
  loadAlerts(filter?: { readonly tenants?: readonly string[] }): Promise<AlertRow[]>;
  /** Replaces the alert rows: `put` upserted, every other key deleted (the evaluation's whole state, one step). */
  saveAlerts(put: readonly AlertRow[]): Promise<void>;
  /** The sample windows alert evaluation last kept: a row per department, window and bucket slot. */
  loadWindows(): Promise<WindowRow[]>;
  /** Upserts `put` and deletes rows last written before `pruneBefore` (windows no rule reads any more); one step. */
  saveWindows(put: readonly WindowRow[], pruneBefore: number): Promise<void>;
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

/**
 * One bucket slot of one window of one department's series (src/observe/alerts/window-rows.ts writes and reads
 * `data`): a checkpoint rewrites only the slots written to since the one before.
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
