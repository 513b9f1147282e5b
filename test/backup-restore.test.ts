import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restoreBackup, verifyBackup } from '../src/backup/backup-restore.ts';
import { loadConfig } from '../src/kernel/config.ts';
import { startPolis } from '../src/main.ts';
import type { AuditEntry } from '../src/resources/audit-log.ts';
import { openPostgresStore } from '../src/resources/postgres/postgres-store.ts';
import { openSqliteStore } from '../src/resources/sqlite/sqlite-store.ts';
import type { Store } from '../src/resources/store.ts';
import { generateSecretKey } from '../src/tenancy/secret-cipher.ts';
import { BACKENDS, createPostgresTestSchema } from './setup/backends.ts';
import { skipTitle } from './support/skip.ts';
import type { TestPolis } from './support/test-polis.ts';
import type { CliRun } from './support/cli-users.ts';
import { cliOnce } from './support/cli-users.ts';
import { startTestPolis } from './support/test-polis.ts';

const pgAvailable = BACKENDS.find((b) => b.name === 'postgres')!.available;
const SECRET = { apiVersion: 'polis.io/v1', kind: 'Secret', metadata: { name: 'db' }, stringData: { pw: 'Zh3ngWu!' } };

async function contents(store: Store): Promise<{ objects: string[]; audit: AuditEntry[]; revision: number }> {
  return store.readSnapshot(async (view) => {
    const objects: string[] = [];
    for await (const page of view.objects(500)) objects.push(...page);
    const audit: AuditEntry[] = [];
    for await (const page of view.audit(500)) audit.push(...page);
    return { objects, audit, revision: view.revision };
  });
}

/** Runs the CLI in-process with captured output and no saved login. */
function cli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return cliOnce(args, env);
}

