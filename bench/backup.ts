/**
 * Backup and restore throughput on both stores, and the restore time of a whole estate (the RTO's store part).
 *
 * Seeds BENCH_OBJECTS (10,000) Applications of the bench estate's shape (3 components, a placement policy, a
 * status), each written with its audit entry as the resource service writes them, 500 per transaction; then backs
 * the store up into a file (one consistent snapshot), restores the file into an empty store of the same kind, and
 * restores the SQLite backup into PostgreSQL (the migration path). Baseline, same run: seeding the same objects
 * through ordinary store transactions.
 *
 *   npm run bench:backup          BENCH_OBJECTS=10000 BENCH_BACKENDS=sqlite,postgres
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { restoreBackup } from '../src/backup/backup-restore.ts';
import { writeBackup } from '../src/backup/backup-writer.ts';
import { openPostgresStore } from '../src/resources/postgres/postgres-store.ts';
import { openSqliteStore } from '../src/resources/sqlite/sqlite-store.ts';
import type { Store } from '../src/resources/store.ts';
import { findPostgresBin, startTempPostgres, type TempPostgres } from '../test/setup/temp-postgres.ts';
import { appDoc } from './support/estate.ts';
import { envInt, figure, printFigures, round, writeResult, type Figure } from './support/results.ts';

const OBJECTS = envInt('BENCH_OBJECTS', 10_000);
const BACKENDS = (process.env.BENCH_BACKENDS ?? 'sqlite,postgres').split(',').map((s) => s.trim());
const PER_TX = 500;
const T0 = '2026-01-01T00:00:00.000Z';

type Backend = 'sqlite' | 'postgres';

interface Opened {
  readonly store: Store;
  readonly drop: () => Promise<void>;
}

const work = mkdtempSync(join(tmpdir(), 'polis-bench-backup-'));
let pg: TempPostgres | undefined;
let schemas = 0;

async function open(backend: Backend): Promise<Opened> {
  if (backend === 'sqlite') {
    const dir = mkdtempSync(join(work, 'sqlite-'));
    const store = await openSqliteStore(join(dir, 'polis.db'));
    return { store, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const { default: pgClient } = await import('pg');
  const schema = `bench_backup_${schemas++}`;
  const admin = new pgClient.Client({ connectionString: pg!.url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = new URL(pg!.url);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const store = await openPostgresStore(url.toString());
  return { store, drop: async () => undefined };
}

/** Seeds OBJECTS Applications with one audit entry each; returns objects per second. */
async function seed(store: Store): Promise<number> {
  const started = performance.now();
  for (let first = 0; first < OBJECTS; first += PER_TX) {
    await store.transaction(async (tx) => {
      for (let i = first; i < Math.min(OBJECTS, first + PER_TX); i++) {
        const doc = appDoc(i % 20, i);
        const revision = await tx.nextRevision();
        await tx.put(
          {
            ...doc,
            metadata: {
              ...doc.metadata,
              uid: `uid-${i}`,
              resourceVersion: String(revision),
              generation: 1,
              creationTimestamp: T0,
              labels: { 'app.polis.io/service': `app-${i}` },
            },
            status: {
              phase: 'Running',
              placement: [{ cluster: `bench-${String(i % 12).padStart(2, '0')}`, replicas: 5 }],
              observedGeneration: 1,
            },
          },
          'ADDED',
        );
        await tx.appendAudit({
          time: T0,
          actor: 'bench',
          verb: 'create',
          apiVersion: 'core.oam.dev/v1beta1',
          kind: 'Application',
          tenant: doc.metadata.tenant,
          name: doc.metadata.name,
          outcome: 'success',
          code: 201,
          message: '',
          requestId: `bench-${i}`,
          changes: { spec: doc.spec },
        });
      }
    });
  }
  return OBJECTS / ((performance.now() - started) / 1000);
}

async function backupTo(store: Store, file: string, source: Backend): Promise<{ seconds: number; bytes: number }> {
  const started = performance.now();
  await writeBackup(store, createWriteStream(file), { polisVersion: 'bench', sourceStore: source, now: new Date() });
  return { seconds: (performance.now() - started) / 1000, bytes: statSync(file).size };
}

async function restoreInto(backend: Backend, file: string): Promise<number> {
  const target = await open(backend);
  try {
    const started = performance.now();
    await restoreBackup(target.store, createReadStream(file));
    return (performance.now() - started) / 1000;
  } finally {
    await target.store.close();
    await target.drop();
  }
}

const figures: Figure[] = [];
const notes: string[] = [];
const files = new Map<Backend, string>();
try {
  if (BACKENDS.includes('postgres')) {
    const bin = findPostgresBin();
    if (bin) pg = await startTempPostgres(bin);
    else notes.push('PostgreSQL binaries not found under /usr/lib/postgresql: the PostgreSQL runs were SKIPPED');
  }
  for (const backend of BACKENDS as Backend[]) {
    if (backend === 'postgres' && !pg) continue;
    const source = await open(backend);
    try {
      const seedRate = await seed(source.store);
      const file = join(work, `${backend}.polis-backup.gz`);
      files.set(backend, file);
      const b = await backupTo(source.store, file, backend);
      const restoreSeconds = await restoreInto(backend, file);
      const baseline = `seeding the same objects with their audit entries through store transactions of ${PER_TX}: ${round(seedRate, 0)} objects/s`;
      figures.push(
        figure({
          metric: `${backend}: backup throughput`,
          value: round(OBJECTS / b.seconds, 0),
          unit: 'objects/s',
          baseline,
        }),
        figure({ metric: `${backend}: backup time, ${OBJECTS} objects`, value: round(b.seconds, 2), unit: 's' }),
        figure({ metric: `${backend}: backup file size`, value: round(b.bytes / 2 ** 20, 2), unit: 'MiB' }),
        figure({
          metric: `${backend}: restore throughput`,
          value: round(OBJECTS / restoreSeconds, 0),
          unit: 'objects/s',
          baseline,
        }),
        figure({
          metric: `${backend}: restore time (RTO, store part), ${OBJECTS} objects`,
          value: round(restoreSeconds, 2),
          unit: 's',
        }),
      );
    } finally {
      await source.store.close();
      await source.drop();
    }
  }
  const fromSqlite = files.get('sqlite');
  if (fromSqlite && pg) {
    const seconds = await restoreInto('postgres', fromSqlite);
    figures.push(
      figure({
        metric: `SQLite backup restored into PostgreSQL (migration), ${OBJECTS} objects`,
        value: round(seconds, 2),
        unit: 's',
      }),
    );
  }
} finally {
  pg?.stop();
  rmSync(work, { recursive: true, force: true });
}

printFigures(`backup (${OBJECTS} Applications, each with its audit entry)`, figures);
const out = await writeResult({
  benchmark: 'backup',
  command: 'npm run bench:backup',
  figures,
  parameters: { objects: OBJECTS, auditEntries: OBJECTS, backends: BACKENDS, seedTransactionSize: PER_TX },
  notes: [
    ...notes,
    'PostgreSQL is a throwaway server on the same machine with fsync off (as in the tests); SQLite is WAL with synchronous=FULL',
    'restore time covers reading, checking and loading the file and verifying the audit chain again as loaded, in one transaction; starting polis on the restored store comes on top',
  ],
});
console.log(`wrote ${out}`);
