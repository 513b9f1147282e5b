import type { ClusterEvent, EventQuery } from '../../driver.ts';
import { newestEventsFirst } from '../../driver.ts';

type Json = Record<string, unknown>;

/** One page of a namespace's events: Kubernetes lists by name, not by time, so a few pages are read and sorted. */
export const EVENT_PAGE = 500;
/** At most this many pages (1,000 events) are read per namespace; a namespace holds an hour of events. */
export const EVENT_PAGES = 2;

/**
 * The path of one page of core/v1 events of `namespace`, about one object when asked (Kubernetes' own field
 * selectors `involvedObject.kind` and `involvedObject.name`).
 */
export function eventListPath(namespace: string, query: EventQuery, cont?: string): string {
  const q = new URLSearchParams();
  q.set('limit', String(EVENT_PAGE));
  const fields: string[] = [];
  if (query.involvedObject?.kind !== undefined) fields.push(`involvedObject.kind=${query.involvedObject.kind}`);
  if (query.involvedObject?.name !== undefined) fields.push(`involvedObject.name=${query.involvedObject.name}`);
  if (fields.length > 0) q.set('fieldSelector', fields.join(','));
  if (cont !== undefined) q.set('continue', cont);
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/events?${q.toString()}`;
}

/**
 * A core/v1 Event as polis shows it. Events written through events.k8s.io/v1 leave firstTimestamp, lastTimestamp
 * and count empty and carry eventTime and series instead: both forms are read.
 */
export function clusterEvent(raw: Json): ClusterEvent | undefined {
  const meta = (raw.metadata ?? {}) as Json;
  const involved = (raw.involvedObject ?? {}) as Json;
  const series = (raw.series ?? {}) as Json;
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const first = str(raw.firstTimestamp) ?? str(raw.eventTime) ?? str(meta.creationTimestamp);
  const last = str(raw.lastTimestamp) ?? str(series.lastObservedTime) ?? first;
  if (first === undefined || last === undefined || typeof meta.name !== 'string') return undefined;
  const count = typeof raw.count === 'number' ? raw.count : typeof series.count === 'number' ? series.count : 1;
  return {
    namespace: String(meta.namespace ?? ''),
    name: meta.name,
    involvedObject: { kind: String(involved.kind ?? ''), name: String(involved.name ?? '') },
    type: str(raw.type) ?? 'Normal',
    reason: str(raw.reason) ?? '',
    message: typeof raw.message === 'string' ? raw.message : '',
    count: Math.max(1, count),
    firstTimestamp: new Date(first).toISOString(),
    lastTimestamp: new Date(last).toISOString(),
  };
}

/** The newest `limit` of the events read. */
export function newestEvents(items: readonly Json[], limit: number): ClusterEvent[] {
  const events = items.map(clusterEvent).filter((e): e is ClusterEvent => e !== undefined);
  return newestEventsFirst(events).slice(0, limit);
}
