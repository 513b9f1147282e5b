import { describe, expect, it } from 'vitest';
import { applyMergePatch, createMergePatch, jsonEqual } from './merge-patch.ts';

describe('jsonEqual', () => {
  it('compares JSON values structurally, whatever the key order', () => {
    expect(jsonEqual({ a: 1, b: { c: [1, { d: 'x' }] } }, { b: { c: [1, { d: 'x' }] }, a: 1 })).toBe(true);
    expect(jsonEqual({ a: 1 }, { a: 2 })).toBe(false);
    expect(jsonEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(jsonEqual({ a: 1, b: 2 }, { a: 1 })).toBe(false);
    expect(jsonEqual({ a: 1, b: 2 }, { a: 1, c: 2 })).toBe(false);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual([1, 2], [1, 2, 3])).toBe(false);
    expect(jsonEqual([], {})).toBe(false);
    expect(jsonEqual({}, [])).toBe(false);
    expect(jsonEqual(null, {})).toBe(false);
    expect(jsonEqual({}, null)).toBe(false);
    expect(jsonEqual('1', 1)).toBe(false);
    expect(jsonEqual(null, null)).toBe(true);
    expect(jsonEqual({ a: null }, { a: undefined })).toBe(false);
  });

  it('counts a key holding undefined as absent, on either side', () => {
    expect(jsonEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(jsonEqual({ a: 1 }, { a: 1, b: undefined })).toBe(true);
    expect(jsonEqual({ a: undefined }, { b: undefined })).toBe(true);
    expect(jsonEqual({ a: 1, b: undefined }, { a: 1, c: 2 })).toBe(false);
  });

  it('reads own keys only, not the prototype chain', () => {
    expect(jsonEqual({ toString: 1 }, {})).toBe(false);
    expect(jsonEqual({}, { toString: 1 })).toBe(false);
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 });
    expect(jsonEqual(bare, { a: 1 })).toBe(true);
  });
});

describe('merge patches', () => {
  it('creates the patch that turns one object into the other, and applies it', () => {
    const from = { a: 1, b: { c: 2, d: 3 }, e: [1] };
    const to = { a: 1, b: { c: 2 }, e: [1, 2], f: 'x' };
    const patch = createMergePatch(from, to);
    expect(patch).toEqual({ b: { d: null }, e: [1, 2], f: 'x' });
    expect(applyMergePatch(from, patch)).toEqual(to);
    expect(createMergePatch(to, { ...to })).toBeUndefined();
  });
});
