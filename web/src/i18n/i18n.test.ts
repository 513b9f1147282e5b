import { describe, expect, it } from 'vitest';
import { en } from './en.ts';
import { localName, translate } from './i18n.tsx';
import { zh } from './zh.ts';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('the console’s words', () => {
  it('has every key in both languages, and nothing in one that is not in the other', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zh).sort());
  });
  it('has no empty text in either language', () => {
    for (const dict of [zh, en]) for (const [k, v] of Object.entries(dict)) expect(v.trim(), k).not.toBe('');
  });
  it('uses the same placeholders in both languages for every key', () => {
    for (const k of Object.keys(zh) as (keyof typeof zh)[]) expect(placeholders(en[k]), k).toEqual(placeholders(zh[k]));
  });
  it('really translates: the English text is not the Chinese one (names of products aside)', () => {
    const same = (Object.keys(zh) as (keyof typeof zh)[]).filter(
      (k) => zh[k] === en[k] && /[\u4e00-\u9fff]/.test(zh[k]),
    );
    expect(same).toEqual([]);
  });
  it('fills placeholders and leaves an unknown one visible', () => {
    expect(translate('zh', 'apps.count', { shown: 3, total: 10 })).toBe('显示 3 / 共 10 个应用');
    expect(translate('en', 'apps.count', { shown: 3, total: 10 })).toBe('3 of 10 applications');
    expect(translate('en', 'apps.count', { shown: 3 })).toBe('3 of {total} applications');
  });
  it('picks a department’s name in the language asked for, else the other, else the fallback', () => {
    expect(localName({ zh: '教育局', en: 'Education Bureau' }, 'en')).toBe('Education Bureau');
    expect(localName({ zh: '教育局' }, 'en')).toBe('教育局');
    expect(localName(undefined, 'zh', 'edu')).toBe('edu');
    expect(localName('plain', 'zh')).toBe('plain');
  });
});
