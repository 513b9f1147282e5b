import { describe, expect, it } from 'vitest';
import { hanziInitial, pinyinInitials } from './pinyin-initials.ts';
import { matchSearchable, search, type Searchable } from './search-match.ts';

const edu: Searchable = { kind: 'Tenant', id: 'edu', zh: '教育局', en: 'Education Bureau' };
const tax: Searchable = { kind: 'Tenant', id: 'tax', zh: '税务局', en: 'Taxation Bureau' };
const portal: Searchable = {
  kind: 'Application',
  id: 'enrolment-portal',
  tenant: 'edu',
  zh: '招生报名',
  en: 'Enrolment',
};
const cluster: Searchable = { kind: 'Cluster', id: 'gov-east', zh: '政务云东区', en: 'Gov cloud east' };

describe('pinyin initials', () => {
  it('spells the initials of department names people type', () => {
    expect(pinyinInitials('教育局')).toEqual(['jyj']);
    expect(pinyinInitials('税务局')).toEqual(['swj']);
    expect(pinyinInitials('人社局')).toEqual(['rsj']);
    expect(pinyinInitials('卫健委')).toEqual(['wjw']);
    expect(pinyinInitials('政务外网')).toEqual(['zwww']);
    expect(pinyinInitials('阿里云')).toEqual(['aly']);
  });

  it('keeps Latin letters and digits, drops punctuation', () => {
    expect(pinyinInitials('5G 政务')).toEqual(['5gzw']);
  });

  it('gives every reading of a polyphonic character', () => {
    expect(pinyinInitials('重庆')).toEqual(expect.arrayContaining(['cq']));
    expect(pinyinInitials('银行')).toEqual(expect.arrayContaining(['yh']));
  });

  it('places the first and last hanzi of the common range', () => {
    expect(hanziInitial('一')).toBe('y');
    expect(hanziInitial('啊')).toBe('a');
    expect(hanziInitial('做')).toBe('z');
  });
});

describe('search matching', () => {
  it('finds a department by its Chinese name, English name, id and pinyin initials', () => {
    expect(matchSearchable(edu, '教育局')?.matched).toBe('zh');
    expect(matchSearchable(edu, 'education')?.matched).toBe('en');
    expect(matchSearchable(edu, 'EDU')?.matched).toBe('id');
    expect(matchSearchable(edu, 'jyj')?.matched).toBe('pinyin');
    expect(matchSearchable(edu, 'jy')?.rank).toBe(1);
    expect(matchSearchable(tax, 'jyj')).toBeUndefined();
    expect(matchSearchable(edu, '  ')).toBeUndefined();
  });

  it('ranks exact before prefix before contained, departments first', () => {
    const hits = search([cluster, portal, tax, edu], 'e', 10);
    expect(hits.map((h) => h.id)).toEqual(['edu', 'enrolment-portal', 'tax', 'gov-east']);
    expect(search([tax, edu], '局', 10).map((h) => h.id)).toEqual(['edu', 'tax']);
    expect(search([tax, edu], '局', 1)).toHaveLength(1);
  });
});
