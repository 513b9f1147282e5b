import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requireApplicationAccess } from '../apps/application-access.ts';
import type { ClusterDirectory } from '../clusters/cluster-directory.ts';
import type { LogRequest, PodInfo } from '../clusters/driver.ts';
import { ClusterUnreachableError } from '../clusters/driver.ts';
import { ownerOf } from '../delivery/namespace.ts';
import type { Clock } from '../kernel/clock.ts';
import { ConflictError, NotFoundError } from '../kernel/errors.ts';
import type { Message } from '../kernel/messages/index.ts';
import { msg } from '../kernel/messages/index.ts';
import type { Store } from '../resources/store.ts';
import type { ResourceService } from '../resources/service.ts';
import { requestContext } from '../tenancy/request-principal.ts';
import { DURATION_ACCEPTED, badParam, parseDuration } from './history/history-params.ts';

export interface PodRouteDeps {
  readonly resources: ResourceService;
  readonly clusters: ClusterDirectory;
  readonly store: Store;
  readonly clock: Clock;
}

/** The most lines one read returns (Kubernetes has no limit; a browser and a terminal do). */
export const MAX_TAIL_LINES = 10_000;
const DEFAULT_TAIL_LINES = 500;

/** The pods of one cluster, or why they could not be listed. */
export interface ClusterPods {
  readonly cluster: string;
  readonly reachable: boolean;
  readonly detail?: Message;
  readonly pods: readonly (PodInfo & { readonly ageSeconds: number })[];
}

const APP = '/apis/core.oam.dev/v1beta1/tenants/:tenant/applications/:name';

/**
 * `GET …/applications/{app}/pods`: the application's pods in every cluster it is on (phase, ready, restarts,
 * node, age, last termination reason). `GET …/applications/{app}/pods/{cluster}/{pod}/log`: a pod's log (container,
 * tail, since; follow streams until the client goes), audited. Both read through the cluster drivers, and only
 * the application's own pods in its own namespace.
 */
export function registerPodRoutes(app: FastifyInstance, deps: PodRouteDeps): void {
  const target = async (req: FastifyRequest) => {
    const { tenant, name } = req.params as { tenant: string; name: string };
    requireApplicationAccess(req, 'get', tenant, name);
    const obj = await deps.resources.get('Application', tenant, name);
    const status = obj.status as { clusters?: readonly string[] } | undefined;
    const owner = ownerOf(tenant, name, obj.status);
    return { tenant, name, owner, clusters: [...(status?.clusters ?? [])].sort() };
  };

  app.get(
    `${APP}/pods`,
    { schema: { tags: ['applications'], summary: "An application's pods in each cluster it is on" } },
    async (req) => {
      const t = await target(req);
      const q = req.query as { cluster?: string };
      if (q.cluster !== undefined && !t.clusters.includes(q.cluster)) {
        throw badParam('cluster', q.cluster, `a cluster the application is on (${t.clusters.join(', ') || 'none'})`);
      }
      const now = deps.clock.now().getTime();
      const clusters: ClusterPods[] = await Promise.all(
        t.clusters
          .filter((c) => q.cluster === undefined || c === q.cluster)
          .map(async (cluster): Promise<ClusterPods> => {
            const driver = deps.clusters.driver(cluster);
            if (!driver) return { cluster, reachable: false, detail: msg('NoSuchCluster', { cluster }), pods: [] };
            try {
              const pods = await driver.pods(t.owner);
              return {
                cluster,
                reachable: true,
                pods: pods.map((p) => ({
                  ...p,
                  ageSeconds: Math.max(0, Math.floor((now - Date.parse(p.createdAt)) / 1000)) || 0,
                })),
              };
            } catch (e) {
              if (!(e instanceof ClusterUnreachableError)) throw e;
              return { cluster, reachable: false, detail: e.detail, pods: [] };
            }
          }),
      );
      return { kind: 'ApplicationPods', application: t.name, namespace: t.owner.namespace, clusters };
    },
  );

  app.get(
    `${APP}/pods/:cluster/:pod/log`,
    {
      schema: {
        tags: ['applications'],
        summary: "A pod's log: container, tail (lines), since (a duration), follow=true streams until the client goes",
      },
    },
    async (req, reply) => {
      const t = await target(req);
      const { cluster, pod } = req.params as { cluster: string; pod: string };
      const request = logRequest(pod, req.query as Record<string, unknown>);
      const follow = followParam(req.query as Record<string, unknown>);
      if (!t.clusters.includes(cluster)) {
        throw new NotFoundError(msg('ApplicationNotOnCluster', { application: t.name, cluster }));
      }
      const driver = deps.clusters.driver(cluster);
      if (!driver) throw new NotFoundError(msg('NoSuchCluster', { cluster }));
      const unreachable = (e: unknown) => {
        if (e instanceof ClusterUnreachableError) throw new ConflictError(e.detail);
        throw e;
      };
      const lines = await driver.logs(t.owner, request).catch(unreachable);
      if (lines === undefined) {
        throw new NotFoundError(msg('PodNotFound', { pod, application: t.name, cluster }));
      }
      await audit(deps, req, t.tenant, t.name, cluster, request, follow);
      if (!follow) return reply.type('text/plain; charset=utf-8').send(lines.map((l) => `${l}\n`).join(''));

      // A chunked stream: what the pod wrote so far, then each new line, until the client goes.
      const raw = reply.hijack().raw;
      raw.writeHead(200, {
        'Content-Type': 'text/plain; charset=utf-8',
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
      });
      for (const l of lines) raw.write(`${l}\n`);
      const stop = await driver
        .followLogs(
          t.owner,
          request,
          (l) => raw.write(`${l}\n`),
          () => raw.end(),
        )
        .catch((e: unknown) => {
          if (e instanceof ClusterUnreachableError) return undefined;
          throw e;
        });
      if (stop === undefined) return void raw.end();
      // The client may have gone while the stream was being opened.
      if (raw.destroyed || raw.writableEnded) return void stop();
      raw.on('close', stop);
    },
  );
}

