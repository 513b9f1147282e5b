import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { historyGrid } from '../../../observe/metrics-source.ts';
import { observeDeclared } from '../../../observe/sources/simulated/sim-incident-source.ts';
import { simCallSeries, simMemoryUse, simObservedEdges } from '../../../observe/sources/simulated/sim-observation.ts';
import { SimulatedHistoryProbe } from '../../../observe/sources/simulated/simulated-probe.ts';
import { applyLoad, SIM_METRICS_CONTENT_TYPE, simMetricsText, type SimCloud } from '../../../sim/index.ts';

const component = z.object({ namespace: z.string().min(1), component: z.string().min(1) });
const window = z.object({ fromS: z.number(), toS: z.number() });
const owner = z.object({
  application: z.string(),
  department: z.string(),
  vendor: z.string().optional(),
  publisher: z.string().optional(),
  revision: z.string().optional(),
});
const BODIES = {
  '/v1/load': z.object({
    namespace: z.string().min(1),
    targets: z.array(z.object({ component: z.string().min(1), baseRps: z.number().nonnegative() })),
    factor: z.number().min(0).max(1000),
    untilMs: z.number().optional(),
  }),
  '/v1/metrics': z.object({ components: z.array(component) }),
  '/v1/scenario-rps': component.extend({ fromMs: z.number(), toMs: z.number(), stepMs: z.number().positive() }),
  '/v1/history-sample': z.object({ targets: z.array(component.extend({ tenant: z.string(), app: z.string() })) }),
  '/v1/observation': window.extend({
    calls: z.array(z.tuple([z.string(), z.array(z.string())])),
    owners: z.array(z.tuple([z.string(), owner])),
  }),
  '/v1/call-series': window,
} as const;

/**
 * The served cloud's load and metrics (sim-server.ts): what `polis sim load`, the autoscaler, alerts, the history
 * sampler and metering read or set, so that every replica acts on the one cloud. Answers `true` when `path` was
 * one of these; the caller sends the 404 otherwise.
 *
 * `POST /v1/load` {namespace, targets, factor, untilMs?} · `POST /v1/metrics` {components: [{namespace, component}]}
 * · `POST /v1/scenario-rps` {namespace, component, fromMs, toMs, stepMs} · `POST /v1/history-sample` {targets}
 * · `GET /v1/memory` · `POST /v1/observation` {fromS, toS, calls: [[from, [to]]], owners: [[component, owner]]}: what
 * the incident engine reads, with the declared calls given to the mesh first · `POST /v1/call-series` {fromS, toS}:
 * the mesh's calls between components, for the marketplace's counts · `GET /v1/observed-edges`: the calls it saw
 * last, for the topology · `GET /v1/exposition`: the cloud in Prometheus exposition format.
 */
export async function servedObservation(
  sim: SimCloud,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  read: () => Promise<unknown>,
  send: (res: ServerResponse, status: number, body: unknown) => void,
): Promise<boolean> {
  if (req.method === 'GET' && path === '/v1/memory') {
    send(res, 200, { items: [...simMemoryUse(sim)] });
    return true;
  }
  if (req.method === 'GET' && path === '/v1/exposition') {
    res.writeHead(200, { 'content-type': SIM_METRICS_CONTENT_TYPE });
    res.end(simMetricsText(sim));
    return true;
  }
  if (req.method === 'GET' && path === '/v1/observed-edges') {
    send(res, 200, { edges: simObservedEdges(sim, Math.floor(sim.now() / 1000)) });
    return true;
  }
  if (req.method !== 'POST') return false;
  // A malformed request (from a client of another version) is told what was wrong and where, and changes nothing.
  const parse = async <S extends z.ZodType>(schema: S): Promise<z.infer<S> | undefined> => {
    const parsed = schema.safeParse((await read()) ?? {});
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0]!;
    send(res, 400, { error: 'invalid', path: issue.path.join('.'), message: issue.message });
    return undefined;
  };
  switch (path) {
    case '/v1/load': {
      const b = await parse(BODIES[path]);
      if (b) send(res, 200, { components: applyLoad(sim, b.namespace, b.targets, b.factor, b.untilMs) });
      return true;
    }
    case '/v1/metrics': {
      const b = await parse(BODIES[path]);
      if (b)
        send(res, 200, {
          now: sim.now(),
          items: b.components.map((r) => sim.componentMetrics(r.namespace, r.component)),
        });
      return true;
    }
    case '/v1/scenario-rps': {
      const b = await parse(BODIES[path]);
      if (b) {
        const grid = historyGrid(b.fromMs, b.toMs, b.stepMs);
        send(res, 200, { values: grid.map((t) => sim.scenarioRps(b.namespace, b.component, t) ?? null) });
      }
      return true;
    }
    case '/v1/history-sample': {
      const b = await parse(BODIES[path]);
      if (b) send(res, 200, { samples: await new SimulatedHistoryProbe(sim).sample(b.targets) });
      return true;
    }
    case '/v1/observation': {
      const b = await parse(BODIES[path]);
      if (b) {
        const declared = { calls: new Map(b.calls), owners: new Map(b.owners) };
        send(res, 200, { observation: observeDeclared(sim, b.fromS, b.toS, declared) });
      }
      return true;
    }
    case '/v1/call-series': {
      const b = await parse(BODIES[path]);
      if (b) send(res, 200, { items: simCallSeries(sim)(b.fromS, b.toS) });
      return true;
    }
    default:
      return false;
  }
}
