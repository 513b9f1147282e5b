import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { BACKENDS, forEachBackend } from '../../test/setup/backends.ts';
import { ConflictError, GoneError } from '../kernel/errors.ts';
import { GENESIS_HASH, type AuditEntry, type AuditEntryInput } from '../resources/audit-log.ts';
import type { StoredObject } from '../resources/envelope.ts';
import type { Store } from '../resources/store.ts';
import { RingSignalWindows } from '../observe/alerts/signal-windows.ts';
import { WindowCheckpoints } from '../observe/alerts/window-rows.ts';
import { BufferSink } from './backup-buffer.ts';
import { BackupFileError } from './backup-format.ts';
import { restoreBackup, verifyBackup } from './backup-restore.ts';
import { writeBackup } from './backup-writer.ts';

const T0 = '2026-01-01T00:00:00.000Z';

function object(kind: string, tenant: string, name: string, revision: number, spec: unknown = {}): StoredObject {
  return {
    apiVersion: 'polis.example/v1',
    kind,
    metadata: {
      name,
      ...(tenant ? { tenant } : {}),
      uid: `uid-${kind}-${tenant}-${name}`,
      resourceVersion: String(revision),
      generation: 1,
      creationTimestamp: T0,
      labels: { app: name },
    },
    spec,
  };
}

function entry(name: string, changes: unknown = null): AuditEntryInput {
  return {
    time: T0,
    actor: 'alice',
    verb: 'create',
    apiVersion: 'polis.example/v1',
    kind: 'Application',
    tenant: 'finance',
    name,
    outcome: 'success',
    code: 201,
    message: '',
    requestId: `req-${name}`,
    changes,
  };
}

/** Writes objects `names` (and one audit entry each) in one transaction, as the resource service would. */
async function write(store: Store, names: readonly string[], afterFirst?: () => Promise<void>): Promise<void> {
  await store.transaction(async (tx) => {
    for (const [i, name] of names.entries()) {
      const obj = object('Application', 'finance', name, await tx.nextRevision(), { n: i, note: 'ünïcødé ✓' });
      await tx.put(obj, 'ADDED');
      await tx.appendAudit(entry(name, { spec: { n: i } }));
      if (i === 0 && afterFirst) await afterFirst();
    }
  });
}

async function seed(store: Store): Promise<void> {
  await write(store, ['web', 'api']);
  await store.transaction(async (tx) => {
    await tx.put(object('Tenant', '', 'finance', await tx.nextRevision()), 'ADDED');
    await tx.put(
      {
        ...object('Secret', 'finance', 'db', await tx.nextRevision()),
        encryptedData: { v: 1, alg: 'AES-256-GCM', kid: 'abcd1234', iv: 'AAAA', tag: 'BBBB', ct: 'CCCC' },
      },
      'ADDED',
    );
    await tx.appendAudit(entry('finance'));
  });
  // An update and a delete, so revisions have gaps and a resourceVersion is not the creation's.
  await store.transaction(async (tx) => {
    const web = (await tx.get({ kind: 'Application', tenant: 'finance', name: 'web' }))!;
    await tx.put(
      { ...web, metadata: { ...web.metadata, resourceVersion: String(await tx.nextRevision()) } },
      'MODIFIED',
    );
    const api = (await tx.get({ kind: 'Application', tenant: 'finance', name: 'api' }))!;
    await tx.remove({ ...api, metadata: { ...api.metadata, resourceVersion: String(await tx.nextRevision()) } });
    await tx.appendAudit(entry('web'));
  });
}

async function backup(store: Store): Promise<Buffer> {
  const sink = new BufferSink();
  await writeBackup(store, sink, { polisVersion: 'test', sourceStore: 'sqlite', now: new Date(T0) });
  return sink.contents();
}

async function everything(store: Store): Promise<{ objects: string[]; audit: AuditEntry[]; revision: number }> {
  return store.readSnapshot(async (view) => {
    const objects: string[] = [];
    for await (const page of view.objects(2)) objects.push(...page);
    const audit: AuditEntry[] = [];
    for await (const page of view.audit(2)) audit.push(...page);
    return { objects, audit, revision: view.revision };
  });
}

