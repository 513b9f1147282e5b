import type { FastifyInstance } from 'fastify';
import { requireApplicationAccess } from '../apps/application-access.ts';
import type { ClusterDirectory } from '../clusters/cluster-directory.ts';
import type { ClusterDriver, Owner } from '../clusters/driver.ts';
import { ClusterUnreachableError } from '../clusters/driver.ts';
import { ownerOf, topologyNamespace } from '../delivery/namespace.ts';
import type { EventSpec } from '../events/event-kind.ts';
import type { Message } from '../kernel/messages/index.ts';
import { msg } from '../kernel/messages/index.ts';
import type { ResourceService } from '../resources/service.ts';
import type { AppEvent } from './app-events.ts';
import { kubernetesEvent, mergeEvents, polisEvent } from './app-events.ts';
import { badParam } from './history/history-params.ts';

export interface AppEventRouteDeps {
  readonly resources: ResourceService;
  readonly clusters: ClusterDirectory;
  /** How long one cluster may take to list its events before it is left out with a note (default 3 s). */
  readonly clusterTimeoutMs?: number;
}

/** The most events one answer holds. */
export const MAX_EVENTS = 1000;
const DEFAULT_EVENTS = 200;

/** Whether a cluster's events were read, or why not (a coded note; the rest of the list stands). */
export interface ClusterEventsRead {
  readonly cluster: string;
  readonly reachable: boolean;
  readonly detail?: Message;
}

const APP = '/apis/core.oam.dev/v1beta1/tenants/:tenant/applications/:name';

/**
 * `GET …/applications/{app}/events`: polis's own Events about the application merged by time with the Kubernetes
 * Events of the application's namespaces on every cluster it is placed on (read through the cluster drivers, each
 * bounded by `limit` and a timeout; a cluster that does not answer adds a coded note and never fails the list).
 * Only the application's own namespaces are read.
 */
export function registerAppEventRoutes(app: FastifyInstance, deps: AppEventRouteDeps): void {
  const timeoutMs = deps.clusterTimeoutMs ?? 3000;
  app.get(
    `${APP}/events`,
    {
      schema: {
        tags: ['applications'],
        summary:
          "An application's events: polis's and its namespaces' Kubernetes Events on each cluster, newest first (limit, cluster)",
      },
    },
    async (req) => {
      const { tenant, name } = req.params as { tenant: string; name: string };
      requireApplicationAccess(req, 'get', tenant, name);
      const q = req.query as { limit?: unknown; cluster?: unknown };
      const limit = limitParam(q.limit);
      const obj = await deps.resources.get('Application', tenant, name);
      const placed = [...((obj.status as { clusters?: readonly string[] } | undefined)?.clusters ?? [])].sort();
      const cluster = q.cluster === undefined ? undefined : String(q.cluster);
      if (cluster !== undefined && !placed.includes(cluster)) {
        throw badParam('cluster', cluster, `a cluster the application is on (${placed.join(', ') || 'none'})`);
      }
      const owner = ownerOf(tenant, name, obj.status);
      const namespaces = appNamespaces(owner, obj.metadata.namespace, obj.spec);
      const own = await deps.resources.list({ kind: 'Event', tenant });
      const polis = own.items
        .filter((e) => {
          const spec = e.spec as EventSpec;
          return spec.involvedObject.kind === 'Application' && spec.involvedObject.name === name;
        })
        .filter((e) => cluster === undefined || (e.spec as EventSpec).source.cluster === cluster)
        .map((e) => polisEvent(e.metadata.name, e.spec as EventSpec));
      const reads = await Promise.all(
        placed
          .filter((c) => cluster === undefined || c === cluster)
          .map((c) => readCluster(deps.clusters.driver(c), c, owner, namespaces, limit, timeoutMs)),
      );
      return {
        kind: 'ApplicationEvents',
        application: name,
        namespaces,
        clusters: reads.map((r) => r.read),
        items: mergeEvents([polis, ...reads.map((r) => r.events)], limit),
      };
    },
  );
}

/** The application's namespace and those its topology policies name (each the application's own). */
export function appNamespaces(owner: Owner, declared: string | undefined, spec: unknown): string[] {
  const out = new Set([owner.namespace]);
  for (const p of (spec as { policies?: { type?: string; properties?: { namespace?: unknown } }[] }).policies ?? []) {
    if (p.type !== 'topology') continue;
    const named = p.properties?.namespace;
    out.add(
      topologyNamespace(
        owner.tenant,
        owner.app,
        owner.namespace,
        declared,
        typeof named === 'string' ? named : undefined,
      ),
    );
  }
  return [...out].sort();
}

async function readCluster(
  driver: ClusterDriver | undefined,
  cluster: string,
  owner: Owner,
  namespaces: readonly string[],
  limit: number,
  timeoutMs: number,
): Promise<{ read: ClusterEventsRead; events: AppEvent[] }> {
  if (!driver) return { read: { cluster, reachable: false, detail: msg('NoSuchCluster', { cluster }) }, events: [] };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  try {
    const lists = Promise.all(namespaces.map((namespace) => driver.events({ ...owner, namespace }, { limit })));
    const answer = await Promise.race([lists, timedOut]);
    if (answer === 'timeout') {
      lists.catch(() => undefined);
      const detail = msg('ClusterEventsTimedOut', { cluster, seconds: Math.ceil(timeoutMs / 1000) });
      return { read: { cluster, reachable: false, detail }, events: [] };
    }
    return { read: { cluster, reachable: true }, events: answer.flat().map((e) => kubernetesEvent(cluster, e)) };
  } catch (e) {
    if (!(e instanceof ClusterUnreachableError)) throw e;
    return {
      read: { cluster, reachable: false, detail: msg('ClusterEventsNotRead', { cluster, detail: e.why }) },
      events: [],
    };
  } finally {
    clearTimeout(timer);
  }
}

function limitParam(v: unknown): number {
  if (v === undefined) return DEFAULT_EVENTS;
  const s = String(v);
  if (!/^\d+$/.test(s) || Number(s) < 1 || Number(s) > MAX_EVENTS) {
    throw badParam('limit', s, `a whole number of events from 1 to ${MAX_EVENTS}`);
  }
  return Number(s);
}
