/** resource.Quantity parsing, enough for scheduling by requests: "500m", "2", "128Mi", "1G", "1e3". */

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/** The quantity as a number of base units (cores, bytes); NaN when it is not a quantity. */
export function parseQuantity(q: unknown): number {
  if (typeof q === 'number') return q;
  if (typeof q !== 'string') return Number.NaN;
  const m = /^([+-]?[0-9.]+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?[0-9]+)?$/.exec(q.trim());
  if (!m) return Number.NaN;
  const n = Number(m[1]);
  const suffix = m[2] ?? '';
  if (suffix in BINARY) return n * (BINARY[suffix] as number);
  if (suffix in DECIMAL) return n * (DECIMAL[suffix] as number);
  return Number(`${m[1]}${suffix}`);
}

export interface Requests {
  cpu: number;
  memory: number;
}

/** A pod's requests: the sum over its containers; a container's requests default to its limits. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function podRequests(pod: Record<string, any>): Requests {
  const total = { cpu: 0, memory: 0 };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  for (const c of (pod.spec?.containers ?? []) as Record<string, any>[]) {
    const req = { ...(c.resources?.limits ?? {}), ...(c.resources?.requests ?? {}) };
    total.cpu += parseQuantity(req.cpu ?? 0) || 0;
    total.memory += parseQuantity(req.memory ?? 0) || 0;
  }
  return total;
}
