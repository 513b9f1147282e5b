import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { applicationDoc } from '../../bench/support/oam-fixtures.ts';
import { auditHash, canonicalJson, GENESIS_HASH } from './audit-log.ts';

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
});
