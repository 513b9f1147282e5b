/**
 * The load generator of api-mixed-load, run as a process of its own (`node bench/support/load-
 * generator.ts '<json>'`) so that it does not share an event loop with the server or the orchestrating script.
 * Prints one JSON line: the LoadResult.
 */
import autocannon from 'autocannon';
import type { Request } from 'autocannon';
import { applicationDoc, applicationName, tenantName } from './oam-fixtures.ts';

export type LoadMode = 'health' | 'mixed';

export interface LoadSpec {
  readonly url: string;
  readonly token: string;
  readonly mode: LoadMode;
  readonly connections: number;
  readonly durationSec: number;
  readonly warmupSec: number;
  readonly tenants: number;
  readonly appsPerTenant: number;
}

export interface OpStats {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
}

export interface LoadResult {
  readonly mode: LoadMode;
  readonly requests: number;
  readonly durationSec: number;
  /** Mean of autocannon's per-second request counts. */
  readonly rps: number;
  /** Latency over every response, in ms (exact, from each response's own time). */
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly statusCodes: Record<string, number>;
  /** Per kind of request: get, replace, list (mixed mode). */
  readonly ops: Record<string, OpStats>;
}

type Op = 'get' | 'replace' | 'list' | 'health';

function mixedRequest(spec: LoadSpec): Request {
  const auth = `Bearer ${spec.token}`;
  let edits = 0;
  return {
    setupRequest(_req, context): Request {
      const t = Math.floor(Math.random() * spec.tenants);
      const a = Math.floor(Math.random() * spec.appsPerTenant);
      const base = `/apis/core.oam.dev/v1beta1/tenants/${tenantName(t)}/applications`;
      const r = Math.random();
      // Always a fresh headers object: autocannon adds Content-Length to the one it is given.
      if (r < 0.8) {
        context.op = 'get';
        return { method: 'GET', path: `${base}/${applicationName(t, a)}`, headers: { authorization: auth } };
      }
      if (r < 0.95) {
        context.op = 'replace';
        // Unconditional replace (no resourceVersion) with a changed annotation: always a real write.
        const body = JSON.stringify(applicationDoc(t, a, `edit-${process.pid}-${++edits}`));
        return {
          method: 'PUT',
          path: `${base}/${applicationName(t, a)}`,
          headers: { authorization: auth, 'content-type': 'application/json' },
          body,
        };
      }
      context.op = 'list';
      return { method: 'GET', path: `${base}?limit=100`, headers: { authorization: auth } };
    },
  };
}

async function run(spec: LoadSpec, durationSec: number, record: boolean): Promise<LoadResult> {
  const requests =
    spec.mode === 'health'
      ? [
          {
            method: 'GET',
            path: '/healthz',
            setupRequest: (req: Request, context: Record<string, unknown>) => ((context.op = 'health'), req),
          },
        ]
      : [mixedRequest(spec)];
  const instance = autocannon({
    url: spec.url,
    connections: spec.connections,
    pipelining: 1,
    duration: durationSec,
    timeout: 10,
    requests,
  });
  const latencies: number[] = [];
  const byOp = new Map<string, number[]>();
  if (record) {
    instance.on('response', (client, _status, _bytes, responseTime) => {
      latencies.push(responseTime);
      // With pipelining 1 the client's context still holds the answered request's op here.
      const op = String((client.requestIterator?.context?.op as Op | undefined) ?? 'unknown');
      let list = byOp.get(op);
      if (!list) byOp.set(op, (list = []));
      list.push(responseTime);
    });
  }
  const result = await instance;
  const sorted = latencies.sort((x, y) => x - y);
  const pct = (xs: number[], p: number) =>
    xs.length === 0 ? Number.NaN : xs[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;
  const ops: Record<string, OpStats> = {};
  for (const [op, xs] of byOp) {
    xs.sort((x, y) => x - y);
    ops[op] = { count: xs.length, p50: pct(xs, 50), p99: pct(xs, 99) };
  }
  return {
    mode: spec.mode,
    requests: result.requests.total,
    durationSec: result.duration,
    rps: result.requests.average,
    p50: pct(sorted, 50),
    p99: pct(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count])),
    ops,
  };
}

const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;
if (spec.warmupSec > 0) await run(spec, spec.warmupSec, false);
const result = await run(spec, spec.durationSec, true);
process.stdout.write(`${JSON.stringify(result)}\n`);
