import type { Kysely } from 'kysely';
import type { StoredObject } from '../envelope.ts';
import { matchesSelector, type LabelSelector } from '../label-selector.ts';
import type { ListPage, ListQuery } from '../store.ts';
import { ExpiredError } from '../../kernel/errors.ts';
import { checkLimit } from './audit-rows.ts';
import { decodeContinue, encodeContinue, type ListPosition } from './list-token.ts';
import type { Schema } from './schema.ts';

const NO_LABELS: Readonly<Record<string, string>> = Object.freeze({});

/**
 * One page of a list, read through `q` (which the caller makes a consistent snapshot). Order is (tenant, name);
 * tenant filters run in SQL on the primary key; a label selector is matched in JS while scanning forward in
 * batches, so a selective selector still fills the page. `continue` is present when more matching items may follow.
 */
export async function scanList(q: Kysely<Schema>, query: ListQuery): Promise<ListPage> {
  // limit 0 means no limit, as in Kubernetes.
  const limit = query.limit === 0 ? undefined : checkLimit(query.limit, 'limit');
  const start = query.continue === undefined ? undefined : decodeContinue(query.continue, query.kind);
  const counter = await q
    .selectFrom('revision_counter')
    .select(['revision', 'compacted_through'])
    .where('id', '=', 1)
    .executeTakeFirstOrThrow();
  // Every page of a list reports the revision of its first page, as Kubernetes does: a client that lists in pages
  // and then watches from the list's resourceVersion is sent every change made since the list began. Once changes
  // after that revision have been compacted away, such a watch could miss some: the token has expired (410).
  const revision = start?.revision ?? Number(counter.revision);
  if (start?.revision !== undefined && start.revision < Number(counter.compacted_through))
    throw continueExpired(start.revision, Number(counter.compacted_through));
  const resourceVersion = String(revision);
  const tenants = tenantFilter(query);
  if (tenants !== undefined && tenants.length === 0) return { items: [], resourceVersion };

  const select: Select = (after, take) => {
    let s = q
      .selectFrom('objects')
      .select(['tenant', 'name', 'revision', 'labels'])
      .$if(query.keysOnly !== true, (b) => b.select('body'))
      .where('kind', '=', query.kind);
    if (query.name !== undefined) s = s.where('name', '=', query.name);
    if (tenants !== undefined)
      s = tenants.length === 1 ? s.where('tenant', '=', tenants[0]!) : s.where('tenant', 'in', tenants);
    if (after !== undefined)
      s = s.where((eb) => eb(eb.refTuple('tenant', 'name'), '>', eb.tuple(after.tenant, after.name)));
    s = s.orderBy('tenant').orderBy('name');
    return (take === undefined ? s : s.limit(take)).execute();
  };
  const page = (rows: Row[], more: boolean): ListPage => {
    const last = rows[rows.length - 1];
    if (query.keysOnly) {
      const keys = rows.map((r) => ({ tenant: r.tenant, name: r.name, resourceVersion: String(r.revision) }));
      const base = { items: [], keys, resourceVersion };
      if (!more || last === undefined) return base;
      return {
        ...base,
        continue: encodeContinue({ kind: query.kind, tenant: last.tenant, name: last.name, revision }),
      };
    }
    const items = query.raw ? [] : rows.map((r) => JSON.parse(r.body!) as StoredObject);
    const rawItems = query.raw ? rows.map((r) => r.body!) : undefined;
    const base = { items, resourceVersion, ...(rawItems ? { rawItems } : {}) };
    if (!more || last === undefined) return base;
    return { ...base, continue: encodeContinue({ kind: query.kind, tenant: last.tenant, name: last.name, revision }) };
  };

  const selector = query.labelSelector;
  if (selector === undefined || selector.length === 0) {
    const rows = await select(start, limit === undefined ? undefined : limit + 1);
    const more = limit !== undefined && rows.length > limit;
    return page(more ? rows.slice(0, limit) : rows, more);
  }
  return page(...(await scanWithSelector(select, selector, start, limit, query.kind)));
}

interface Row {
  readonly tenant: string;
  readonly name: string;
  readonly revision: number | string;
  /** Absent in a `keysOnly` list. */
  readonly body?: string;
  readonly labels: string;
}

type Select = (after: ListPosition | undefined, take: number | undefined) => Promise<Row[]>;

async function scanWithSelector(
  select: Select,
  selector: LabelSelector,
  start: ListPosition | undefined,
  limit: number | undefined,
  kind: string,
): Promise<[Row[], boolean]> {
  const batch = limit === undefined ? undefined : Math.min(Math.max(limit + 1, 256), 4096);
  const items: Row[] = [];
  let cursor = start;
  for (;;) {
    const rows = await select(cursor, batch);
    for (const r of rows) {
      const labels = r.labels === '{}' ? NO_LABELS : (JSON.parse(r.labels) as Record<string, string>);
      if (!matchesSelector(selector, labels)) continue;
      if (items.length === limit) return [items, true];
      items.push(r);
    }
    const last = rows[rows.length - 1];
    if (batch === undefined || rows.length < batch || last === undefined) return [items, false];
    // The scan stopped at a full batch: more rows follow, so more matches may.
    if (items.length === limit) return [items, true];
    cursor = { kind, tenant: last.tenant, name: last.name };
  }
}

/** The tenants a list may return, undefined for all. `tenant` and `tenants` together mean their intersection. */
function tenantFilter(query: ListQuery): string[] | undefined {
  if (query.tenants === undefined) return query.tenant === undefined ? undefined : [query.tenant];
  const allowed = [...new Set(query.tenants)];
  return query.tenant === undefined ? allowed : allowed.filter((t) => t === query.tenant);
}

function continueExpired(revision: number, compactedThrough: number): ExpiredError {
  return new ExpiredError(
    `The provided continue parameter is too old to display a consistent list result: the list started at revision ${revision} and changes up to ${compactedThrough} have been compacted. Start a new list without the continue parameter.`,
    [
      {
        path: 'continue',
        code: 'ContinueExpired',
        params: { revision, compactedThrough },
        message: `the list started at revision ${revision}; changes up to ${compactedThrough} have been compacted: list again without continue`,
      },
    ],
  );
}