describe('online backup through the API', () => {
  let t: TestPolis;
  const key = generateSecretKey();
  let file: Buffer;
  let atBackup: Awaited<ReturnType<typeof contents>>;

  beforeAll(async () => {
    t = await startTestPolis({ backend: 'sqlite', config: { secretKey: key } });
    const created = await t.request('POST', '/apis/polis.io/v1/tenants/edu/secrets', {
      token: t.tokens['edu-admin'],
      body: SECRET,
    });
    expect(created.statusCode).toBe(201);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('is refused to anyone but a platform-admin, and the refusal is audited', async () => {
    for (const user of ['edu-admin', 'auditor', 'vendor-dev']) {
      const r = await t.request('GET', '/api/v1/backup', { token: t.tokens[user] });
      expect(r.statusCode, user).toBe(403);
      expect(r.json()).toMatchObject({ reason: 'Forbidden' });
    }
    const audit = await t.request('GET', '/api/v1/audit?kind=Backup&outcome=denied', { token: t.adminToken });
    expect((audit.json() as { items: unknown[] }).items.length).toBeGreaterThanOrEqual(3);
  });

  it('gives a platform-admin one gzip file of everything, audited with its revision and checksum', async () => {
    atBackup = await contents(t.polis.store);
    const r = await t.request('GET', '/api/v1/backup', { token: t.adminToken });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('application/gzip');
    expect(r.headers['content-disposition']).toMatch(
      /^attachment; filename="polis-backup-\d{8}T\d{6}Z-r\d+\.polis-backup\.gz"$/,
    );
    file = r.rawPayload;
    const checked = await verifyBackup(Readable.from([file]));
    expect(checked.revision).toBe(atBackup.revision);
    expect(checked.objects).toBe(atBackup.objects.length);
    expect(checked.header.source.store).toBe('sqlite');
    expect(r.headers['x-polis-backup-sha256']).toBe(checked.sha256);
    // Sealed, never opened: the value is in no form in the file.
    const text = (await import('node:zlib')).gunzipSync(file).toString('utf8');
    expect(text).not.toContain('Zh3ngWu');
    expect(text).not.toContain(Buffer.from('Zh3ngWu!').toString('base64'));
    expect(text).toContain('"encryptedData"');
    const audit = await t.request('GET', '/api/v1/audit?kind=Backup&verb=backup&outcome=success', {
      token: t.adminToken,
    });
    const entries = (audit.json() as { items: AuditEntry[] }).items;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      actor: 'admin',
      changes: { revision: checked.revision, sha256: checked.sha256 },
    });
    const metrics = await t.request('GET', '/metrics', { token: t.adminToken });
    expect(metrics.body).toMatch(/polis_backup_last_success_timestamp_seconds [1-9]/);
  });

  it.skipIf(!pgAvailable)(
    skipTitle(
      'migrates SQLite to PostgreSQL: objects equal, chain verifies, a sealed secret opens with the same key',
      !pgAvailable && 'no PostgreSQL',
    ),
    async () => {
      const schema = await createPostgresTestSchema();
      const dataDir = mkdtempSync(join(tmpdir(), 'polis-restored-'));
      try {
        const pg = await openPostgresStore(schema.url);
        try {
          const restored = await restoreBackup(pg, Readable.from([file]));
          expect(restored.header.source.store).toBe('sqlite');
          const after = await contents(pg);
          expect(after.objects).toEqual(atBackup.objects);
          expect(after.revision).toBe(atBackup.revision);
          // The source's chain as it was at the snapshot, entry for entry.
          expect(after.audit).toEqual(atBackup.audit);
        } finally {
          await pg.close();
        }
        const config = loadConfig(
          {},
          { dataDir, databaseUrl: schema.url, secretKey: key, demo: false, logLevel: 'silent' },
        );
        const polis = await startPolis(config, { controllers: false });
        try {
          const get = (url: string) =>
            polis.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${t.adminToken}` } });
          // The restored token works, the chain verifies, the secret opens.
          expect((await get('/api/v1/audit/verify')).json()).toMatchObject({ ok: true });
          const secret = (await get('/apis/polis.io/v1/tenants/edu/secrets/db')).json() as {
            data: Record<string, string>;
          };
          expect(Buffer.from(secret.data.pw!, 'base64').toString()).toBe('Zh3ngWu!');
          const apps = (await get('/apis/core.oam.dev/v1beta1/applications')).json() as { items: unknown[] };
          expect(apps.items.length).toBeGreaterThan(0);
          // New writes continue above the snapshot's revision.
          const write = await polis.app.inject({
            method: 'POST',
            url: '/apis/polis.io/v1/tenants/edu/secrets',
            headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/json' },
            payload: JSON.stringify({ ...SECRET, metadata: { name: 'after' } }),
          });
          expect(write.statusCode).toBe(201);
          expect(Number((write.json() as { metadata: { resourceVersion: string } }).metadata.resourceVersion)).toBe(
            atBackup.revision + 1,
          );
        } finally {
          await polis.stop();
        }
      } finally {
        await schema.drop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  );

  it('polis restore loads a file into an empty data folder, refuses a non-empty one and a damaged file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'polis-cli-restore-'));
    try {
      const path = join(dir, 'b.polis-backup.gz');
      writeFileSync(path, file);
      const damaged = Buffer.from(file);
      damaged[damaged.length - 30]! ^= 0x55;
      writeFileSync(join(dir, 'damaged.gz'), damaged);
      const target = join(dir, 'data');

      const bad = await cli(['restore', join(dir, 'damaged.gz'), '--data-dir', target]);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/\((BackupCorrupt|BackupChecksumMismatch|BackupTruncated)\)/);

      const ok = await cli(['restore', path, '--data-dir', target], { POLIS_SECRET_KEY: key });
      expect(ok.stderr).toBe('');
      expect(ok.code).toBe(0);
      expect(ok.stdout).toContain('chain verified');
      expect(ok.stdout).toMatch(/opens the restored secrets/);

      const again = await cli(['restore', path, '--data-dir', target]);
      expect(again.code).toBe(5);
      expect(again.stderr).toContain('StoreNotEmpty');

      const store = await openSqliteStore(join(target, 'polis.db'));
      try {
        const after = await contents(store);
        expect(after.objects).toEqual(atBackup.objects);
        // The backup's chain, then the restore's own entry.
        expect(after.audit.slice(0, -1)).toEqual(atBackup.audit);
        expect(after.audit.at(-1)).toMatchObject({ verb: 'restore', kind: 'Backup', name: 'b.polis-backup.gz' });
      } finally {
        await store.close();
      }

      // A local backup of the restored folder, and a warning when the key does not match.
      const local = await cli(['backup', join(dir, 'local.polis-backup.gz'), '--local', '--data-dir', target]);
      expect(local.code).toBe(0);
      expect(local.stdout).toContain('backup written');
      const other = await cli(['restore', join(dir, 'local.polis-backup.gz'), '--data-dir', join(dir, 'other')], {
        POLIS_SECRET_KEY: generateSecretKey(),
      });
      expect(other.code).toBe(0);
      expect(other.stderr).toContain('SecretKeyMismatch');
      expect(readFileSync(join(dir, 'local.polis-backup.gz')).length).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
