import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/kernel/clock.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/**
 * Issue 16 point 7 end to end: a priced item's fee is debited to the subscribing department and credited to the
 * publisher, for the part of the day each instance existed, including one deleted before the day was closed (its
 * life rebuilt from the audit log).
 */
let t: TestPolis;
const clock = new ManualClock('2026-12-05T04:00:00Z'); // 12:00 in the city (UTC+8)
const M = '/apis/market.polis.io/v1';

async function ok(method: string, url: string, body?: unknown, token = t.adminToken) {
  const r = await t.request(method, url, { token, body });
  expect(r.statusCode, `${method} ${url}: ${r.body}`).toBeLessThan(300);
  return r;
}

beforeAll(async () => {
  t = await startTestPolis({ clock });
  await ok('POST', '/api/v1/apply', [
    {
      apiVersion: 'market.polis.io/v1',
      kind: 'MarketPolicy',
      metadata: { name: 'default' },
      spec: { allowedRegistries: ['registry.example.gov.cn'] },
    },
    {
      apiVersion: 'market.polis.io/v1',
      kind: 'CatalogItem',
      metadata: { name: 'paid-db' },
      spec: {
        type: 'middleware',
        displayName: { zh: '付费库', en: 'Paid DB' },
        description: { zh: '付费库', en: 'Paid DB' },
        categories: ['database'],
        licence: 'Apache-2.0',
        publisher: 'vendor-x',
        architectures: ['amd64'],
        price: { model: 'instance-month', amount: 310, currency: 'CNY' },
      },
    },
    {
      apiVersion: 'market.polis.io/v1',
      kind: 'CatalogItemVersion',
      metadata: { name: 'paid-db-1-0-0' },
      spec: {
        item: 'paid-db',
        version: '1.0.0',
        template: {
          components: [
            {
              name: 'db',
              type: 'webservice',
              properties: { image: 'registry.example.gov.cn/library/pg:16', cpu: '100m', memory: '64Mi' },
            },
          ],
        },
        parameters: { type: 'object', properties: {} },
      },
    },
  ]);
  await ok('POST', `${M}/catalogitemversions/paid-db-1-0-0/submit`, undefined, t.tokens.publisher);
  await ok('POST', `${M}/catalogitemversions/paid-db-1-0-0/approve`, {});
}, 60_000);

afterAll(async () => {
  await t?.stop();
});

describe('marketplace fees in the bill', () => {
  it('debits each subscriber for the hours its instance existed and credits the publisher the same', async () => {
    const instance = (tenant: string) => ({
      apiVersion: 'market.polis.io/v1',
      kind: 'MarketInstance',
      metadata: { name: 'db', tenant },
      spec: { item: 'paid-db', version: '1.0.0' },
    });
    await ok('POST', '/api/v1/apply', [instance('edu'), instance('tax')]);
    clock.set('2026-12-05T10:00:00Z'); // 18:00: edu deletes its instance
    await ok('DELETE', `${M}/tenants/edu/marketinstances/db`);
    clock.set('2026-12-05T17:00:00Z'); // 01:00 the next day: the 5th is over
    const day = await t.polis.billing.costOf('2026-12-05');
    const market = day.lines.filter((l) => l.cluster === '').map((l) => [l.tenant, l.item, l.fen]);
    // ¥310 a month is ¥10 a day: edu ran 6 h (¥2.50), tax 12 h (¥5.00); vendor-x is credited ¥7.50.
    expect(market.sort()).toEqual([
      ['edu', 'marketplace', 250],
      ['tax', 'marketplace', 500],
      ['vendor-x', 'marketplace-credit', -750],
    ]);
    expect(day.lines.filter((l) => l.cluster === '').reduce((s, l) => s + l.fen, 0)).toBe(0);
  });
});
