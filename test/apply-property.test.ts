import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/**
 * Drives POST /api/v1/apply with generated documents, valid and broken in every way a person breaks them, and
 * checks the contract: never a 5xx; a 2xx stores exactly what was sent; a 4xx names a path for every problem and
 * stores nothing at all.
 */
let t: TestPolis;

beforeAll(async () => {
  t = await startTestPolis();
});
afterAll(async () => {
  await t?.stop();
});

const goodName = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}[a-z0-9]$/);
const anyName = fc.oneof(
  goodName,
  fc.string({ maxLength: 70 }),
  fc.constantFrom('', 'UPPER', 'a_b', 'x'.repeat(64), '-lead', 'trail-'),
);
const quantity = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('100m', '1', '0.5', '250m') },
  fc.string({ maxLength: 6 }),
  fc.integer({ min: -5, max: 5 }),
);
/** Mostly the valid value, sometimes a broken one: most requests then hold 0 or 1 problem. */
const mostly = <T, U>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<U>) =>
  fc.oneof({ weight: 12, arbitrary: good }, { weight: 1, arbitrary: bad });
const component = fc.record(
  {
    name: mostly(goodName, anyName),
    type: fc.constantFrom('webservice', 'worker', 'task'),
    properties: fc.record(
      { image: fc.constantFrom('nginx:1.27', 'registry.example.gov.cn/edu/app:1'), cpu: quantity },
      { requiredKeys: ['image'] },
    ),
    traits: fc.array(
      fc.record({
        type: fc.constant('scaler'),
        properties: fc.record({ replicas: mostly(fc.nat(5), fc.constantFrom(-1, '2', 1.5)) }),
      }),
      { maxLength: 1 },
    ),
  },
  { requiredKeys: ['name', 'type'] },
);
const application = fc.record({
  apiVersion: mostly(fc.constant('core.oam.dev/v1beta1'), fc.constantFrom('v1', 'core.oam.dev/v1')),
  kind: mostly(fc.constant('Application'), fc.constantFrom('Widget', 'application')),
  metadata: fc.record({
    name: mostly(goodName, anyName),
    tenant: mostly(fc.constant('edu'), fc.constantFrom('tax', 'Edu')),
  }),
  spec: mostly(
    fc.record({ components: fc.array(component, { minLength: 1, maxLength: 3 }) }),
    fc.constantFrom(undefined, 'spec', { components: [] }),
  ),
});
const secret = fc.record({
  apiVersion: fc.constant('polis.io/v1'),
  kind: fc.constant('Secret'),
  metadata: fc.record({ name: goodName, tenant: fc.constant('edu') }),
  stringData: fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9_.-]{0,10}$/), fc.string({ maxLength: 20 }), {
    maxKeys: 3,
  }),
});
const docs = fc.array(fc.oneof({ weight: 4, arbitrary: application }, { weight: 1, arbitrary: secret }), {
  minLength: 1,
  maxLength: 3,
});

describe('apply, driven by generated documents', () => {
  it('stores all of a valid request exactly, or nothing of an invalid one, and says where every problem is', async () => {
    let accepted = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(docs, async (documents) => {
        const before = await t.polis.store.currentRevision();
        const r = await t.request('POST', '/api/v1/apply', {
          token: t.tokens['edu-admin'],
          body: JSON.stringify(documents),
        });
        expect(r.statusCode).toBeLessThan(500);
        if (r.statusCode >= 400) {
          refused++;
          const body = r.json() as { kind: string; causes: Array<{ path: string; message: string }> };
          expect(body.kind).toBe('Status');
          if (r.statusCode !== 403 && r.statusCode !== 409) {
            expect(body.causes.length).toBeGreaterThan(0);
            for (const c of body.causes) expect(c.path.length > 0 && c.message.length > 0).toBe(true);
          }
          expect(await t.polis.store.currentRevision()).toBe(before);
          return;
        }
        accepted++;
        expect(r.statusCode).toBe(200);
        for (const d of documents as Array<{
          kind: string;
          metadata: { name: string; tenant: string };
          spec?: unknown;
          stringData?: Record<string, string>;
        }>) {
          const path =
            d.kind === 'Secret'
              ? `/apis/polis.io/v1/tenants/edu/secrets/${d.metadata.name}`
              : `/apis/core.oam.dev/v1beta1/tenants/edu/applications/${d.metadata.name}`;
          const got = await t.request('GET', path, { token: t.tokens['edu-admin'] });
          expect(got.statusCode).toBe(200);
          const obj = got.json() as { spec?: unknown; data?: Record<string, string> };
          if (d.kind === 'Secret') {
            const decoded = Object.fromEntries(
              Object.entries(obj.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
            );
            expect(decoded).toEqual(d.stringData);
          } else expect(obj.spec).toEqual(d.spec);
        }
      }),
      { numRuns: 200, seed: 20261124 },
    );
    // The generators must exercise both sides of the contract.
    expect(accepted).toBeGreaterThan(40);
    expect(refused).toBeGreaterThan(40);
  });
});
