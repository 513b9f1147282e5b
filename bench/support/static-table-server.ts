import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Agent } from 'node:https';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';

/**
 * kubectl's floor: an https server that answers a list path with bodies captured from polis beforehand (the same
 * Table JSON, byte for byte, keyed by the `continue` and `limit` of the request) and proxies everything else
 * (discovery) to polis. kubectl against it costs what kubectl itself costs: process start, TLS, its client-side
 * throttling, decoding and printing; the server's share is a map lookup.
 */
export interface StaticTableServer {
  readonly url: string;
  stop(): Promise<void>;
}

/** The key a captured body is served under: the list path with its `limit` and `continue` (absent = ''). */
export function captureKey(path: string, limit: string | null, cont: string | null): string {
  return `${path}?limit=${limit ?? ''}&continue=${cont ?? ''}`;
}

export async function startStaticTableServer(opts: {
  readonly cert: Buffer;
  readonly key: Buffer;
  /** captureKey(...) → the exact body polis sent. */
  readonly bodies: ReadonlyMap<string, string>;
  /** Where everything not captured goes. */
  readonly upstream: string;
  readonly agent: Agent;
}): Promise<StaticTableServer> {
  const server = createServer({ cert: opts.cert, key: opts.key }, (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const body = opts.bodies.get(
      captureKey(url.pathname, url.searchParams.get('limit'), url.searchParams.get('continue')),
    );
    if (body !== undefined && !url.searchParams.has('watch')) {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    const up = request(
      new URL(req.url ?? '/', opts.upstream),
      { method: req.method, headers: { ...req.headers, host: new URL(opts.upstream).host }, agent: opts.agent },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
