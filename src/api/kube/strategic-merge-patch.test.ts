import { describe, expect, it } from 'vitest';
import { listRuleOf } from './kube-list-keys.ts';
import { strategicMerge } from './strategic-merge-patch.ts';

const rules = (path: string) => listRuleOf('Application', path);
const app = () => ({
  metadata: { name: 'a', finalizers: ['polis.io/delivery'], labels: { x: '1' } },
  spec: {
    components: [
      {
        name: 'web',
        type: 'webservice',
        properties: { image: 'nginx:1.27', env: [{ name: 'A', value: '1' }] },
        traits: [
          { type: 'scaler', properties: { replicas: 1 } },
          { type: 'gateway', properties: { domain: 'a.gov.cn' } },
        ],
      },
      { name: 'db', type: 'worker', properties: { image: 'pg:16' } },
    ],
  },
});

describe('strategic merge patch', () => {
  it('merges components by name, traits by type and env by name, keeping what the patch does not name', () => {
    const out = strategicMerge(
      app(),
      {
        spec: {
          components: [
            {
              name: 'web',
              properties: { image: 'nginx:1.28', env: [{ name: 'B', value: '2' }] },
              traits: [{ type: 'scaler', properties: { replicas: 3 } }],
            },
            { name: 'cache', type: 'worker', properties: { image: 'redis:7' } },
          ],
        },
      },
      rules,
    );
    expect(out.spec).toEqual({
      components: [
        {
          name: 'web',
          type: 'webservice',
          properties: {
            image: 'nginx:1.28',
            env: [
              { name: 'A', value: '1' },
              { name: 'B', value: '2' },
            ],
          },
          traits: [
            { type: 'scaler', properties: { replicas: 3 } },
            { type: 'gateway', properties: { domain: 'a.gov.cn' } },
          ],
        },
        { name: 'db', type: 'worker', properties: { image: 'pg:16' } },
        { name: 'cache', type: 'worker', properties: { image: 'redis:7' } },
      ],
    });
  });

  it('deletes an item with $patch: delete, replaces a list or a map with $patch: replace, removes a key with null', () => {
    const out = strategicMerge(
      app(),
      {
        metadata: { labels: { x: null, y: '2' } },
        spec: {
          components: [
            { name: 'db', $patch: 'delete' },
            { name: 'web', traits: [{ type: 'gateway', properties: { domain: 'b.gov.cn' } }, { $patch: 'replace' }] },
          ],
        },
      },
      rules,
    );
    expect(out.metadata).toMatchObject({ labels: { y: '2' } });
    expect((out.spec as { components: unknown[] }).components).toEqual([
      expect.objectContaining({ name: 'web', traits: [{ type: 'gateway', properties: { domain: 'b.gov.cn' } }] }),
    ]);
    const replaced = strategicMerge(app(), { spec: { $patch: 'replace', components: [{ name: 'only' }] } }, rules);
    expect(replaced.spec).toEqual({ components: [{ name: 'only' }] });
  });

  it('orders with $setElementOrder, merges finalizers as a set, deletes from it with $deleteFromPrimitiveList', () => {
    const out = strategicMerge(
      app(),
      {
        metadata: { finalizers: ['a/b'], '$deleteFromPrimitiveList/finalizers': ['polis.io/delivery'] },
        spec: { '$setElementOrder/components': [{ name: 'db' }, { name: 'web' }] },
      },
      rules,
    );
    expect((out.metadata as { finalizers: string[] }).finalizers).toEqual(['a/b']);
    expect((out.spec as { components: { name: string }[] }).components.map((c) => c.name)).toEqual(['db', 'web']);
  });

  it('replaces lists without a merge key whole, as a JSON merge patch does', () => {
    const out = strategicMerge({ spec: { hosts: ['a', 'b'] } }, { spec: { hosts: ['c'] } }, () => undefined);
    expect(out).toEqual({ spec: { hosts: ['c'] } });
  });

  it('refuses a keyed item without its key and an unknown directive, naming the path and code', () => {
    const keyless = () => strategicMerge(app(), { spec: { components: [{ type: 'worker' }] } }, rules);
    expect(keyless).toThrow(expect.objectContaining({ status: 400 }));
    try {
      keyless();
    } catch (e) {
      expect((e as { causes: unknown[] }).causes[0]).toMatchObject({
        path: 'body.spec.components[0]',
        code: 'StrategicMergeKeyMissing',
        params: { key: 'name' },
      });
    }
    expect(() => strategicMerge(app(), { spec: { $patch: 'sideways' } }, rules)).toThrow(/sideways/);
  });
});
