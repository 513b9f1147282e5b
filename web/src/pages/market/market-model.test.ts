import { describe, expect, it } from 'vitest';
import type { CatalogEntry } from './market-model.ts';
import {
  categoriesOf,
  filterCatalog,
  otherVersions,
  ownItemReason,
  suggestName,
  versionObjectName,
} from './market-model.ts';

const entry = (name: string, zh: string, en: string, categories: string[], versions: string[] = ['1.0.0']) =>
  ({
    name,
    type: 'middleware',
    displayName: { zh, en },
    description: { zh: `${zh}说明`, en: `${en} description` },
    categories,
    publisher: 'vendor-cloudbase',
    architectures: ['amd64'],
    price: { model: 'free' },
    state: 'active',
    versions: versions.map((v) => ({ name: `${name}-${v}`, version: v, parameters: {} })),
  }) as CatalogEntry;

const catalog = [
  entry('postgresql', 'PostgreSQL 数据库', 'PostgreSQL database', ['database'], ['16.4.0', '15.8.0']),
  entry('redis', 'Redis 缓存', 'Redis cache', ['cache']),
  entry('one-stop-portal', '一网通办门户', 'One-stop service portal', ['solution', 'portal']),
];

describe('searching the catalog', () => {
  it('finds an item by its Chinese name, its English name (any case, spaces ignored) and its id', () => {
    expect(filterCatalog(catalog, '一网通办', undefined).map((i) => i.name)).toEqual(['one-stop-portal']);
    expect(filterCatalog(catalog, 'redis CACHE', undefined).map((i) => i.name)).toEqual(['redis']);
    expect(filterCatalog(catalog, 'postgresql', undefined).map((i) => i.name)).toEqual(['postgresql']);
    expect(filterCatalog(catalog, '缓存', undefined).map((i) => i.name)).toEqual(['redis']);
    expect(filterCatalog(catalog, '', undefined)).toHaveLength(3);
    expect(filterCatalog(catalog, '不存在', undefined)).toEqual([]);
  });

  it('filters by category, with or without a search', () => {
    expect(categoriesOf(catalog)).toEqual(['cache', 'database', 'portal', 'solution']);
    expect(filterCatalog(catalog, '', 'database').map((i) => i.name)).toEqual(['postgresql']);
    expect(filterCatalog(catalog, 'redis', 'database')).toEqual([]);
  });
});

describe('versions and names', () => {
  it('offers the other released versions, telling an upgrade from going back', () => {
    expect(otherVersions(catalog[0], '15.8.0')).toEqual([{ version: '16.4.0', newer: true }]);
    expect(otherVersions(catalog[0], '16.4.0')).toEqual([{ version: '15.8.0', newer: false }]);
    expect(otherVersions(undefined, '1.0.0')).toEqual([]);
  });

  it('suggests a DNS-safe instance name not yet taken', () => {
    expect(suggestName('PostgreSQL', [])).toBe('postgresql');
    expect(suggestName('postgresql', ['postgresql', 'postgresql-2'])).toBe('postgresql-3');
    expect(suggestName('一网通办', [])).toBe('instance');
  });
});

describe('review and publishing', () => {
  it('never offers a reviewer approval of a version they submitted or an item they maintain', () => {
    const item = { spec: { maintainers: ['publisher', 'li'] } } as never;
    expect(ownItemReason('admin', { status: { submittedBy: 'admin' } }, item)).toBe('submitted');
    expect(ownItemReason('li', { status: { submittedBy: 'publisher' } }, item)).toBe('maintainer');
    expect(ownItemReason('reviewer', { status: { submittedBy: 'publisher' } }, item)).toBeUndefined();
    expect(ownItemReason('reviewer', { status: {} }, undefined)).toBeUndefined();
  });

  it('names a new version as the seed catalog does', () => {
    expect(versionObjectName('postgresql', '16.5.0')).toBe('postgresql-16-5-0');
    expect(versionObjectName('redis', '8.0.0-rc.1')).toBe('redis-8-0-0-rc-1');
  });
});
