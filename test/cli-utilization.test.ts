import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_OFFSET_MINUTES, intervalKeys } from '../src/operations/metering/meter-buckets.ts';
import type { MeterSample } from '../src/resources/ledger-store.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';
import { cliUsers } from './support/cli-users.ts';

/** `polis utilization` against a served polis (controllers off) with a metered minute of two departments. */
let t: TestPolis;
let cli: Awaited<ReturnType<typeof cliUsers>>;
const polis = (user: string, args: string[]) => cli.polis(user, args);

function use(tenant: string, cpu: number): MeterSample {
  return {
    tenant,
    app: 'portal',
    component: 'web',
    cluster: 'gov-east',
    replicas: 2,
    cpuRequest: cpu,
    cpuLimit: 0,
    cpuUsage: cpu / 4,
    cpuMax: cpu,
    memRequest: 2048,
    memLimit: 0,
    memUsage: 1024,
    memMax: 2048,
    storage: 0,
  };
}

beforeAll(async () => {
  t = await startTestPolis({ listen: true });
  cli = await cliUsers(t, ['admin', 'edu-admin'], 'polis-cli-utilization-');
  const now = Date.now();
  const keys = intervalKeys(now, DEFAULT_OFFSET_MINUTES);
  const recorded = await t.polis.store.ledger.recordMeterTick({
    at: now,
    since: await t.polis.store.ledger.lastMeterTick(),
    buckets: [
      { period: 'hour', start: keys.hour, minutes: 1 },
      { period: 'day', start: keys.day, minutes: 1 },
      { period: 'month', start: keys.month, minutes: 1 },
    ],
    samples: [use('edu', 2000), use('tax', 6000)],
    capacity: [{ cluster: 'gov-east', cpu: 16_000, mem: 65_536 }],
  });
  expect(recorded).toBe(true);
});

afterAll(async () => {
  await t?.stop();
  cli?.remove();
});

describe('polis utilization', () => {
  it("prints a department's requested and used per interval, and only its own share of a cluster", async () => {
    const own = await polis('edu-admin', ['utilization']);
    expect(own.code).toBe(0);
    expect(own.stdout).toContain('department edu, 24h by hour');
    expect(own.stdout).not.toContain('tax');
    const last = own.stdout.trim().split('\n').at(-1)!.split('\t');
    expect(last.slice(1, 3)).toEqual(['2.00', '0.50']);
    const clusters = await polis('edu-admin', ['utilization', '--clusters', '--range', '7d']);
    expect(clusters.stdout).toContain('cluster gov-east, 7d by day');
    // edu's 2 cores only, and no capacity column value.
    expect(clusters.stdout.trim().split('\n').at(-1)!.split('\t').slice(1, 5)).toEqual(['2.00', '0.50', '-', '-']);
  });

  it("shows the data bureau every department and each cluster's capacity", async () => {
    const all = await polis('admin', ['utilization', '--clusters', '-o', 'json']);
    const body = JSON.parse(all.stdout) as {
      departments: { tenant: string }[];
      clusters: { cluster: string; requested: { cpu: number[] }; capacity: { cpu: number[] } }[];
    };
    expect(body.departments.map((d) => d.tenant)).toEqual(expect.arrayContaining(['edu', 'tax']));
    const east = body.clusters.find((c) => c.cluster === 'gov-east')!;
    expect(east.requested.cpu.at(-1)).toBe(8);
    expect(east.capacity.cpu.at(-1)).toBe(16);
  });

  it('refuses a bad range here, and a step the range cannot have at the server', async () => {
    const bad = await polis('admin', ['utilization', '--range', '3w']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--range 3w is not valid');
    const hours = await polis('admin', ['utilization', '--range', '60d', '--step', 'hour']);
    expect(hours.code).toBe(2);
    expect(hours.stderr).toContain('query.step');
  });
});
