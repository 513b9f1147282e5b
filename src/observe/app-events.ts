import type { ClusterEvent } from '../clusters/driver.ts';
import type { Message } from '../kernel/messages/index.ts';
import type { EventSpec } from '../events/event-kind.ts';

/**
 * One entry of an application's events: polis's own Event (coded, from a controller) or a Kubernetes Event of one of
 * its namespaces (`origin: 'cluster'`: Kubernetes' reason as it is, the cluster's message as text, marked External).
 */
export interface AppEvent {
  readonly origin: 'polis' | 'cluster';
  readonly name: string;
  readonly involvedObject: { readonly kind: string; readonly name: string };
  readonly type: string;
  readonly reason: string;
  /** English text (polis) or the cluster's own text (cluster). */
  readonly message: string;
  readonly code?: string;
  readonly params?: Message['params'];
  /** Which controller (polis) or `kubernetes`, and the cluster it is about. */
  readonly source: { readonly component: string; readonly cluster?: string };
  /** The cluster namespace, for a Kubernetes Event. */
  readonly namespace?: string;
  readonly count: number;
  readonly firstTimestamp: string;
  readonly lastTimestamp: string;
}

/** A polis Event as an application event. */
export function polisEvent(name: string, spec: EventSpec): AppEvent {
  return {
    origin: 'polis',
    name,
    involvedObject: { kind: spec.involvedObject.kind, name: spec.involvedObject.name },
    type: spec.type,
    reason: spec.reason,
    message: spec.message,
    ...(spec.code !== undefined ? { code: spec.code } : {}),
    ...(spec.params !== undefined ? { params: spec.params } : {}),
    source: spec.source,
    count: spec.count,
    firstTimestamp: spec.firstTimestamp,
    lastTimestamp: spec.lastTimestamp,
  };
}

/** A cluster's Kubernetes Event as an application event: its text is the cluster's, carried as External. */
export function kubernetesEvent(cluster: string, e: ClusterEvent): AppEvent {
  return {
    origin: 'cluster',
    name: e.name,
    involvedObject: e.involvedObject,
    type: e.type,
    reason: e.reason,
    message: e.message,
    code: 'External',
    params: { text: e.message },
    source: { component: 'kubernetes', cluster },
    namespace: e.namespace,
    count: e.count,
    firstTimestamp: e.firstTimestamp,
    lastTimestamp: e.lastTimestamp,
  };
}

/**
 * Every source's events merged by time, newest first (ties: polis first, then cluster, namespace and name, so the
 * order is stable), at most `limit`.
 */
export function mergeEvents(sources: readonly (readonly AppEvent[])[], limit: number): AppEvent[] {
  const key = (e: AppEvent) =>
    `${e.origin === 'polis' ? 0 : 1}/${e.source.cluster ?? ''}/${e.namespace ?? ''}/${e.name}`;
  return sources
    .flat()
    .sort((a, b) => {
      const d = Date.parse(b.lastTimestamp) - Date.parse(a.lastTimestamp);
      if (d !== 0) return d;
      return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
    })
    .slice(0, limit);
}
