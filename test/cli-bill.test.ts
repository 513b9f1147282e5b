import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readXlsx } from '../src/audit/xlsx.ts';
import { runCli } from '../src/cli/run-cli.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/** `polis bill` and `polis budget set` against a served polis with a closed day of costs for two departments. */
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
  home = mkdtempSync(join(tmpdir(), 'polis-cli-bill-'));
  const tokens: Record<string, string> = { ...t.tokens, admin: t.adminToken };
  for (const user of ['admin', 'edu-admin']) {
    const file = join(home, `${user}.token`);
    writeFileSync(file, `${tokens[user]}\n`);
    const r = await polis(user, ['login', t.polis.url!, '--token-file', file]);
    expect(r.code, r.stderr).toBe(0);
  }
  const line = (tenant: string, app: string, fen: number) => ({
    day: '2026-11-03',
    cluster: 'gov-east',
    vendor: 'inspur',
    tenant,
    app,
    component: 'web',
    item: 'cpu',
    fen,
  });
  await t.polis.store.ledger.closeCostDay(
    '2026-11-03',
    [{ day: '2026-11-03', cluster: 'gov-east', totalFen: 16_234 }],
    [line('edu', 'enrolment-portal', 12_345), line('tax', 'e-invoice', 3_889)],
  );
});

afterAll(async () => {
  await t?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('polis bill and budget', () => {
  it("shows a department its bill, exports it, and shows the data bureau every department's total", async () => {
    const own = await polis('edu-admin', ['bill', '--month', '2026-11']);
    expect(own.code, own.stderr).toBe(0);
    expect(own.stdout).toContain('enrolment-portal\tgov-east\tinspur\tcpu\t123.45');
    expect(own.stdout).toContain('total ¥123.45');
    expect(own.stdout).not.toContain('e-invoice');
    const exported = await polis('edu-admin', ['bill', '--month', '2026-11', '--export', 'xlsx', '-f', 'edu.xlsx']);
    expect(exported.code, exported.stderr).toBe(0);
    const rows = readXlsx(readFileSync(join(home, 'edu.xlsx'))).get('lines')!;
    expect(rows[1]).toEqual(['edu', '2026-11', 'enrolment-portal', 'gov-east', 'inspur', 'cpu', '123.45']);
    const all = await polis('admin', ['bill', '--month', '2026-11']);
    expect(all.stdout).toContain('edu\t2026-11\t1\t123.45');
    expect(all.stdout).toContain('tax\t2026-11\t1\t38.89');
    const other = await polis('edu-admin', ['bill', '-n', 'tax', '--month', '2026-11']);
    expect(other.code).toBe(3);
    const bad = await polis('edu-admin', ['bill', '--month', '2026-13']);
    expect(bad.code).toBe(2);
  });

  it('sets a budget', async () => {
    const r = await polis('edu-admin', ['budget', 'set', '20000', '-n', 'edu']);
    expect(r.code, r.stderr).toBe(0);
    const budget = await t.request('GET', '/apis/polis.io/v1/tenants/edu/budgets/monthly', { token: t.adminToken });
    expect(budget.json()).toMatchObject({ spec: { amount: 20000 } });
    expect((await polis('edu-admin', ['budget', 'set', '12.345', '-n', 'edu'])).code).toBe(2);
  });
});
