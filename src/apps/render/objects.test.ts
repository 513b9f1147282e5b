import { describe, expect, it } from 'vitest';
import { copyJson } from './objects.ts';

describe('copyJson', () => {
  it('copies plain data deeply, sharing nothing with the original', () => {
    const env = [
      { name: 'A', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
      { name: 'B', value: 'x' },
    ];
    const copy = copyJson(env);
    expect(copy).toStrictEqual(env);
    copy[0]!.valueFrom!.secretKeyRef.name = 'changed';
    (copy[1] as { value?: string }).value = 'y';
    expect(env[0]!.valueFrom!.secretKeyRef.name).toBe('s');
    expect(env[1]!.value).toBe('x');
  });

  it('copies what is not plain data as structuredClone does, and an own __proto__ key as a key', () => {
    const at = new Date(0);
    const copy = copyJson({ at, list: [1, 'two', null, true] });
    expect(copy.at).not.toBe(at);
    expect(copy.at.getTime()).toBe(0);
    const parsed = JSON.parse('{"__proto__": {"polluted": true}, "x": 1}') as Record<string, unknown>;
    const p = copyJson(parsed);
    expect(Object.getPrototypeOf(p)).toBe(Object.prototype);
    expect(Object.keys(p)).toEqual(['__proto__', 'x']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
