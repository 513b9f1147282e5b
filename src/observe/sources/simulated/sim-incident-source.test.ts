import { describe, expect, it } from 'vitest';
import { declaredAppHolding } from '../../topology/declared-apps.ts';
import type { StoredObject } from '../../../resources/envelope.ts';
import { DeclaredCallsMemo, declaredCallsOf, type DeclaredHolding } from './sim-incident-source.ts';

/** An application as the store holds it: a web front whose environment names its API and a shared service. */
function app(tenant: string, name: string, apiHost = 'api', vendor?: string): StoredObject {
  return {
    apiVersion: 'core.oam.dev/v1beta1',
    kind: 'Application',
    metadata: { name, tenant, ...(vendor ? { labels: { 'polis.io/vendor': vendor } } : {}) },
    spec: {
      components: [
        {
          name: 'web',
          type: 'webservice',
          properties: { image: 'x', env: [{ name: 'API', value: `http://${apiHost}:9000` }] },
        },
        { name: 'api', type: 'webservice', properties: { image: 'x' }, dependsOn: ['db'] },
        { name: 'db', type: 'webservice', properties: { image: 'x' } },
      ],
    },
  } as unknown as StoredObject;
}
const held = (objs: StoredObject[]): DeclaredHolding[] => objs.map((o) => declaredAppHolding(o));

describe('DeclaredCallsMemo (the incident scrape’s declared calls, remembered between scrapes)', () => {
  it('answers what a computation gives, computing again only when an application’s declared part changes', () => {
    const memo = new DeclaredCallsMemo();
    const first = held([app('edu', 'portal'), app('tax', 'invoice', 'db', 'acme')]);
    const a = memo.of(first);
    expect(a).toEqual(declaredCallsOf(first));
    expect(a.calls.get('edu--portal/web')).toEqual(['edu--portal/api']);
    expect(memo.of(first)).toBe(a);
    // The index gives a new holding object for an application written again unchanged (a status write): same calls.
    const rewritten = held([app('edu', 'portal'), app('tax', 'invoice', 'db', 'acme')]);
    expect(memo.of(rewritten)).toBe(a);
    expect(memo.computed).toBe(1);
    // A changed environment, a vendor, an application added or removed: computed again, equal to a fresh computation.
    for (const next of [
      held([app('edu', 'portal', 'db'), app('tax', 'invoice', 'db', 'acme')]),
      held([app('edu', 'portal', 'db'), app('tax', 'invoice', 'db', 'other')]),
      held([app('edu', 'portal', 'db'), app('tax', 'invoice', 'db', 'other'), app('samr', 'license')]),
      held([app('edu', 'portal', 'db')]),
    ]) {
      const before = memo.computed;
      const got = memo.of(next);
      expect(memo.computed).toBe(before + 1);
      expect(got).toEqual(declaredCallsOf(next));
    }
    expect(memo.of(held([app('edu', 'portal', 'db')])).calls.get('edu--portal/web')).toEqual(['edu--portal/db']);
    expect(memo.computed).toBe(5);
  });
});
