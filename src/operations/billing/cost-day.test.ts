import { describe, expect, it } from 'vitest';
import type { StoredObject } from '../../resources/envelope.ts';
import { marketFees } from './billing-controller.ts';
import { costDay } from './cost-day.ts';

const obj = (kind: string, tenant: string, name: string, spec: unknown): StoredObject =>
  ({ apiVersion: 'market.polis.io/v1', kind, metadata: { name, tenant }, spec }) as unknown as StoredObject;

describe('a day of marketplace fees', () => {
  it('charges subscribers and credits the publisher, netting to zero', () => {
    const items = [
      obj('CatalogItem', '', 'pg', { publisher: 'vendor-a', price: { model: 'instance-month', amount: 310 } }),
      obj('CatalogItem', '', 'mq', { publisher: 'vendor-b', price: { model: 'binding-month', amount: 31 } }),
      obj('CatalogItem', '', 'free', { publisher: 'vendor-b', price: { model: 'free' } }),
    ];
    const instances = [
      obj('MarketInstance', 'platform', 'pg-shared', { item: 'pg', version: '1', shared: true }),
      obj('MarketInstance', 'edu', 'mq-edu', { item: 'mq', version: '1' }),
      obj('MarketInstance', 'edu', 'free-edu', { item: 'free', version: '1' }),
    ];
    const bindings = [
      obj('ServiceBinding', 'edu', 'a', { instance: 'pg-shared', shared: true, application: 'x' }),
      obj('ServiceBinding', 'tax', 'b', { instance: 'pg-shared', shared: true, application: 'y' }),
      obj('ServiceBinding', 'health', 'c', { instance: 'pg-shared', shared: true, application: 'z' }),
      obj('ServiceBinding', 'edu', 'd', { instance: 'mq-edu', application: 'x' }),
      obj('ServiceBinding', 'edu', 'e', { instance: 'mq-edu', application: 'y' }),
    ];
    const fees = marketFees(items, instances, bindings);
    const day = costDay({
      day: '2026-12-05',
      dayOfMonth: 5,
      daysInMonth: 31,
      hours: 24,
      clusters: [],
      usage: [],
      capacity: [],
      basis: 'max',
      idle: 'line',
      pools: new Map(),
      poolOf: () => undefined,
      fees,
    });
    const of = (tenant: string, item: string) =>
      day.lines.filter((l) => l.tenant === tenant && l.item === item).reduce((s, l) => s + l.fen, 0);
    // ¥310 a month is ¥10 a day, split over three subscribers: 334 + 333 + 333 fen.
    expect([of('edu', 'marketplace') - 200, of('tax', 'marketplace'), of('health', 'marketplace')].sort()).toEqual([
      333, 333, 334,
    ]);
    expect(of('vendor-a', 'marketplace-credit')).toBe(-1000);
    // Two bindings of edu at ¥31 a month: ¥1 a day each.
    expect(of('vendor-b', 'marketplace-credit')).toBe(-200);
    expect(day.lines.reduce((s, l) => s + l.fen, 0)).toBe(0);
    expect(day.totals).toEqual([{ day: '2026-12-05', cluster: '', totalFen: 0 }]);
  });
});

describe('a marketplace fee over part of a day', () => {
  const day = { start: Date.parse('2026-12-04T16:00:00Z'), end: Date.parse('2026-12-05T16:00:00Z') };
  const at = (o: StoredObject, created?: string, deleted?: string): StoredObject =>
    ({
      ...o,
      metadata: {
        ...o.metadata,
        ...(created ? { creationTimestamp: created } : {}),
        ...(deleted ? { deletionTimestamp: deleted } : {}),
      },
    }) as StoredObject;
  const items = [
    obj('CatalogItem', '', 'pg', { publisher: 'vendor-a', price: { model: 'instance-month', amount: 310 } }),
  ];

  it('counts the hours an instance existed: made at noon, deleted at 18:00, a quarter of the day', () => {
    const fees = marketFees(
      items,
      [
        at(
          obj('MarketInstance', 'edu', 'a', { item: 'pg', version: '1' }),
          '2026-12-05T04:00:00Z',
          '2026-12-05T10:00:00Z',
        ),
        // Made after the day: nothing for it.
        at(obj('MarketInstance', 'tax', 'b', { item: 'pg', version: '1' }), '2026-12-05T17:00:00Z'),
      ],
      [],
      day,
    );
    expect(fees.map((f) => [f.subscribers, f.fraction])).toEqual([[['edu'], 0.25]]);
    const lines = costDay({
      day: '2026-12-05',
      dayOfMonth: 5,
      daysInMonth: 31,
      hours: 24,
      clusters: [],
      usage: [],
      capacity: [],
      basis: 'max',
      idle: 'line',
      pools: new Map(),
      poolOf: () => undefined,
      fees,
    }).lines;
    // ¥10 a day × 1/4 = 250 fen, debited to edu and credited to the publisher.
    expect(lines.map((l) => [l.tenant, l.item, l.fen])).toEqual([
      ['edu', 'marketplace', 250],
      ['vendor-a', 'marketplace-credit', -250],
    ]);
  });
});
