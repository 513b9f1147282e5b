import type { ListPage, ListQuery } from '../store.ts';
import { checkLimit } from '../sql/audit-rows.ts';
import { continueExpired } from '../sql/list-scan.ts';
import { decodeContinue, encodeContinue } from '../sql/list-token.ts';
import type { BatchRunner } from '../sql/schema.ts';

/**
 * One page of a list on SQLite with its items joined in the database: one statement reads the revision counter and
 * the page, and `group_concat` hands back the items' stored JSON joined by commas as one BLOB (UTF-8). No string per
 * item is made, joined and encoded again for the response: a page of a hundred Applications is one copy. Answers
 * what `scanList` would for the same query (order, limit, continue, compaction), for one department or all, without
 * selectors; anything else (a label or name selector, several departments, no limit, keys only) is undefined, and
 * the usual path answers. `run` must be free to use now (SqlDialectHooks.readNow): the statement sees one snapshot.
 */
export function joinedList(run: BatchRunner, query: ListQuery): ListPage | undefined {
  if (query.keysOnly || query.name !== undefined || (query.labelSelector?.length ?? 0) > 0) return undefined;
  if (query.limit === undefined || query.limit === 0) return undefined;
  const tenant = oneTenant(query);
  if (tenant === null) return undefined;
  const limit = checkLimit(query.limit, 'limit')!;
  const start = query.continue === undefined ? undefined : decodeContinue(query.continue, query.kind);
  const where = ['kind = ?'];
  const args: unknown[] = [query.kind];
  if (tenant !== undefined) {
    where.push('tenant = ?');
    args.push(tenant);
  }
  if (start !== undefined) {
    where.push('(tenant, name) > (?, ?)');
    args.push(start.tenant, start.name);
  }
  // The page's bodies joined in the order the primary key gives them (a co-routine over the index, not a sorted copy);
  // the key after the page says whether more follow, the page's last key where the next page starts.
  const w = where.join(' AND ');
  const rows = run(
    `SELECT c.revision AS revision, c.compacted_through AS compacted,
      (SELECT CAST(group_concat(body, ',') AS BLOB)
        FROM (SELECT body FROM objects WHERE ${w} ORDER BY tenant, name LIMIT ?)) AS items,
      (SELECT json_array(tenant, name) FROM objects WHERE ${w} ORDER BY tenant, name LIMIT 1 OFFSET ?) AS next,
      (SELECT json_array(tenant, name) FROM objects WHERE ${w} ORDER BY tenant, name LIMIT 1 OFFSET ?) AS last
    FROM revision_counter c WHERE c.id = 1`,
    [...args, limit, ...args, limit, ...args, limit - 1],
  ) as Array<{
    revision: number;
    compacted: number;
    items: Uint8Array | null;
    next: string | null;
    last: string | null;
  }>;
  const head = rows[0];
  if (head === undefined) throw new Error('the revision counter row is missing');
  const revision = start?.revision ?? Number(head.revision);
  if (start?.revision !== undefined && start.revision < Number(head.compacted))
    throw continueExpired(start.revision, Number(head.compacted));
  const page: ListPage = {
    items: [],
    joinedItems: head.items ?? new Uint8Array(0),
    resourceVersion: String(revision),
  };
  if (head.next === null || head.last === null) return page;
  const [lastTenant, lastName] = JSON.parse(head.last) as [string, string];
  return { ...page, continue: encodeContinue({ kind: query.kind, tenant: lastTenant, name: lastName, revision }) };
}

/** The one department a list is narrowed to, undefined for every department, null for several (not taken here). */
function oneTenant(query: ListQuery): string | undefined | null {
  if (query.tenants === undefined) return query.tenant;
  const allowed = [...new Set(query.tenants)];
  const kept = query.tenant === undefined ? allowed : allowed.filter((t) => t === query.tenant);
  return kept.length === 1 ? kept[0]! : null;
}
