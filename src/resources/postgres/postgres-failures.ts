import type { StorageFailure } from '../store-errors.ts';

/** Socket errors meaning PostgreSQL cannot be reached (restarting, failing over, network cut). */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH']);
/** SQLSTATEs of a server that is shutting down or starting: admin_shutdown, crash_shutdown, cannot_connect_now. */
const SHUTDOWN_STATES = new Set(['57P01', '57P02', '57P03']);

/**
 * When a PostgreSQL error means the database cannot be reached or is restarting, a `StoreUnavailable` failure:
 * the write becomes a 503 to try again, not a 500. Anything else (a constraint, a bad statement) is not one.
 */
export function postgresStorageFailure(e: unknown): StorageFailure | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  const message = e instanceof Error ? e.message : '';
  const unreachable =
    (typeof code === 'string' && (SOCKET_CODES.has(code) || SHUTDOWN_STATES.has(code) || code.startsWith('08'))) ||
    /Connection terminated|connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect/.test(
      message,
    );
  if (!unreachable) return undefined;
  return { reason: 'StoreUnavailable', ioCode: typeof code === 'string' ? code : 'ECONNLOST', detail: message };
}
