import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/run-cli.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/** `polis market …` against a served polis: the seed catalog applied, reviewed and read as a department sees it. */
let t: TestPolis;
let home: string;

async function polis(user: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    stdin: Readable.from([]),
    env: { HOME: home, POLIS_CONFIG: join(home, user, 'config.json') },
    cwd: home,
  });
  return { code, stdout, stderr };
}

beforeAll(async () => {
  t = await startTestPolis({ listen: true });
  home = mkdtempSync(join(tmpdir(), 'polis-cli-market-'));
  for (const user of ['admin', 'publisher', 'edu-staff']) {
    const file = join(home, `${user}.token`);
    writeFileSync(file, `${t.tokens[user]}\n`);
    const r = await polis(user, ['login', t.polis.url!, '--token-file', file]);
    expect(r.code, r.stderr).toBe(0);
  }
});

afterAll(async () => {
  await t?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('polis market', () => {
  it('applies the seed catalog, submits, refuses a reviewer without the right, approves, and lists the released catalog', async () => {
    const dir = join(import.meta.dirname, '..', 'examples', 'market');
    expect((await polis('admin', ['apply', '-f', dir])).code).toBe(0);
    expect((await polis('publisher', ['market', 'submit', 'postgresql-16-4-0'])).stdout).toContain('Submitted');
    const denied = await polis('publisher', ['market', 'approve', 'postgresql-16-4-0']);
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain('review');
    expect((await polis('admin', ['market', 'approve', 'postgresql-16-4-0', '-m', '通过'])).stdout).toContain(
      'Released',
    );
    const catalog = await polis('edu-staff', ['market', 'catalog']);
    expect(catalog.code).toBe(0);
    expect(catalog.stdout).toContain('postgresql\tmiddleware\tactive\t¥200/binding-month\t16.4.0\tPostgreSQL 数据库');
    expect(catalog.stdout).not.toContain('redis');
    expect((await polis('edu-staff', ['market', 'reject', 'redis-7-2-0'])).code).not.toBe(0);
  });
});
