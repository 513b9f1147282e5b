/**
 * seed-probe: the seeding of bench/api-mixed-load alone (100 departments, then Applications through /api/v1/apply in
 * batches), on one store, with the server's CPU measured over the Applications and, with SEED_PROFILE=1, its CPU
 * profile summarised. For A/B runs of the seeding path against another tree: `node bench/seed-probe.ts sqlite|postgres`.
 *
 * Environment: SEED_APPS (10000), SEED_BATCH (200), SEED_CLIENTS (1: batches in flight at once), SEED_PROFILE (0).
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnPolis } from '../test/support/child-polis.ts';
import { findPostgresBin, startTempPostgres } from '../test/setup/temp-postgres.ts';
import type { TempPostgres } from '../test/setup/temp-postgres.ts';
import { formatProfile, profileToggle, summarizeProfile } from './support/cpu-profile.ts';
import { applicationDoc, tenantDoc } from './support/oam-fixtures.ts';
import { processCpuSeconds } from './support/process-memory.ts';
import { deliveryState } from './support/delivery-settle.ts';

const backend = process.argv[2] === 'postgres' ? 'postgres' : 'sqlite';
const apps = Number(process.env.SEED_APPS ?? 10000);
const batch = Number(process.env.SEED_BATCH ?? 200);
const clients = Number(process.env.SEED_CLIENTS ?? 1);
const profile = process.env.SEED_PROFILE === '1';
const tenants = 100;

let pg: TempPostgres | undefined;
if (backend === 'postgres') pg = await startTempPostgres(findPostgresBin()!);
const dataDir = mkdtempSync(join(tmpdir(), `polis-seed-probe-`));
const profileFile = profile ? join(dataDir, 'server.cpuprofile') : undefined;
const polis = await spawnPolis({
  dataDir,
  databaseUrl: pg?.url,
  env: { POLIS_LOG_LEVEL: 'warn', POLIS_DEMO: '0', ...(profileFile ? { POLIS_CPU_PROFILE: profileFile } : {}) },
});
async function post(body: unknown): Promise<{ items: Array<{ action: string }> }> {
  const res = await fetch(`${polis.url}/api/v1/apply`, {
    method: 'POST',
    headers: { authorization: `Bearer ${polis.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`apply: ${res.status} ${text.slice(0, 500)}`);
  return JSON.parse(text) as { items: Array<{ action: string }> };
}
try {
  await post(Array.from({ length: tenants }, (_, t) => tenantDoc(t)));
  const docs: Record<string, unknown>[] = [];
  const perTenant = Math.ceil(apps / tenants);
  for (let t = 0; t < tenants; t++)
    for (let a = 0; a < perTenant && docs.length < apps; a++) docs.push(applicationDoc(t, a));
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < docs.length; i += batch) batches.push(docs.slice(i, i + batch));
  if (profileFile) await profileToggle(polis, profileFile, false);
  const d0 = await deliveryState(polis);
  const cpu0 = processCpuSeconds(polis.pid);
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < batches.length) {
        const b = batches[next++]!;
        const r = await post(b);
        if (r.items.filter((x) => x.action === 'created').length !== b.length) throw new Error('not all created');
      }
    }),
  );
  const sec = (performance.now() - t0) / 1000;
  const cpu = processCpuSeconds(polis.pid) - cpu0;
  const d1 = await deliveryState(polis);
  if (profileFile) {
    await profileToggle(polis, profileFile, true);
    console.log(formatProfile(summarizeProfile(profileFile, 40)));
    const kept = process.env.SEED_PROFILE_OUT ?? join(tmpdir(), `seed-probe-${backend}.cpuprofile`);
    copyFileSync(profileFile, kept);
    console.log(`raw profile at ${kept}`);
  }
  console.log(
    `RESULT ${backend} apps=${docs.length} batch=${batch} clients=${clients}: ${(docs.length / sec).toFixed(0)} objects/s, ${sec.toFixed(2)} s, server CPU ${cpu.toFixed(2)} s = ${((1000 * cpu) / docs.length).toFixed(3)} ms/object; meanwhile ${d1.reconciles - d0.reconciles} reconciles, ${d1.revision - d0.revision} revisions, queue ${d1.queued}`,
  );
} finally {
  await polis.stop();
  pg?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
