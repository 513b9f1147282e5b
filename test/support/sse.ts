import { request } from 'node:http';

export interface SseEvent {
  readonly id?: string;
  readonly event: string;
  readonly data: { type: string; object: Record<string, unknown> };
}

/** Opens an SSE stream and collects its events until `close()`; resolves `status` with the HTTP status. */
export function openSse(url: string, token: string, headers: Record<string, string> = {}) {
  const events: SseEvent[] = [];
  let status!: (code: number, body: string) => void;
  let ended!: () => void;
  const endedPromise = new Promise<void>((resolve) => (ended = resolve));
  const statusPromise = new Promise<{ code: number; body: string }>(
    (resolve) => (status = (code, body) => resolve({ code, body })),
  );
  const req = request(
    url,
    { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream', ...headers } },
    (res) => {
      res.setEncoding('utf8');
      if (res.statusCode !== 200) {
        let body = '';
        res.on('data', (c: string) => (body += c));
        res.on('end', () => status(res.statusCode ?? 0, body));
        return;
      }
      status(200, '');
      res.on('end', () => ended());
      res.on('close', () => ended());
      let buf = '';
      res.on('data', (chunk: string) => {
        buf += chunk;
        let idx;
        while ((idx = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, idx);
          buf = buf.slice(idx + 2);
          const fields: Record<string, string> = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) continue;
            const c = line.indexOf(':');
            fields[line.slice(0, c)] = line.slice(c + 1).trimStart();
          }
          if (fields.event && fields.data)
            events.push({ id: fields.id, event: fields.event, data: JSON.parse(fields.data) });
        }
      });
    },
  );
  req.on('error', () => ended());
  req.end();
  return {
    events,
    status: statusPromise,
    /** Resolves when the server ended the stream (or the connection broke). */
    ended: endedPromise,
    close: () => req.destroy(),
    async until(pred: (events: SseEvent[]) => boolean, ms = 30_000): Promise<void> {
      const end = Date.now() + ms;
      while (!pred(events)) {
        if (Date.now() > end) throw new Error(`SSE condition not met; got ${events.map((e) => e.event).join(',')}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };
}
