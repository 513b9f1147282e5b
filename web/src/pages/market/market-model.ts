/** The marketplace as the console reads it (docs/marketplace.md): the released catalog and the search over it. */
import type { KubeObject } from '../../api/watch-reducer.ts';

export interface Bilingual {
  readonly zh: string;
  readonly en: string;
}

export interface CatalogVersion {
  readonly name: string;
  readonly version: string;
  readonly parameters: Record<string, unknown>;
  readonly connection?: { readonly engine: string; readonly component: string; readonly port: number };
  readonly releaseNotes?: Bilingual;
  readonly releasedAt?: string;
}

/** An item of `GET …/catalog`: the item's spec, its state, and its released versions (newest first). */
export interface CatalogEntry {
  readonly name: string;
  readonly type: 'middleware' | 'solution';
  readonly displayName: Bilingual;
  readonly description: Bilingual;
  readonly icon?: string;
  readonly categories: readonly string[];
  readonly licence?: string;
  readonly publisher: string;
  readonly maintainers?: readonly string[];
  readonly architectures: readonly string[];
  readonly price: { readonly model: 'free' | 'instance-month' | 'binding-month'; readonly amount?: number };
  readonly state: 'active' | 'deprecated' | 'suspended';
  readonly versions: readonly CatalogVersion[];
}

export interface MarketInstance extends KubeObject {
  readonly spec: {
    readonly item: string;
    readonly version: string;
    readonly parameters?: Record<string, unknown>;
    readonly shared?: boolean;
  };
  readonly status?: {
    readonly phase?: string;
    readonly reason?: string;
    readonly detail?: { code?: string; params?: Record<string, string | number>; message?: string };
    readonly application?: string;
  };
}

export interface ServiceBinding extends KubeObject {
  readonly spec: { readonly instance: string; readonly shared?: boolean; readonly application: string };
  readonly status?: {
    readonly phase?: string;
    readonly reason?: string;
    readonly detail?: { code?: string; params?: Record<string, string | number>; message?: string };
    readonly secret?: string;
  };
}

export interface VersionObject extends KubeObject {
  readonly spec: {
    readonly item: string;
    readonly version: string;
    readonly parameters?: Record<string, unknown>;
    readonly releaseNotes?: Bilingual;
  };
  readonly status?: {
    readonly phase?: 'Draft' | 'Submitted' | 'Released' | 'Rejected';
    readonly checks?: ReadonlyArray<{
      readonly name: string;
      readonly ok: boolean;
      readonly problems: ReadonlyArray<{ code?: string; params?: Record<string, string | number>; message?: string }>;
    }>;
    readonly submittedBy?: string;
    readonly reviewedBy?: string;
    readonly comment?: string;
  };
}

export interface ItemObject extends KubeObject {
  readonly spec: Omit<CatalogEntry, 'name' | 'state' | 'versions'>;
  readonly status?: { readonly state?: string; readonly latest?: string };
}

/** Lower-case, without spaces: what a search compares. */
const norm = (s: string) => s.toLowerCase().replace(/\s+/g, '');

/**
 * The entries a search and a category leave: the search matches the id, the Chinese or English name, the
 * description in either language, the publisher and the categories (no spaces, any case); '' matches all.
 */
export function filterCatalog(
  items: readonly CatalogEntry[],
  search: string,
  category: string | undefined,
): CatalogEntry[] {
  const q = norm(search.trim());
  return items.filter((i) => {
    if (category && !i.categories.includes(category)) return false;
    if (!q) return true;
    const hay = [
      i.name,
      i.displayName.zh,
      i.displayName.en,
      i.description.zh,
      i.description.en,
      i.publisher,
      ...i.categories,
    ].map(norm);
    return hay.some((h) => h.includes(q));
  });
}

/** The categories of the catalog, each once, sorted. */
export function categoriesOf(items: readonly CatalogEntry[]): string[] {
  return [...new Set(items.flatMap((i) => i.categories))].sort();
}

/** Orders semantic versions (pre-releases before their release), as the server does. */
export function compareVersions(a: string, b: string): number {
  const [ma, pa] = a.split('-', 2) as [string, string | undefined];
  const [mb, pb] = b.split('-', 2) as [string, string | undefined];
  const na = ma.split('.').map(Number);
  const nb = mb.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (na[i] !== nb[i]) return (na[i] ?? 0) - (nb[i] ?? 0);
  if (pa === pb) return 0;
  if (pa === undefined) return 1;
  if (pb === undefined) return -1;
  return pa < pb ? -1 : 1;
}

/** The released versions an instance may move to (upgrade or back), with whether each is newer. */
export function otherVersions(
  entry: CatalogEntry | undefined,
  current: string,
): Array<{ version: string; newer: boolean }> {
  return (entry?.versions ?? [])
    .filter((v) => v.version !== current)
    .map((v) => ({ version: v.version, newer: compareVersions(v.version, current) > 0 }));
}

/** A DNS label from a name typed by a person (`PostgreSQL 16` → `postgresql-16`), for a suggested instance name. */
export function suggestName(base: string, taken: readonly string[]): string {
  const clean =
    base
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 50) || 'instance';
  if (!taken.includes(clean)) return clean;
  for (let i = 2; ; i++) if (!taken.includes(`${clean}-${i}`)) return `${clean}-${i}`;
}

/** Why a reviewer may not approve a version: they submitted it or maintain its item (the server refuses too). */
export function ownItemReason(
  user: string,
  version: Pick<VersionObject, 'status'>,
  item: Pick<ItemObject, 'spec'> | undefined,
): 'submitted' | 'maintainer' | undefined {
  if (version.status?.submittedBy === user) return 'submitted';
  if (item?.spec.maintainers?.includes(user)) return 'maintainer';
  return undefined;
}

/** The name of a new version of an item, as the marketplace names versions (`<item>-<version with dots as ->`). */
export function versionObjectName(item: string, version: string): string {
  return `${item}-${version.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`.slice(0, 63).replace(/-+$/, '');
}