/** The file's lines, changed by `edit`, gzipped again (a file altered by someone who can write gzip). */
function rewrite(file: Buffer, edit: (lines: string[]) => string[]): Buffer {
  const lines = gunzipSync(file).toString('utf8').split('\n');
  return gzipSync(Buffer.from(edit(lines).join('\n'), 'utf8'));
}

const refusal = async (p: Promise<unknown>): Promise<BackupFileError> => {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(BackupFileError);
  return e as BackupFileError;
};

forEachBackend('backup and restore', (backend) => {
  let source: Store;
  let target: Store;
  beforeEach(async () => {
    source = await backend.open();
    target = await backend.open();
  });
  afterEach(async () => {
    await source.close();
    await target.close();
  });

  it('restores every object (names, uids, resourceVersions) and the audit chain into an empty store', async () => {
    await seed(source);
    const before = await everything(source);
    const file = await backup(source);
    const result = await restoreBackup(target, Readable.from([file]));
    expect(result).toMatchObject({
      revision: before.revision,
      objects: 3,
      auditEntries: 4,
      secretKeyIds: ['abcd1234'],
    });
    expect(result.header.counts.objectsByKind).toEqual({ Application: 1, Secret: 1, Tenant: 1 });
    expect(await everything(target)).toEqual(before);
    expect(
      (await target.list({ kind: 'Application', labelSelector: [{ op: 'eq', key: 'app', value: 'web' }] })).items,
    ).toHaveLength(1);
  });

  it('carries the ledger: metering roll-ups, the last tick and closed cost days restore row for row', async () => {
    await seed(source);
    const sample = {
      tenant: 'finance',
      app: 'web',
      component: 'api',
      cluster: 'gov-east',
      replicas: 2,
      cpuRequest: 500,
      cpuLimit: 1000,
      cpuUsage: 120,
      cpuMax: 500,
      memRequest: 512,
      memLimit: 1024,
      memUsage: 300,
      memMax: 512,
      storage: 0,
    };
    const at = Date.parse('2026-12-01T00:01:00Z');
    expect(
      await source.ledger.recordMeterTick({
        at,
        since: undefined,
        buckets: [
          { period: 'hour', start: '2026-12-01T08', minutes: 1 },
          { period: 'day', start: '2026-12-01', minutes: 1 },
        ],
        samples: [sample],
        capacity: [{ cluster: 'gov-east', cpu: 16000, mem: 65536 }],
      }),
    ).toBe(true);
    const line = { day: '2026-12-01', cluster: 'gov-east', vendor: 'inspur', tenant: 'finance', app: 'web' };
    await source.ledger.closeCostDay(
      '2026-12-01',
      [{ day: '2026-12-01', cluster: 'gov-east', totalFen: 9_007_199_254 }],
      [
        { ...line, component: 'api', item: 'cpu', fen: 9_007_199_000 },
        { ...line, component: '', item: 'idle', fen: 254 },
      ],
    );
    const ledger = async (store: Store) => ({
      tick: await store.ledger.lastMeterTick(),
      hours: await store.ledger.meterRows({ period: 'hour', from: '2026-12-01T00', to: '2026-12-01T23' }),
      capacity: await store.ledger.capacityRows({ period: 'day', from: '2026-12-01', to: '2026-12-01' }),
      lines: await store.ledger.costLines({ from: '2026-12-01', to: '2026-12-01' }),
      totals: await store.ledger.costTotals({ from: '2026-12-01', to: '2026-12-01' }),
    });
    const before = await ledger(source);
    expect(before.lines).toHaveLength(2);
    const file = await backup(source);
    expect(gunzipSync(file).toString('utf8')).toContain('"formatVersion":4');
    const result = await restoreBackup(target, Readable.from([file]));
    // meter_usage × 2 periods, meter_capacity × 2, meter_state, cost_lines × 2, cost_days.
    expect(result.ledgerRows).toBe(8);
    expect(await ledger(target)).toEqual(before);
    // A version 1 file (no ledger) still restores, with an empty ledger.
    const third = await backend.open();
    try {
      const v1 = withChecksum(
        rewrite(file, (l) =>
          l
            .filter((x) => !x.startsWith('{"ledger"'))
            .map((x, i) =>
              i === 0 ? x.replace('"formatVersion":4', '"formatVersion":1').replace(/,"ledgerRows":\d+/, '') : x,
            )
            .map((x) => (x.startsWith('{"end"') ? x.replace(/,"ledgerRows":\d+/, '') : x)),
        ),
      );
      const old = await restoreBackup(third, Readable.from([v1]));
      expect([old.objects, old.ledgerRows]).toEqual([3, 0]);
      expect((await ledger(third)).lines).toEqual([]);
    } finally {
      await third.close();
    }
  });

  it('carries the alert tables: a restore brings back the firing alerts, the notification records and the windows', async () => {
    await seed(source);
    const firing = { key: 'job-failed|app=portal', rule: 'job-failed', state: 'firing', firedAt: 1, activeAt: 1 };
    await source.alertState.saveAlerts([
      { key: firing.key, tenant: 'finance', data: JSON.stringify(firing), updatedAt: 1_764_547_200_000 },
      { key: 'cluster-unreachable|cluster=gov-east', tenant: '', data: '{"state":"pending"}', updatedAt: 2 },
    ]);
    // One settled (no retry: a NULL that must come back NULL, not 0) and one still owed.
    await source.alertState.putNotification({ id: 1, tenant: 'finance', at: 10, nextRetryAt: null, data: '{"a":1}' });
    await source.alertState.putNotification({ id: 2, tenant: 'finance', at: 11, nextRetryAt: 99, data: '{"b":2}' });
    // The windows: a dictionary entry and a binary slot row (bytes past 127 too: base64 in the file).
    const [id] = await source.alertState.windowSeriesIds([{ tenant: 'finance', key: 'cpu{tenant="finance"}' }]);
    const data = new Uint8Array([2, 20, 200, 1, 255, 0, 7]);
    await source.alertState.saveWindows({
      put: [{ tenant: 'finance', windowMs: 300_000, slot: 7, data, updatedAt: 3 }],
      replaced: [],
      dropSeries: [],
      pruneBefore: 0,
    });
    const alertsOf = async (store: Store) => ({
      alerts: await store.alertState.loadAlerts(),
      records: await store.alertState.listNotifications(),
      owed: await store.alertState.listNotifications({ pending: true }),
      lastId: await store.alertState.lastNotificationId(),
      windows: await store.alertState.loadWindows(),
    });
    const before = await alertsOf(source);
    expect(before.owed.map((r) => r.id)).toEqual([2]);
    expect(before.windows.series).toEqual([{ id, tenant: 'finance', key: 'cpu{tenant="finance"}' }]);
    const file = await backup(source);
    const result = await restoreBackup(target, Readable.from([file]));
    expect(result.ledgerRows).toBe(6);
    const after = await alertsOf(target);
    expect(after).toEqual(before);
    expect([...after.windows.slots[0]!.data]).toEqual([...data]);
    // The next series the restored store names takes the next id.
    expect(await target.alertState.windowSeriesIds([{ tenant: 'finance', key: 'mem{tenant="finance"}' }])).toEqual([
      id! + 1,
    ]);

    // A version 3 file carries the windows as alert_windows rows of JSON: they restore there, and polis reads them.
    const at = Date.parse('2026-03-01T00:00:00Z');
    const bucket = Math.floor(at / 15_000);
    const v3row = {
      tenant: 'finance',
      window_ms: 300_000,
      slot: bucket % 20,
      data: JSON.stringify({ v: 1, slots: 20, buckets: [['cpu{tenant="finance"}', bucket, 1.5, 2, 1, 0.5]] }),
      updated_at: at,
    };
    const v3 = withChecksum(
      rewrite(file, (l) => [
        ...l
          .filter((x) => !/^\{"ledger":\{"table":"alert_(series|slots)"/.test(x) && !x.startsWith('{"end"'))
          .map((x, i) => (i === 0 ? x.replace('"formatVersion":4', '"formatVersion":3') : x)),
        JSON.stringify({ ledger: { table: 'alert_windows', row: v3row } }),
      ]),
    );
    const third = await backend.open();
    try {
      expect((await restoreBackup(third, Readable.from([v3]))).ledgerRows).toBe(5);
      const stored = await third.alertState.loadWindows();
      expect(stored).toMatchObject({ series: [], slots: [] });
      expect(stored.legacy).toEqual([
        { tenant: 'finance', windowMs: 300_000, slot: v3row.slot, data: v3row.data, updatedAt: at },
      ]);
      const windows = new RingSignalWindows();
      expect(new WindowCheckpoints(windows).load(stored, at)).toBe(1);
      expect(windows.aggregate('cpu{tenant="finance"}', 300_000, 'avg', at)).toBe(0.75);
    } finally {
      await third.close();
    }
  });

  it('carries the audit retention anchor: a chain pruned by retention restores and verifies from where it starts', async () => {
    await seed(source);
    const [first, second] = (await everything(source)).audit;
    await source.pruneAudit({ seq: 0, hash: GENESIS_HASH }, { seq: second!.seq, hash: second!.hash });
    expect(first!.seq).toBeLessThan(second!.seq);
    const before = await everything(source);
    expect(before.audit.map((e) => e.seq)).toEqual([3, 4]);
    const file = await backup(source);
    const result = await restoreBackup(target, Readable.from([file]));
    expect(result).toMatchObject({ auditEntries: 2, auditHead: { seq: 4 } });
    expect(await target.auditAnchor()).toEqual({ seq: second!.seq, hash: second!.hash });
    expect(await everything(target)).toEqual(before);
    // The next entry continues the chain from the restored head.
    await write(target, ['after']);
    const after = await everything(target);
    expect(after.audit.at(-1)).toMatchObject({ seq: 5, prevHash: before.audit.at(-1)!.hash });
  });

  it('continues revisions above the snapshot; history before it is gone', async () => {
    await seed(source);
    const revision = await source.currentRevision();
    await restoreBackup(target, Readable.from([await backup(source)]));
    expect(await target.currentRevision()).toBe(revision);
    expect(await target.changesSince(revision, 10)).toEqual([]);
    await expect(target.changesSince(revision - 1, 10)).rejects.toBeInstanceOf(GoneError);
    await write(target, ['after']);
    const events = await target.changesSince(revision, 10);
    expect(events.map((e) => e.revision)).toEqual([revision + 1]);
    // The chain goes on from the restored head.
    const audit = (await everything(target)).audit;
    expect(audit.at(-1)).toMatchObject({ seq: 5, prevHash: audit[3]!.hash });
  });

  it('backs up and restores an empty store', async () => {
    const result = await restoreBackup(target, Readable.from([await backup(source)]));
    expect(result).toMatchObject({ revision: 0, objects: 0, auditEntries: 0, auditHead: { hash: GENESIS_HASH } });
  });

  it('takes a write in flight during the backup wholly or not at all', async () => {
    await seed(source);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let firstPut!: () => void;
    const putDone = new Promise<void>((r) => (firstPut = r));
    // The write puts its first object, then waits inside its transaction until the backup has begun.
    const inFlight = write(source, ['pair-a', 'pair-b'], async () => {
      firstPut();
      await gate;
    });
    await putDone;
    const backingUp = backup(source);
    setImmediate(release);
    // Meanwhile more two-object writes commit while the snapshot is read.
    const more = Promise.all([1, 2, 3, 4, 5].map((i) => write(source, [`more-${i}-a`, `more-${i}-b`])));
    const [file] = await Promise.all([backingUp, inFlight, more]);
    await restoreBackup(target, Readable.from([file]));
    const { objects, audit, revision } = await everything(target);
    const names = objects.map((o) => (JSON.parse(o) as StoredObject).metadata.name);
    const pairs = names.filter((n) => n.startsWith('pair-') || n.startsWith('more-'));
    // Both halves of every write, or neither; each with its audit entries; nothing above the snapshot's revision.
    for (const n of pairs) expect(names).toContain(n.endsWith('-a') ? n.replace(/-a$/, '-b') : n.replace(/-b$/, '-a'));
    expect(
      audit
        .filter((a) => a.name.startsWith('pair-') || a.name.startsWith('more-'))
        .map((a) => a.name)
        .sort(),
    ).toEqual([...pairs].sort());
    for (const o of objects)
      expect(Number((JSON.parse(o) as StoredObject).metadata.resourceVersion)).toBeLessThanOrEqual(revision);
  });

  it('refuses to restore into a store that is not empty, and changes nothing there', async () => {
    await seed(source);
    const file = await backup(source);
    await write(target, ['existing']);
    const before = await everything(target);
    const e = await restoreBackup(target, Readable.from([file])).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ConflictError);
    expect((e as ConflictError).causes[0]).toMatchObject({
      code: 'StoreNotEmpty',
      params: { objects: 1, auditEntries: 1 },
    });
    expect(await everything(target)).toEqual(before);
  });

  it('refuses a damaged, cut-short, altered or tampered file with its reason, and leaves the store empty', async () => {
    await seed(source);
    const file = await backup(source);
    const damaged = Buffer.from(file);
    damaged[Math.floor(file.length / 2)]! ^= 0xff;
    const cases: Array<[string, Buffer, string]> = [
      ['damaged gzip', damaged, 'BackupCorrupt'],
      ['cut short', file.subarray(0, file.length - 20), 'BackupTruncated'],
      ['no end line', rewrite(file, (l) => l.filter((x) => !x.startsWith('{"end"'))), 'BackupTruncated'],
      ['not a backup', gzipSync(Buffer.from('hello\n')), 'BackupNotRecognized'],
      [
        'an object changed',
        rewrite(file, (l) => l.map((x) => x.replace('"ünïcødé ✓"', '"changed"'))),
        'BackupChecksumMismatch',
      ],
      [
        'a newer format',
        rewrite(file, (l) => [l[0]!.replace('"formatVersion":4', '"formatVersion":99'), ...l.slice(1)]),
        'BackupFormatUnsupported',
      ],
      [
        'an audit entry removed (checksum recomputed)',
        withChecksum(
          rewrite(file, (l) =>
            l.filter((x, i) => !(x.startsWith('{"audit"') && i === l.findIndex((y) => y.startsWith('{"audit"')) + 1)),
          ),
        ),
        'AuditChainBroken',
      ],
      [
        'an audit entry altered (checksum recomputed)',
        withChecksum(
          rewrite(file, (l) =>
            l.map((x) => (x.startsWith('{"audit"') ? x.replace('"actor":"alice"', '"actor":"mallory"') : x)),
          ),
        ),
        'AuditChainBroken',
      ],
    ];
    for (const [what, bytes, code] of cases) {
      const e = await refusal(restoreBackup(target, Readable.from([bytes])));
      expect(e.code, what).toBe(code);
      expect(e.causes[0]).toMatchObject({ path: 'file', code });
      expect((await everything(target)).objects, what).toEqual([]);
      expect(await target.currentRevision()).toBe(0);
    }
    // The untouched file still restores.
    await restoreBackup(target, Readable.from([file]));
  });

  it('verifies a file without a store', async () => {
    await seed(source);
    const result = await verifyBackup(Readable.from([await backup(source)]));
    expect(result).toMatchObject({ objects: 3, auditEntries: 4 });
  });
});

/** The file with its end line's checksum recomputed (and counts fixed), as a forger who knows the format would. */
function withChecksum(file: Buffer): Buffer {
  return rewrite(file, (lines) => {
    const body = lines.filter((l) => l !== '' && !l.startsWith('{"end"'));
    const header = JSON.parse(body[0]!) as { counts: { auditEntries: number; ledgerRows?: number } };
    const audit = body.filter((l) => l.startsWith('{"audit"')).length;
    header.counts.auditEntries = audit;
    // A file that counts its ledger rows (version 2 on) states the count again at the end.
    const ledgerRows = body.filter((l) => l.startsWith('{"ledger"')).length;
    const ledger = header.counts.ledgerRows === undefined ? {} : { ledgerRows };
    if (header.counts.ledgerRows !== undefined) header.counts.ledgerRows = ledgerRows;
    body[0] = JSON.stringify(header);
    const sha256 = createHash('sha256')
      .update(body.map((l) => `${l}\n`).join(''))
      .digest('hex');
    const objects = body.filter((l) => l.startsWith('{"object"')).length;
    return [
      ...body,
      JSON.stringify({ end: { objects, auditEntries: audit, ...ledger, sha256, secretKeyIds: [] } }),
      '',
    ];
  });
}

it('has both stores to run against', () => {
  expect(BACKENDS.map((b) => b.name)).toEqual(['sqlite', 'postgres']);
});
