import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/kernel/config.ts';
import { startPolis } from '../src/main.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'polis-restart-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('a restart on the same data folder', () => {
  it('keeps objects, the secret key, the admin token and the demo city, and creates none of them twice', async () => {
    const config = loadConfig({ POLIS_DATA_DIR: dataDir, POLIS_DEMO: 'true', POLIS_LOG_LEVEL: 'silent' });
    const first = await startPolis(config, { controllers: false });
    expect(first.adminTokenFile).toBe(join(dataDir, 'admin.token'));
    expect(first.demoTokensFile).toBe(join(dataDir, 'demo-tokens.json'));
    expect(statSync(join(dataDir, 'secret.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'demo-tokens.json')).mode & 0o777).toBe(0o600);
    const admin = readFileSync(first.adminTokenFile!, 'utf8').trim();
    const auth = { authorization: `Bearer ${admin}`, 'content-type': 'application/json' };
    const created = await first.app.inject({
      method: 'POST',
      url: '/apis/polis.io/v1/tenants/edu/secrets',
      headers: auth,
      payload: JSON.stringify({
        apiVersion: 'polis.io/v1',
        kind: 'Secret',
        metadata: { name: 'survives' },
        stringData: { k: 'v-after-restart' },
      }),
    });
    expect(created.statusCode).toBe(201);
    const revision = await first.store.currentRevision();
    await first.stop();

    const second = await startPolis(config, { controllers: false });
    expect(second.adminTokenFile).toBeUndefined();
    expect(second.demoTokensFile).toBeUndefined();
    expect(await second.store.currentRevision()).toBe(revision);
    const read = await second.app.inject({
      method: 'GET',
      url: '/apis/polis.io/v1/tenants/edu/secrets/survives',
      headers: auth,
    });
    expect(read.statusCode).toBe(200);
    expect(Buffer.from((read.json() as { data: { k: string } }).data.k, 'base64').toString()).toBe('v-after-restart');
    const verify = await second.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: auth });
    expect(verify.json()).toMatchObject({ ok: true });
    await second.stop();
  });

  it('refuses to start with a key that cannot be a secret key, saying what is accepted', async () => {
    await expect(
      startPolis(loadConfig({ POLIS_DATA_DIR: dataDir, POLIS_SECRET_KEY: 'too-short', POLIS_LOG_LEVEL: 'silent' })),
    ).rejects.toThrow(/base64|hex/);
  });

  it('refuses invalid configuration naming the variable', () => {
    expect(() => loadConfig({ POLIS_PORT: 'eighty' })).toThrow(/POLIS_PORT/);
    expect(() => loadConfig({ POLIS_LOG_LEVEL: 'loud' })).toThrow(/POLIS_LOG_LEVEL/);
  });
});
