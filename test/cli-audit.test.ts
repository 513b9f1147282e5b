import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRetention } from '../src/audit/retention.ts';
import { readXlsx } from '../src/audit/xlsx.ts';
import { ManualClock } from '../src/kernel/clock.ts';
import type { TestPolis } from './support/test-polis.ts';
import type { CliRun } from './support/cli-users.ts';
import { runCaptured } from './support/cli-users.ts';
import { startTestPolis } from './support/test-polis.ts';

/** `polis audit export` and `polis audit verify FILE…`: an export verifies against the chain; a changed one does not. */
let t: TestPolis;
let home: string;

function polis(args: string[], user = 'auditor'): Promise<CliRun> {
  return runCaptured(args, home, { POLIS_SERVER: t.polis.url!, POLIS_TOKEN: t.tokens[user]! });
}

beforeAll(async () => {
  t = await startTestPolis({ listen: true });
  home = mkdtempSync(join(tmpdir(), 'polis-cli-audit-'));
  const r = await t.request('POST', '/apis/core.oam.dev/v1beta1/tenants/edu/applications', {
    token: t.tokens['edu-admin'],
    body: {
      apiVersion: 'core.oam.dev/v1beta1',
      kind: 'Application',
      metadata: { name: 'school-meals', tenant: 'edu' },
      spec: { components: [{ name: 'web', type: 'webservice', properties: { image: 'nginx:1.27' } }] },
    },
  });
  expect(r.statusCode).toBe(201);
});

afterAll(async () => {
  await t?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('polis audit export and verify', () => {
  it('exports CSV and XLSX that verify against the live chain, and refuses a changed one', async () => {
    const csv = await polis(['audit', 'export', '--system', '-f', 'all.csv']);
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stdout).toMatch(/\d+ entries written to all\.csv \(chain head \d+, hash [0-9a-f]{64}\)/);
    const xlsx = await polis(['audit', 'export', '--lang', 'zh-CN', '-f', 'people.xlsx']);
    expect(xlsx.code, xlsx.stderr).toBe(0);
    expect([...readXlsx(readFileSync(join(home, 'people.xlsx'))).keys()]).toEqual(['审计日志', 'chain']);

    const ok = await polis(['audit', 'verify', 'all.csv', 'people.xlsx']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/all\.csv: \d+ entries verify; chain head \d+ is in the live chain/);

    // A department admin verifies its own export the same way.
    expect((await polis(['audit', 'export', '-f', 'edu.csv'], 'edu-admin')).code).toBe(0);
    expect((await polis(['audit', 'verify', 'edu.csv'], 'edu-admin')).code).toBe(0);

    const text = readFileSync(join(home, 'all.csv'), 'utf8');
    writeFileSync(join(home, 'changed.csv'), text.replace('"school-meals"', '"school-lunch"'));
    const bad = await polis(['audit', 'verify', 'changed.csv', '--offline']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/changed\.csv: entry \d+: its fields do not give its hash/);
  });

  it('verifies the archives and the live chain together after retention pruned a prefix', async () => {
    const archiveDir = join(home, 'archive');
    // Retention run as if 200 days had passed: every entry so far is older than 180 days.
    const later = new ManualClock(new Date(Date.now() + 200 * 86_400_000));
    const r = await runRetention({ store: t.polis.store, clock: later, archiveDir, retentionDays: 180 });
    expect(r.archived).toBeGreaterThan(0);
    // The chain goes on after the cut.
    const del = await t.request('DELETE', '/apis/core.oam.dev/v1beta1/tenants/edu/applications/school-meals', {
      token: t.tokens['edu-admin'],
    });
    expect(del.statusCode).toBe(200);
    const files = readdirSync(archiveDir).map((f) => join('archive', f));
    const v = await polis(['audit', 'verify', ...files]);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout).toMatch(/archives: 1 files, entries 1\.\.\d+ chain from the first entry/);
    expect(v.stdout).toMatch(/live chain: entries \d+\.\.\d+ verify from the archives' last entry/);
    // The export made before the cut still verifies, its pruned rows against the archive.
    const old = await polis(['audit', 'verify', 'all.csv', ...files]);
    expect(old.code, old.stderr).toBe(0);
    // Without the archive, the pruned rows cannot be checked: said, not passed.
    const missing = await polis(['audit', 'verify', 'all.csv']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/was archived: give its archive file too/);
  });
});
