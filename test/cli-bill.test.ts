import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readXlsx } from '../src/audit/xlsx.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';
import { cliUsers } from './support/cli-users.ts';

/** `polis bill` and `polis budget set` against a served polis with a closed day of costs for two departments. */
let t: TestPolis;
let home: string;

let cli: Awaited<ReturnType<typeof cliUsers>>;
const polis = (user: string, args: string[]) => cli.polis(user, args);

beforeAll(async () => {
  t = await startTestPolis({ listen: true });
  cli = await cliUsers(t, ['admin', 'edu-admin'], 'polis-cli-bill-');
  home = cli.home;
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
  cli?.remove();
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
