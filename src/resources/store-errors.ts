import { UnavailableError } from '../kernel/errors.ts';

/** Why the store cannot write, as a stable code. */
export type StoreFailureReason = 'StoreReadOnly' | 'StoreDiskFull' | 'StoreIOError' | 'StoreBusy' | 'StoreUnavailable';

/** A write the storage refused: the stable reason, and the I/O cause as the backend or the OS named it. */
export interface StorageFailure {
  readonly reason: StoreFailureReason;
  /** `SQLITE_READONLY`, `SQLITE_FULL`, `EACCES`, `ENOSPC` … */
  readonly ioCode: string;
  readonly detail: string;
}

const ENGLISH: Record<StoreFailureReason, string> = {
  StoreReadOnly: 'the store is read-only',
  StoreDiskFull: 'the store’s disk is full',
  StoreIOError: 'the store hit an I/O error',
  StoreBusy: 'the store is locked by another writer',
  StoreUnavailable: 'the store cannot be written',
};

/** Operating-system error codes that mean the data directory cannot be written. */
const OS_CODES: Readonly<Record<string, StoreFailureReason>> = {
  EROFS: 'StoreReadOnly',
  EACCES: 'StoreReadOnly',
  EPERM: 'StoreReadOnly',
  ENOSPC: 'StoreDiskFull',
  EDQUOT: 'StoreDiskFull',
  EIO: 'StoreIOError',
};

/** An OS-level failure (`EACCES`, `ENOSPC` …) of the data directory, or undefined for any other error. */
export function osStorageFailure(e: unknown): StorageFailure | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !(code in OS_CODES)) return undefined;
  return { reason: OS_CODES[code]!, ioCode: code, detail: (e as Error).message };
}

/**
 * 503 for a write the storage refused (read-only, full disk, I/O error): the write is not done, polis reports itself
 * not ready (/readyz) until a write probe succeeds again, and the server log keeps the I/O cause (`cause`).
 */
export class StoreUnavailableError extends UnavailableError {
  readonly failure: StorageFailure;
  constructor(failure: StorageFailure, cause: unknown) {
    super(`${ENGLISH[failure.reason]} (${failure.ioCode}): the change was not saved; try again when polis is ready`, [
      {
        path: '(store)',
        code: failure.reason,
        params: { ioCode: failure.ioCode },
        message: `${ENGLISH[failure.reason]} (${failure.ioCode}); an operator must make the data directory writable`,
      },
    ]);
    this.failure = failure;
    this.cause = cause;
  }
}
