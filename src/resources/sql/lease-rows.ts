import { sql, type Kysely } from 'kysely';
import { ConflictError, codedCause } from '../../kernel/errors.ts';
import { msg } from '../../kernel/messages/render.ts';
import type { Fence, LeaseRequest, LeaseState } from '../store.ts';
import type { Schema } from './schema.ts';

/**
 * Takes or renews a lease in one statement, timed by the database clock (`nowMs`): INSERT … ON CONFLICT DO UPDATE
 * … WHERE the row is expired (a takeover: epoch + 1) or is the requester's unexpired term `epoch` (a renewal: same
 * epoch). A holder renewing its own term after it lapsed (its process stalled) keeps the term when nobody took the lease
 * meanwhile: fenced writes were refused while it had lapsed, and no other term began. Then reads the row back, whoever
 * holds it.
 */
export async function acquireLease(db: Kysely<Schema>, nowMs: string, req: LeaseRequest): Promise<LeaseState> {
  if (!Number.isSafeInteger(req.ttlMs) || req.ttlMs <= 0)
    throw new RangeError(`acquireLease: ttlMs must be a positive integer, got ${req.ttlMs}`);
  const now = sql.raw(nowMs);
  await sql`
    INSERT INTO leases (name, holder, epoch, renewed_at, expires_at)
    VALUES (${req.name}, ${req.holder}, 1, ${now}, ${now} + ${req.ttlMs})
    ON CONFLICT (name) DO UPDATE SET
      holder = excluded.holder,
      epoch = CASE WHEN leases.expires_at < excluded.renewed_at
                    AND NOT (leases.holder = excluded.holder AND leases.epoch = ${req.epoch})
                   THEN leases.epoch + 1 ELSE leases.epoch END,
      renewed_at = excluded.renewed_at,
      expires_at = excluded.expires_at
    WHERE leases.expires_at < excluded.renewed_at
       OR (leases.holder = excluded.holder AND leases.epoch = ${req.epoch})`.execute(db);
  const row = await readLease(db, nowMs, req.name);
  return {
    name: req.name,
    holder: row?.holder ?? '',
    epoch: row?.epoch ?? 0,
    held: row !== undefined && row.holder === req.holder && row.remainingMs > 0,
    remainingMs: row?.remainingMs ?? 0,
  };
}

/** Expires `holder`'s term `epoch` now, if it still holds it. */
export async function releaseLease(
  db: Kysely<Schema>,
  nowMs: string,
  name: string,
  holder: string,
  epoch: number,
): Promise<void> {
  const now = sql.raw(nowMs);
  await sql`UPDATE leases SET expires_at = ${now} - 1
    WHERE name = ${name} AND holder = ${holder} AND epoch = ${epoch} AND expires_at >= ${now}`.execute(db);
}

/**
 * Inside a write transaction: throws ConflictError (cause `Fenced`) unless the fence's holder still holds its term,
 * unexpired. `lock` (FOR SHARE on PostgreSQL) keeps a takeover from committing before this transaction does.
 */
export async function checkFence(db: Kysely<Schema>, nowMs: string, lock: string, fence: Fence): Promise<void> {
  fenceHolds(await readLease(db, nowMs, fence.name, lock), fence);
}

/** checkFence's verdict on the lease row as readLease found it. */
export function fenceHolds(row: LeaseRow | undefined, fence: Fence): void {
  if (row !== undefined && row.holder === fence.holder && row.epoch === fence.epoch && row.remainingMs > 0) return;
  const m = msg('Fenced', {
    lease: fence.name,
    epoch: fence.epoch,
    current: row?.epoch ?? 0,
  });
  throw new ConflictError(m, [codedCause('fence', m)]);
}

type LeaseRow = { holder: string; epoch: number; remainingMs: number };

/** The lease row `name`, read with `lock` appended (checkFence). */
export async function readLease(
  db: Kysely<Schema>,
  nowMs: string,
  name: string,
  lock = '',
): Promise<LeaseRow | undefined> {
  const result = await sql<{ holder: string; epoch: number | string; remaining: number | string }>`
    SELECT holder, epoch, expires_at - ${sql.raw(nowMs)} AS remaining FROM leases WHERE name = ${name}${sql.raw(lock)}`.execute(
    db,
  );
  const row = result.rows[0];
  return row ? { holder: row.holder, epoch: Number(row.epoch), remainingMs: Number(row.remaining) } : undefined;
}
