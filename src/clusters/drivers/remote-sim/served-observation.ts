import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ComponentTarget } from '../../../observe/history/history-probe.ts';
import { historyGrid } from '../../../observe/metrics-source.ts';
import { simMemoryUse } from '../../../observe/sources/simulated/sim-observation.ts';
import { SimulatedHistoryProbe } from '../../../observe/sources/simulated/simulated-probe.ts';
import { applyLoad, type LoadTarget, type SimCloud } from '../../../sim/index.ts';

/** The body of a served-observation request, as the client (RemoteSim) sends it. */
type Body = Record<string, unknown>;

/**
 * The served cloud's load and metrics (sim-server.ts): what `polis sim load`, the autoscaler, alerts, the history
 * sampler and metering read or set, so that every replica acts on the one cloud. Answers `true` when `path` was
 * one of these; the caller sends the 404 otherwise.
 *
 * `POST /v1/load` {namespace, targets, factor, untilMs?} · `POST /v1/metrics` {components: [{namespace, component}]}
 * · `POST /v1/scenario-rps` {namespace, component, fromMs, toMs, stepMs} · `POST /v1/history-sample` {targets}
 * · `GET /v1/memory`.
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
  if (req.method !== 'POST') return false;
  const body = async () => ((await read()) ?? {}) as Body;
  switch (path) {
    case '/v1/load': {
      const b = await body();
      const untilMs = typeof b.untilMs === 'number' ? b.untilMs : undefined;
      const components = applyLoad(sim, String(b.namespace), b.targets as LoadTarget[], Number(b.factor), untilMs);
      send(res, 200, { components });
      return true;
    }
    case '/v1/metrics': {
      const b = await body();
      const refs = (b.components ?? []) as { namespace: string; component: string }[];
      send(res, 200, { now: sim.now(), items: refs.map((r) => sim.componentMetrics(r.namespace, r.component)) });
      return true;
    }
    case '/v1/scenario-rps': {
      const b = await body();
      const grid = historyGrid(Number(b.fromMs), Number(b.toMs), Number(b.stepMs));
      const ns = String(b.namespace);
      const component = String(b.component);
      send(res, 200, { values: grid.map((t) => sim.scenarioRps(ns, component, t) ?? null) });
      return true;
    }
    case '/v1/history-sample': {
      const b = await body();
      const samples = await new SimulatedHistoryProbe(sim).sample((b.targets ?? []) as ComponentTarget[]);
      send(res, 200, { samples });
      return true;
    }
    default:
      return false;
  }
}
