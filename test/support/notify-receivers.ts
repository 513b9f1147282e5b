import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';

/** One request an HTTP receiver got. */
export interface Received {
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  /** Why the receiver refused it, if it did (a bad signature, a wrong shape). */
  readonly refused?: string;
}

/**
 * HTTP receivers on loopback playing DingTalk's and WeCom's robots, an SMS gateway and a webhook:
 * `/dingtalk` checks the signature as DingTalk does (timestamp within an hour of `now()`, sign = base64 HMAC-SHA256
 * of "timestamp\nsecret"), `/wecom` the markdown payload's shape; `/flaky` answers 503 `flakyFailures` times first.
 * Robots answer `{errcode, errmsg}` as theirs do.
 */
export async function startReceivers(opts: {
  dingtalkSecret: string;
  now: () => number;
  flakyFailures?: number;
}): Promise<{
  readonly url: string;
  readonly received: Received[];
  close(): Promise<void>;
}> {
  const received: Received[] = [];
  let flaky = opts.flakyFailures ?? 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://127.0.0.1');
      const answer = (status: number, json: unknown, refused?: string) => {
        received.push({
          path: u.pathname,
          query: u.searchParams,
          headers: req.headers,
          body,
          ...(refused ? { refused } : {}),
        });
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(json));
      };
      if (u.pathname === '/dingtalk') {
        const ts = Number(u.searchParams.get('timestamp'));
        const sign = u.searchParams.get('sign') ?? '';
        const expected = createHmac('sha256', opts.dingtalkSecret)
          .update(`${ts}\n${opts.dingtalkSecret}`)
          .digest('base64');
        if (!(Math.abs(opts.now() - ts) < 3_600_000) || sign !== expected)
          return answer(200, { errcode: 310000, errmsg: 'sign not match' }, 'signature');
        const m = JSON.parse(body) as { msgtype?: string; markdown?: { title?: unknown; text?: unknown } };
        if (m.msgtype !== 'markdown' || typeof m.markdown?.title !== 'string' || typeof m.markdown.text !== 'string')
          return answer(200, { errcode: 40035, errmsg: 'bad payload' }, 'shape');
        return answer(200, { errcode: 0, errmsg: 'ok' });
      }
      if (u.pathname === '/wecom') {
        const m = JSON.parse(body) as { msgtype?: string; markdown?: { content?: unknown } };
        const ok =
          u.searchParams.get('key') !== null &&
          m.msgtype === 'markdown' &&
          typeof m.markdown?.content === 'string' &&
          Buffer.byteLength(m.markdown.content, 'utf8') <= 4096 &&
          Object.keys(m).length === 2 &&
          Object.keys(m.markdown).length === 1;
        return ok
          ? answer(200, { errcode: 0, errmsg: 'ok' })
          : answer(200, { errcode: 40008, errmsg: 'invalid message type' }, 'shape');
      }
      if (u.pathname === '/flaky' && flaky > 0) {
        flaky--;
        return answer(503, { error: 'busy' }, 'busy');
      }
      return answer(200, { ok: true });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
