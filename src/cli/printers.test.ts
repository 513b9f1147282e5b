import { describe, expect, it } from 'vitest';
import { age, displayWidth, formatTable, valueAt } from './printers.ts';

describe('age', () => {
  const now = new Date('2026-11-24T12:00:00Z');
  const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000).toISOString();

  it('reads like kubectl: seconds, minutes, hours, days, years', () => {
    expect(age(ago(5), now)).toBe('5s');
    expect(age(ago(3 * 60 + 20), now)).toBe('3m');
    expect(age(ago(2 * 3600 + 59 * 60), now)).toBe('2h');
    expect(age(ago(4 * 86_400 + 3600), now)).toBe('4d');
    expect(age(ago(800 * 86_400), now)).toBe('2y');
  });

  it('says so when the time is missing, unreadable or in the future', () => {
    expect(age(undefined, now)).toBe('<unknown>');
    expect(age('yesterday', now)).toBe('<invalid>');
    expect(age(ago(-3600), now)).toBe('<invalid>');
  });
});

describe('valueAt', () => {
  const obj = { spec: { components: [{ name: 'web' }, { name: 'api' }], quota: { cpu: '64' } } };

  it('follows dotted paths, array indexes and .length', () => {
    expect(valueAt(obj, 'spec.quota.cpu')).toBe('64');
    expect(valueAt(obj, 'spec.components.length')).toBe(2);
    expect(valueAt(obj, 'spec.components[1].name')).toBe('api');
    expect(valueAt(obj, 'status.phase')).toBeUndefined();
  });
});

describe('formatTable', () => {
  it('counts Chinese characters as two columns so the next column lines up', () => {
    expect(displayWidth('教育局')).toBe(6);
    const text = formatTable(
      ['NAME', 'ZH', 'AGE'],
      [
        ['edu', '教育局', '5s'],
        ['samr', '市场监管局', '6s'],
      ],
    );
    const lines = text.trimEnd().split('\n');
    const ageColumn = lines.map((l) => displayWidth(l.slice(0, l.lastIndexOf(' ') + 1)));
    expect(new Set(ageColumn).size).toBe(1);
  });
});
