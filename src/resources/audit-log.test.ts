import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { applicationDoc } from '../../bench/support/oam-fixtures.ts';
import { auditHash, canonicalJson, GENESIS_HASH, jsonAndCanonical } from './audit-log.ts';

/** The canonical form as first written (map, filter, join): every hash in every chain was made with it. */
function reference(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${reference(obj[k])}`).join(',')}}`;
}

describe('canonicalJson', () => {
  it('writes the same text as the form every stored hash was made with', () => {
    // eslint-disable-next-line no-sparse-arrays
    const holes = [1, , 3];
    const values: unknown[] = [
      null,
      undefined,
      0,
      -0,
      1.5e-7,
      'text with "quotes", \\ and 教育局',
      true,
      [],
      {},
      [undefined, null, { b: 1, a: [2, { d: undefined, c: 'x' }] }],
      holes,
      { z: undefined, y: null, '': 1, é: 2, a: { b: { c: [[], {}] } } },
      new Date(0),
      applicationDoc(3, 7, 'note'),
      { changes: { spec: applicationDoc(0, 0).spec, status: { phase: 'Running' } }, time: '2026-12-07T00:00:00.000Z' },
    ];
    for (const v of values) expect(canonicalJson(v)).toBe(reference(v));
  });

  it('links an entry to the same hash as before', () => {
    const entry = {
      time: '2026-12-07T00:00:00.000Z',
      actor: 'alice',
      verb: 'create',
      apiVersion: 'core.oam.dev/v1beta1',
      kind: 'Application',
      tenant: 'edu',
      name: 'portal',
      outcome: 'success' as const,
      code: 201,
      message: '',
      requestId: 'r1',
      changes: applicationDoc(1, 2) as unknown,
    };
    const hash = auditHash(GENESIS_HASH, 1, entry);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    // The same link computed over the reference form.
    expect(hash).toBe(
      createHash('sha256')
        .update(`${GENESIS_HASH}\n1\n${reference(entry)}`)
        .digest('hex'),
    );
  });

  it('links the same hash from a canonical text given beside the entry, and leaves out a field holding undefined', () => {
    const entry = {
      time: '2026-12-07T00:00:00.000Z',
      actor: 'alice',
      verb: 'create',
      apiVersion: 'core.oam.dev/v1beta1',
      kind: 'Application',
      tenant: 'edu',
      name: 'portal',
      outcome: 'success' as const,
      code: 201,
      message: undefined as unknown as string,
      requestId: 'r1',
      changes: applicationDoc(1, 2) as unknown,
    };
    const expected = createHash('sha256')
      .update(`${GENESIS_HASH}\n1\n${reference(entry)}`)
      .digest('hex');
    expect(auditHash(GENESIS_HASH, 1, entry)).toBe(expected);
    expect(auditHash(GENESIS_HASH, 1, entry, jsonAndCanonical(entry.changes).canonical)).toBe(expected);
    const none = { ...entry, changes: undefined };
    expect(auditHash(GENESIS_HASH, 2, none)).toBe(
      createHash('sha256')
        .update(`${GENESIS_HASH}\n2\n${reference(none)}`)
        .digest('hex'),
    );
  });
});

describe('jsonAndCanonical', () => {
  it('gives the JSON text and the canonical form of the value as it reads back, for any value', () => {
    class Point {
      readonly x: number;
      readonly y: number;
      constructor(x: number, y: number) {
        this.x = x;
        this.y = y;
      }
      get sum(): number {
        return this.x + this.y;
      }
    }
    // eslint-disable-next-line no-sparse-arrays
    const holes = [1, , 3];
    const values: unknown[] = [
      null,
      undefined,
      0,
      -0,
      NaN,
      'text with "quotes", \\ and 教育局 \ud800',
      [],
      {},
      [undefined, null, () => 1, { b: 1, a: [2, { d: undefined, c: 'x', f: () => 2 }] }],
      { b: 1, a: [2, { c: 'x', e: [true, false, null, -1.5e300] }] },
      { b: -0, a: Infinity },
      { toJSON: 'not a function' },
      holes,
      { z: undefined, y: null, '': 1, é: 2, 10: 'ten', 9: 'nine', a: { b: { c: [[], {}] } } },
      new Date(0),
      { at: new Date(0), nested: { toJSON: () => ({ shown: { b: 2, a: 1 } }) } },
      { point: new Point(1, 2), constructor: 'a key named like a method', toString: 'another' },
      JSON.parse('{"__proto__": {"b": 1, "a": 2}, "x": {"y": 1}}'),
      Object.assign(Object.create(null) as object, { b: 1, a: { d: 1, c: 2 } }),
      applicationDoc(3, 7, 'note'),
      { changes: { spec: applicationDoc(0, 0).spec, status: { phase: 'Running' } }, time: '2026-12-07T00:00:00.000Z' },
    ];
    for (const v of values) {
      const { read, json, canonical } = jsonAndCanonical(v);
      expect(json).toBe(JSON.stringify(v) ?? 'null');
      expect(canonical).toBe(reference(JSON.parse(json)));
      // As JSON values: an own key holding undefined counts as absent.
      expect(read).toEqual(JSON.parse(json));
    }
  });
});