function logRequest(pod: string, q: Record<string, unknown>): LogRequest {
  const out: { pod: string; container?: string; tailLines?: number; sinceSeconds?: number } = { pod };
  if (q.container !== undefined) {
    const c = String(q.container);
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(c))
      throw badParam('container', c, 'a container name (a DNS label)');
    out.container = c;
  }
  const tail = q.tail === undefined ? String(DEFAULT_TAIL_LINES) : String(q.tail);
  if (!/^\d+$/.test(tail) || Number(tail) < 1 || Number(tail) > MAX_TAIL_LINES) {
    throw badParam('tail', tail, `a whole number of lines from 1 to ${MAX_TAIL_LINES}`);
  }
  out.tailLines = Number(tail);
  if (q.since !== undefined) {
    const s = String(q.since);
    const ms = parseDuration(s);
    if (ms === undefined || ms < 1000) throw badParam('since', s, `${DURATION_ACCEPTED}, at least 1s`);
    out.sinceSeconds = Math.ceil(ms / 1000);
  }
  return out;
}

function followParam(q: Record<string, unknown>): boolean {
  if (q.follow === undefined) return false;
  const f = String(q.follow);
  if (f !== 'true' && f !== 'false') throw badParam('follow', f, 'true or false');
  return f === 'true';
}

async function audit(
  deps: PodRouteDeps,
  req: FastifyRequest,
  tenant: string,
  app: string,
  cluster: string,
  request: LogRequest,
  follow: boolean,
): Promise<void> {
  const ctx = requestContext(req);
  const what = [
    `cluster=${cluster}`,
    `pod=${request.pod}`,
    ...(request.container ? [`container=${request.container}`] : []),
    `tail=${request.tailLines}`,
    ...(request.sinceSeconds !== undefined ? [`since=${request.sinceSeconds}s`] : []),
    ...(follow ? ['follow'] : []),
  ].join(' ');
  await deps.store.transaction((tx) =>
    tx.appendAudit({
      time: deps.clock.now().toISOString(),
      actor: ctx.actor,
      verb: 'logs',
      apiVersion: 'core.oam.dev/v1beta1',
      kind: 'Application',
      tenant,
      name: app,
      outcome: 'success',
      code: 200,
      message: `read pod logs: ${what}`,
      requestId: ctx.requestId,
      changes: null,
    }),
  );
}
