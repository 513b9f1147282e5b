import { sql, type Kysely } from 'kysely';
import { ConflictError, codedCause } from '../../kernel/errors.ts';
import type { Resources } from '../../kernel/resources.ts';
import { msg } from '../../kernel/messages/render.ts';
import type { CapacityReservation } from '../store.ts';
import type { Schema } from './schema.ts';

/**
 * Shared capacity reservations (docs/deploy.md, Several replicas): the room a placement takes on a cluster, held in
 * the store until the cluster's own reports can show it (a TTL by the database clock), so that replicas placing at
 * the same time count each other's decisions. Checked and written in one write transaction: the room the
 * reservations of every application would then take on the cluster must fit in the room the placing replica
 * observed there (allocatable − requested − pending, before any reservation), else the whole reservation fails
 * (ConflictError, cause `CapacityTaken`) and nothing is written.
 */
export async function reserveCapacity(
  db: Kysely<Schema>,
  nowMs: string,
  lockCluster: ((db: Kysely<Schema>, cluster: string) => Promise<void>) | undefined,
  req: CapacityReservation,
): Promise<void> {
  const now = sql.raw(nowMs);
  const clusters = [...req.clusters].sort((a, b) => (a.cluster < b.cluster ? -1 : 1));
  for (const c of clusters) {
    if (c.delta.cpuMilli <= 0 && c.delta.memoryBytes <= 0 && c.delta.pods <= 0) continue;
    await lockCluster?.(db, c.cluster);
    const held = await sql<{ cpu: number | string | null; mem: number | string | null; pods: number | string | null }>`
      SELECT SUM(cpu_milli) AS cpu, SUM(memory_bytes) AS mem, SUM(pods) AS pods FROM capacity_reservations
      WHERE cluster = ${c.cluster} AND expires_at >= ${now}`.execute(db);
    const row = held.rows[0];
    const taken: Resources = {
      cpuMilli: Number(row?.cpu ?? 0),
      memoryBytes: Number(row?.mem ?? 0),
      pods: Number(row?.pods ?? 0),
    };
    const add = positive(c.delta);
    const fits =
      taken.cpuMilli + add.cpuMilli <= c.observedFree.cpuMilli &&
      taken.memoryBytes + add.memoryBytes <= c.observedFree.memoryBytes &&
      taken.pods + add.pods <= c.observedFree.pods;
    if (!fits) {
      const m = msg('CapacityTaken', { cluster: c.cluster, application: req.application });
      throw new ConflictError(m, [codedCause(`clusters.${c.cluster}`, m)]);
    }
    // Added to this application's unexpired reservation there (an earlier decision's pods may not show yet).
    await sql`
      INSERT INTO capacity_reservations (cluster, app, cpu_milli, memory_bytes, pods, expires_at)
      VALUES (${c.cluster}, ${req.application}, ${add.cpuMilli}, ${add.memoryBytes}, ${add.pods}, ${now} + ${req.ttlMs})
      ON CONFLICT (cluster, app) DO UPDATE SET
        cpu_milli = CASE WHEN capacity_reservations.expires_at >= ${now}
                         THEN capacity_reservations.cpu_milli ELSE 0 END + excluded.cpu_milli,
        memory_bytes = CASE WHEN capacity_reservations.expires_at >= ${now}
                            THEN capacity_reservations.memory_bytes ELSE 0 END + excluded.memory_bytes,
        pods = CASE WHEN capacity_reservations.expires_at >= ${now}
                    THEN capacity_reservations.pods ELSE 0 END + excluded.pods,
        expires_at = excluded.expires_at`.execute(db);
  }
  await sql`DELETE FROM capacity_reservations WHERE expires_at < ${now}`.execute(db);
}

/** Unexpired reservations summed per cluster. */
export async function capacityReserved(db: Kysely<Schema>, nowMs: string): Promise<Map<string, Resources>> {
  const result = await sql<{
    cluster: string;
    cpu: number | string;
    mem: number | string;
    pods: number | string;
  }>`SELECT cluster, SUM(cpu_milli) AS cpu, SUM(memory_bytes) AS mem, SUM(pods) AS pods FROM capacity_reservations
     WHERE expires_at >= ${sql.raw(nowMs)} GROUP BY cluster`.execute(db);
  return new Map(
    result.rows.map((r) => [r.cluster, { cpuMilli: Number(r.cpu), memoryBytes: Number(r.mem), pods: Number(r.pods) }]),
  );
}

function positive(r: Resources): Resources {
  return { cpuMilli: Math.max(0, r.cpuMilli), memoryBytes: Math.max(0, r.memoryBytes), pods: Math.max(0, r.pods) };
}
