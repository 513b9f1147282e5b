import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { forEachBackend } from '../../test/setup/backends.ts';
import { ManualClock } from '../kernel/clock.ts';
import { loadConfig } from '../kernel/config.ts';
import type { AuditEntryInput } from '../resources/audit-log.ts';
import { GENESIS_ANCHOR } from '../resources/audit-log.ts';
import type { Store } from '../resources/store.ts';
import { verifyAuditLog } from '../tenancy/audit-verifier.ts';
import { checkArchives, readArchive } from './archive.ts';
import { runRetention, startRetention } from './retention.ts';

const DAY = 86_400_000;

function entry(time: Date, i: number): AuditEntryInput {
  return {
    time: time.toISOString(),
    actor: 'edu-admin',
    verb: 'update',
    apiVersion: 'core.oam.dev/v1beta1',
    kind: 'Application',
    tenant: 'edu',
    name: `app-${i}`,
    outcome: 'success',
    code: 200,
    message: '',
    requestId: `r${i}`,
    changes: { spec: { replicas: i } },
  };
}

forEachBackend('audit retention', (backend) => {
  let store: Store;
  let dir: string;
  const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));

  beforeEach(async () => {
    store = await backend.open();
    dir = mkdtempSync(join(tmpdir(), 'polis-archive-'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Appends `n` entries a day apart, starting at `start`. */
  async function fill(start: Date, n: number, from = 0): Promise<void> {
    await store.transaction(async (tx) => {
      for (let i = 0; i < n; i++) await tx.appendAudit(entry(new Date(start.getTime() + i * DAY), from + i));
    });
  }

  it('archives then prunes entries older than the retention, and the archive and the live chain verify together', async () => {
    const start = new Date('2026-01-01T00:00:00Z');
    await fill(start, 300);
    clock.set(new Date(start.getTime() + 300 * DAY)); // entries 1..120 are older than 180 days
    const r = await runRetention({ store, clock, archiveDir: dir, retentionDays: 180, batch: 50 });
    expect(r.archived).toBe(120);
    expect(r.files).toHaveLength(3); // batches of 50, 50, 20
    expect(r.anchor.seq).toBe(120);

    // Nothing older than the cut is live, nothing newer was touched.
    const live = await store.queryAudit({ limit: 5000 });
    expect(live.items[0]!.seq).toBe(121);
    expect(live.items).toHaveLength(180);
    expect((await store.stats()).auditEntries).toBe(180);
    expect(await store.auditAnchor()).toEqual(r.anchor);

    // The archives chain from genesis to the anchor; the live chain verifies from the anchor.
    const archives = readdirSync(dir).map((f) => readArchive(join(dir, f)));
    const a = checkArchives(archives);
    expect(a).toMatchObject({ ok: true, entries: 120, complete: true, from: GENESIS_ANCHOR, through: r.anchor });
    const v = await verifyAuditLog(store);
    expect(v).toMatchObject({ ok: true, entries: 180, headSeq: 300, anchor: r.anchor });

    // New entries continue the chain after the cut; a second run with nothing old enough changes nothing.
    await fill(new Date(clock.now().getTime()), 1, 300);
    const again = await runRetention({ store, clock, archiveDir: dir, retentionDays: 180 });
    expect(again).toMatchObject({ archived: 0, files: [], anchor: r.anchor });
    expect(await verifyAuditLog(store)).toMatchObject({ ok: true, headSeq: 301 });
  });

  it('continues the chain from the anchor when every entry was pruned', async () => {
    await fill(new Date('2025-01-01T00:00:00Z'), 5);
    clock.set(new Date('2026-06-01T00:00:00Z'));
    const r = await runRetention({ store, clock, archiveDir: dir, retentionDays: 180 });
    expect(r.archived).toBe(5);
    expect((await store.queryAudit({})).items).toEqual([]);
    await fill(clock.now(), 1, 5);
    const [first] = (await store.queryAudit({})).items;
    expect(first).toMatchObject({ seq: 6, prevHash: r.anchor.hash });
    expect(await verifyAuditLog(store)).toMatchObject({ ok: true, entries: 1, headSeq: 6 });
  });

  it('never archives or prunes a broken chain', async () => {
    const raw = await backend.openWithRawAccess();
    try {
      await raw.store.transaction(async (tx) => {
        for (let i = 0; i < 10; i++)
          await tx.appendAudit(entry(new Date(Date.parse('2025-01-01T00:00:00Z') + i * DAY), i));
      });
      await raw.execRaw(`UPDATE audit SET actor = 'someone-else' WHERE seq = 4`);
      clock.set(new Date('2026-06-01T00:00:00Z'));
      await expect(runRetention({ store: raw.store, clock, archiveDir: dir, retentionDays: 180 })).rejects.toThrow(
        /chain breaks at entry 4/,
      );
      expect(readdirSync(dir)).toEqual([]);
      expect((await raw.store.queryAudit({})).items).toHaveLength(10);
    } finally {
      await raw.store.close();
    }
  });

  it('runs only on the replica that leads: a follower archives and prunes nothing, the leader does', async () => {
    await fill(new Date('2025-01-01T00:00:00Z'), 20);
    const other = mkdtempSync(join(tmpdir(), 'polis-archive-'));
    const quiet = { info: () => {}, error: () => {} };
    let asked = 0;
    let leading = false;
    const follower = startRetention({
      store,
      clock,
      archiveDir: other,
      retentionDays: 180,
      log: quiet,
      firstMs: 0,
      everyMs: 20,
      leads: () => (asked++, false),
    });
    const leader = startRetention({
      store,
      clock,
      archiveDir: dir,
      retentionDays: 180,
      log: quiet,
      firstMs: 0,
      everyMs: 20,
      leads: () => leading,
    });
    try {
      await expect.poll(() => asked, { timeout: 30_000, interval: 20 }).toBeGreaterThan(5);
      expect((await store.queryAudit({ limit: 100 })).items).toHaveLength(20);
      leading = true;
      await expect.poll(() => readdirSync(dir).length, { timeout: 30_000, interval: 50 }).toBeGreaterThan(0);
      await expect.poll(async () => (await store.auditAnchor()).seq, { timeout: 30_000, interval: 50 }).toBe(20);
      expect(readdirSync(other)).toEqual([]);
    } finally {
      await follower.stop();
      await leader.stop();
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('refuses a retention shorter than 180 days, in the configuration and in a run', async () => {
    expect(() => loadConfig({ POLIS_AUDIT_RETENTION_DAYS: '90' })).toThrow(/at least 180 days/);
    try {
      loadConfig({ POLIS_AUDIT_RETENTION_DAYS: '179' });
    } catch (e) {
      expect((e as { causes: unknown[] }).causes[0]).toMatchObject({
        path: 'POLIS_AUDIT_RETENTION_DAYS',
        code: 'AuditRetentionTooShort',
        params: { min: 180 },
      });
    }
    expect(loadConfig({ POLIS_AUDIT_RETENTION_DAYS: '180' }).audit.retentionDays).toBe(180);
    expect(loadConfig({}).audit.retentionDays).toBeUndefined();
    await expect(runRetention({ store, clock, archiveDir: dir, retentionDays: 30 })).rejects.toThrow(/at least 180/);
  });
});
