import { sql, type Kysely } from 'kysely';
import { ConflictError, codedCause } from '../../kernel/errors.ts';
import { msg } from '../../kernel/messages/render.ts';
import { applicationShardKey, memberSet, ownerOf, type MemberSet } from '../../kernel/shard-assignment.ts';
import type { ObjectKey } from '../envelope.ts';
import type { MemberHeartbeat, MemberView, ShardFence } from '../store.ts';
import type { Schema } from './schema.ts';

/**
 * Membership rows of the replicas that run sharded controllers (docs/deploy.md, Several replicas), timed by the
 * database clock like the leases. One transaction: reap members expired meanwhile (on PostgreSQL the DELETE waits
 * for sharded writes of theirs still under way, which hold the members table in SHARE mode), insert or renew the
 * caller's row, read the live set. The caller's epoch stays while it renews in time; a lapsed or new row gets a
 * larger one (the database clock, past the old epoch), so writes of an older incarnation are refused.
 */
export async function heartbeatMember(db: Kysely<Schema>, nowMs: string, req: MemberHeartbeat): Promise<MemberView> {
  if (!Number.isSafeInteger(req.ttlMs) || req.ttlMs <= 0)
    throw new RangeError(`heartbeatMember: ttlMs must be a positive integer, got ${req.ttlMs}`);
  const now = sql.raw(nowMs);
  return db.transaction().execute(async (trx) => {
    await sql`DELETE FROM members WHERE expires_at < ${now} AND id <> ${req.id}`.execute(trx);
    await sql`
      INSERT INTO members (id, epoch, renewed_at, expires_at) VALUES (${req.id}, ${now}, ${now}, ${now} + ${req.ttlMs})
      ON CONFLICT (id) DO UPDATE SET
        epoch = CASE WHEN members.expires_at >= excluded.renewed_at AND members.epoch = ${req.epoch}
                     THEN members.epoch
                     WHEN members.epoch + 1 > excluded.epoch THEN members.epoch + 1 ELSE excluded.epoch END,
        renewed_at = excluded.renewed_at,
        expires_at = excluded.expires_at`.execute(trx);
    const rows = await liveRows(trx, nowMs);
    const mine = rows.find((r) => r.id === req.id);
    return {
      id: req.id,
      epoch: mine?.epoch ?? 0,
      live: rows.map((r) => r.id),
      remainingMs: mine?.remainingMs ?? 0,
    };
  });
}

/** Removes the member's row (its term `epoch`), so its applications move at once rather than after expiry. */
export async function leaveMember(db: Kysely<Schema>, id: string, epoch: number): Promise<void> {
  await sql`DELETE FROM members WHERE id = ${id} AND epoch = ${epoch}`.execute(db);
}

/** A live member as read from its row. */
export interface LiveMember {
  readonly id: string;
  readonly epoch: number;
  readonly remainingMs: number;
}

/** The members whose rows have not expired by the database clock, by id. */
export async function liveRows(db: Kysely<Schema>, nowMs: string): Promise<LiveMember[]> {
  const result = await sql<{ id: string; epoch: number | string; remaining: number | string }>`
    SELECT id, epoch, expires_at - ${sql.raw(nowMs)} AS remaining FROM members
    WHERE expires_at >= ${sql.raw(nowMs)} ORDER BY id`.execute(db);
  return result.rows.map((r) => ({ id: r.id, epoch: Number(r.epoch), remainingMs: Number(r.remaining) }));
}

/**
 * The live members, after `lock` (PostgreSQL: the members table in SHARE mode, which keeps membership from changing
 * until the transaction commits: a joining member's insert, or the reaping of this one, waits for it); in a write
 * transaction, the set until it commits. shardClaim judges a fence against them.
 */
export async function readMembers(db: Kysely<Schema>, nowMs: string, lock: string | undefined): Promise<LiveMember[]> {
  if (lock) await sql.raw(lock).execute(db);
  return liveRows(db, nowMs);
}

/**
 * The check of `fence` against the live members `rows` (pure): throws ConflictError (cause `ShardFenced`) unless the
 * fence's member is among them in its epoch; returns the check for each application written (`ShardMoved` unless
 * the member owns it in that live set).
 */
export function shardClaim(rows: readonly LiveMember[], fence: ShardFence): (key: ObjectKey) => void {
  const me = rows.find((r) => r.id === fence.member);
  if (me === undefined || me.epoch !== fence.epoch) {
    const m = msg('ShardFenced', { member: fence.member, epoch: fence.epoch });
    throw new ConflictError(m, [codedCause('fence', m)]);
  }
  const live: MemberSet = memberSet(rows.map((r) => r.id));
  return (key) => {
    if (key.kind !== 'Application') return;
    const app = applicationShardKey(key.tenant, key.name);
    const owner = ownerOf(app, live);
    if (owner === fence.member) return;
    const m = msg('ShardMoved', { application: app, member: fence.member, owner: owner ?? '' });
    throw new ConflictError(m, [codedCause('fence', m)]);
  };
}
