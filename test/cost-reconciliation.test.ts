import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/**
 * The reconciliation route breaks each day and cluster into allocations, idle and shared, so the console can show
 * allocations + idle + shared = total (docs/console.md, "Cost").
 */
let t: TestPolis;

beforeAll(async () => {
  t = await startTestPolis();
  const line = (tenant: string, app: string, item: string, fen: number) => ({
    day: '2026-11-03',
    cluster: 'gov-east',
    vendor: 'inspur',
    tenant,
    app,
    component: app ? 'web' : '',
    item,
    fen,
  });
  await t.polis.store.ledger.closeCostDay(
    '2026-11-03',
    [{ day: '2026-11-03', cluster: 'gov-east', totalFen: 54_260 }],
    [
      line('edu', 'enrolment-portal', 'cpu', 10_832),
      line('edu', 'pg', 'shared', 2_708),
      line('tax', 'e-invoice', 'cpu', 17_692),
      line('tax', 'pg', 'shared', 2_708),
      line('', '', 'idle', 20_320),
    ],
  );
});

afterAll(async () => {
  await t?.stop();
});

describe('the cost reconciliation', () => {
  it('gives each day and cluster its allocations, idle and shared, adding up to the total to the fen', async () => {
    const r = await t.request('GET', '/api/v1/cost-reconciliation?month=2026-11', { token: t.adminToken });
    expect(r.statusCode).toBe(200);
    const body = r.json() as { balanced: boolean; items: Record<string, unknown>[] };
    expect(body.balanced).toBe(true);
    expect(body.items).toEqual([
      {
        day: '2026-11-03',
        cluster: 'gov-east',
        totalFen: 54_260,
        linesFen: 54_260,
        allocatedFen: 28_524,
        idleFen: 20_320,
        sharedFen: 5_416,
      },
    ]);
  });
});
