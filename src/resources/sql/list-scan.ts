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
  const plan = listPlan(query);
  const counter = await q
    .selectFrom('revision_counter')
    .select(['revision', 'compacted_through'])
    .where('id', '=', 1)
    .executeTakeFirstOrThrow();
  const page = plan.at(Number(counter.revision), Number(counter.compacted_through));
  if (page.empty) return page.result([], false);
  const select: Select = (after, take) => objectRows(q, query, page.tenants, after, take).execute();
  const selector = query.labelSelector;
  if (selector === undefined || selector.length === 0) {
    const rows = await select(plan.start, plan.take);
    return page.result(...plan.cut(rows));
  }
  return page.result(...(await scanWithSelector(select, selector, plan.start, plan.limit, query.kind)));
}

/**
 * Whether `scanListAtOnce` can answer `query`: one page without a label selector (a selector may scan in batches,
 * which need a snapshot across statements).
 */
export function listsAtOnce(query: ListQuery): boolean {
  return query.keysOnly !== true && (query.labelSelector === undefined || query.labelSelector.length === 0);
}

/**
 * `scanList` for a query `listsAtOnce` accepts, in one statement (the counter row joined with the page): one
 * statement sees one snapshot, so no transaction is needed around it, and the list costs one round trip instead of
 * four (BEGIN, counter, page, COMMIT) on PostgreSQL.
 */
export async function scanListAtOnce(q: Kysely<Schema>, query: ListQuery): Promise<ListPage> {
  const tenants = tenantFilter(query);
  // No department to list (an empty `tenants`): only the revision is read.
  if (tenants !== undefined && tenants.length === 0) return scanList(q, query);
  const plan = listPlan(query);
  const rows = await q
    .selectFrom('revision_counter as c')
    .leftJoinLateral(
      (eb) => objectRows(eb as unknown as Kysely<Schema>, query, tenants, plan.start, plan.take).as('o'),
      (join) => join.onTrue(),
    )
    .select(['c.revision', 'c.compacted_through', 'o.tenant', 'o.name', 'o.body', 'o.labels'])
    .where('c.id', '=', 1)
    .orderBy('o.tenant')
    .orderBy('o.name')
    .execute();
  const head = rows[0];
  if (head === undefined) throw new Error('the revision counter row is missing');
  const page = plan.at(Number(head.revision), Number(head.compacted_through));
  if (page.empty) return page.result([], false);
  const found = rows.filter((r): r is typeof r & Row => r.tenant !== null) as Row[];
  return page.result(...plan.cut(found));
}

/** What a list asks for, before the revision it is read at is known. */
function listPlan(query: ListQuery) {
  // limit 0 means no limit, as in Kubernetes.
  const limit = query.limit === 0 ? undefined : checkLimit(query.limit, 'limit');
  const start = query.continue === undefined ? undefined : decodeContinue(query.continue, query.kind);
  return {
    limit,
    start,
    /** Rows to read for one page without a selector: one more than the limit says whether more follow. */
    take: limit === undefined ? undefined : limit + 1,
    cut(rows: Row[]): [Row[], boolean] {
      const more = limit !== undefined && rows.length > limit;
      return [more ? rows.slice(0, limit) : rows, more];
    },
    /** The page's revision and how to answer, given the counter row read with it. */
    at(current: number, compactedThrough: number) {
      // Every page of a list reports the revision of its first page, as Kubernetes does: a client that lists in
      // pages and then watches from the list's resourceVersion is sent every change made since the list began. Once
      // changes after that revision have been compacted away, such a watch could miss some: the token has expired.
      const revision = start?.revision ?? current;
      if (start?.revision !== undefined && start.revision < compactedThrough)
        throw continueExpired(start.revision, compactedThrough);
      const resourceVersion = String(revision);
      const tenants = tenantFilter(query);
      return {
        tenants,
        empty: tenants !== undefined && tenants.length === 0,
        result(rows: Row[], more: boolean): ListPage {
          const last = rows[rows.length - 1];
          const base = query.keysOnly
            ? {
                items: [],
                keys: rows.map((r) => ({ tenant: r.tenant, name: r.name, resourceVersion: String(r.revision) })),
                resourceVersion,
              }
            : {
                items: query.raw ? [] : rows.map((r) => JSON.parse(r.body!) as StoredObject),
                resourceVersion,
                ...(query.raw ? { rawItems: rows.map((r) => r.body!) } : {}),
              };
          if (!more || last === undefined) return base;
          return {
            ...base,
            continue: encodeContinue({ kind: query.kind, tenant: last.tenant, name: last.name, revision }),
          };
        },
      };
    },
  };
}

/** The objects of the list's kind (and tenants, and name) after `after`, in (tenant, name) order. */
function objectRows(
  q: Kysely<Schema>,
  query: ListQuery,
  tenants: string[] | undefined,
  after: ListPosition | undefined,
  take: number | undefined,
) {
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
  return take === undefined ? s : s.limit(take);
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
