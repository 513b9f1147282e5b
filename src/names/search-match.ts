import { pinyinInitials } from './pinyin-initials.ts';

/** Something a person may look for: an application, a department or a cluster. */
export interface Searchable {
  readonly kind: 'Application' | 'Tenant' | 'Cluster';
  readonly id: string;
  /** The department it belongs to (applications). */
  readonly tenant?: string;
  readonly zh?: string;
  readonly en?: string;
}

export interface SearchHit extends Searchable {
  /** What matched: the id, a name, or the Chinese name's pinyin initials. */
  readonly matched: 'id' | 'zh' | 'en' | 'pinyin';
  /** Lower is better: 0 exact, 1 prefix, 2 contained. */
  readonly rank: number;
}

function rankOf(haystack: string | undefined, needle: string): number | undefined {
  if (!haystack) return undefined;
  const h = haystack.toLowerCase();
  if (h === needle) return 0;
  if (h.startsWith(needle)) return 1;
  if (h.includes(needle)) return 2;
  return undefined;
}

/**
 * How `item` matches the query `q` (case-insensitive, trimmed): by id, Chinese or English name, or the pinyin
 * initials of its Chinese name (jyj finds 教育局); undefined when it does not. The best match wins.
 */
export function matchSearchable(item: Searchable, q: string): SearchHit | undefined {
  const needle = q.trim().toLowerCase();
  if (needle === '') return undefined;
  const candidates: [SearchHit['matched'], number | undefined][] = [
    ['id', rankOf(item.id, needle)],
    ['zh', rankOf(item.zh, needle)],
    ['en', rankOf(item.en, needle)],
  ];
  if (item.zh && /^[a-z0-9]+$/.test(needle)) {
    const ranks = pinyinInitials(item.zh)
      .map((s) => rankOf(s, needle))
      .filter((r): r is number => r !== undefined);
    candidates.push(['pinyin', ranks.length > 0 ? Math.min(...ranks) : undefined]);
  }
  let best: SearchHit | undefined;
  for (const [matched, rank] of candidates)
    if (rank !== undefined && (best === undefined || rank < best.rank)) best = { ...item, matched, rank };
  return best;
}

const KIND_ORDER = { Tenant: 0, Application: 1, Cluster: 2 } as const;

/** The items matching `q`, best first (rank, then departments before applications before clusters, then id). */
export function search(items: Iterable<Searchable>, q: string, limit: number): SearchHit[] {
  const hits: SearchHit[] = [];
  for (const item of items) {
    const hit = matchSearchable(item, q);
    if (hit) hits.push(hit);
  }
  hits.sort(
    (a, b) =>
      a.rank - b.rank ||
      KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
      a.id.localeCompare(b.id) ||
      (a.tenant ?? '').localeCompare(b.tenant ?? ''),
  );
  return hits.slice(0, limit);
}
