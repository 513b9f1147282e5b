import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';
import { cliUsers } from './support/cli-users.ts';

/** `polis market …` against a served polis: the seed catalog applied, reviewed and read as a department sees it. */
let t: TestPolis;

let cli: Awaited<ReturnType<typeof cliUsers>>;
const polis = (user: string, args: string[]) => cli.polis(user, args);

beforeAll(async () => {
  t = await startTestPolis({ listen: true });
  cli = await cliUsers(t, ['admin', 'publisher', 'edu-staff', 'tax-admin', 'hrss-admin'], 'polis-cli-market-');
});

afterAll(async () => {
  await t?.stop();
  cli?.remove();
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

  it('shares an API between departments: share, list, subscribe, approve, revoke, refuse', async () => {
    const share = await polis('tax-admin', [
      'market',
      'share',
      'invoice-verify',
      ...[
        '--app',
        'e-invoice',
        '--component',
        'gateway',
        '--port',
        '8443',
        '--zh',
        '发票查验',
        '--en',
        'Invoice check',
      ],
      ...['-n', 'tax'],
    ]);
    expect(share.code, share.stderr).toBe(0);
    const apis = await polis('hrss-admin', ['market', 'apis']);
    expect(apis.stdout).toContain('tax\tinvoice-verify\t发票查验\tInvoice check');
    const sub = await polis('hrss-admin', [
      'market',
      'subscribe',
      'tax/invoice-verify',
      ...['--app', 'social-security-query', '-n', 'hrss'],
    ]);
    expect(sub.code, sub.stderr).toBe(0);
    expect(sub.stdout).toContain('apisubscription/tax-invoice-verify requested');
    // Only the owner decides; without --api the argument is a catalog version, so "/" without --api is refused.
    const selfApprove = await polis('hrss-admin', [
      'market',
      'approve',
      'hrss/tax-invoice-verify',
      ...['--api', 'invoice-verify', '-n', 'tax'],
    ]);
    expect(selfApprove.code).not.toBe(0);
    const approve = ['market', 'approve', 'hrss/tax-invoice-verify', '--api', 'invoice-verify', '-n', 'tax'];
    expect((await polis('tax-admin', approve)).stdout).toContain('approved');
    const read = await t.request('GET', '/apis/market.polis.io/v1/tenants/hrss/apisubscriptions/tax-invoice-verify', {
      token: t.adminToken,
    });
    expect(read.json().status.decision).toMatchObject({ verdict: 'approve', by: 'tax-admin' });
    const revoke = [
      'market',
      'revoke',
      'hrss/tax-invoice-verify',
      '--api',
      'invoice-verify',
      '-n',
      'tax',
      '-m',
      '到期',
    ];
    expect((await polis('tax-admin', revoke)).stdout).toContain('revoked');
    const refuseAfter = await polis('tax-admin', [
      'market',
      'refuse',
      'hrss/tax-invoice-verify',
      ...['--api', 'invoice-verify', '-n', 'tax'],
    ]);
    expect(refuseAfter.code).not.toBe(0);
    expect(refuseAfter.stderr).toContain('Revoked');
  });

  it('copies a department’s instances to another department, refuses a department admin outside their own, lists the copies', async () => {
    const mi = await t.request('POST', '/api/v1/apply', {
      token: t.adminToken,
      body: {
        apiVersion: 'market.polis.io/v1',
        kind: 'MarketInstance',
        metadata: { name: 'db', tenant: 'edu' },
        spec: { item: 'postgresql', version: '16.4.0' },
      },
    });
    expect(mi.statusCode, mi.body).toBe(200);
    const denied = await polis('tax-admin', ['market', 'copy', 'edu', '--to', 'tax']);
    expect(denied.code).not.toBe(0);
    expect(
      (await polis('admin', ['market', 'copy', 'edu', '--to', 'tax', '--set', 'db.replicas', '--dry-run'])).stderr,
    ).toContain('INSTANCE.PARAMETER=VALUE');
    const dry = await polis('admin', ['market', 'copy', 'edu', '--to', 'tax', '--set', 'db.replicas=2', '--dry-run']);
    expect(dry.stdout, dry.stderr).toContain('marketinstance/tax/db copied from edu/db (dry run)');
    const copy = await polis('admin', ['market', 'copy', 'edu', '--to', 'tax', '--set', 'db.replicas=2']);
    expect(copy.stdout, copy.stderr).toBe('marketinstance/tax/db copied from edu/db\n');
    const copies = await polis('admin', ['market', 'copies']);
    expect(copies.stdout).toContain('edu/db\ttax\tdb\tpostgresql\t16.4.0\t16.4.0\tno');
    expect((await polis('tax-admin', ['market', 'copies'])).stdout).not.toContain('\tedu\t');
    expect((await polis('admin', ['market', 'upgrade-copies', 'edu/db'])).stdout).toContain('nothing to upgrade');
  });
});
