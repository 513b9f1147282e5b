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
  for (const user of ['admin', 'publisher', 'edu-staff', 'tax-admin', 'hrss-admin']) {
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
});
