import { Agent, createServer, get, type Server, type ServerResponse } from 'node:http';
import { connect, Socket, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WatchFrame, WatchFrameWriter } from './watch-frames.ts';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r) ?? r(undefined));
  server = undefined;
});

/** A server whose responses to /watch get `frames` through a WatchFrameWriter and end; any other path gets "ok". */
async function serve(frames: readonly WatchFrame[]): Promise<number> {
  server = createServer((req, res: ServerResponse) => {
    if (req.url !== '/watch') return res.end('ok');
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.flushHeaders();
    const out = new WatchFrameWriter(res);
    for (const f of frames) out.write(f);
    setImmediate(() => res.end());
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return (server!.address() as AddressInfo).port;
}

function fetchText(port: number, path: string, agent: Agent): Promise<{ text: string; socket: Socket }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ text, socket: res.socket }));
    }).on('error', reject);
  });
}

describe('watch frames', () => {
  const frames = [new WatchFrame('id: 1\nevent: ADDED\ndata: {"name":"é"}\n\n'), new WatchFrame(': keep-alive\n\n')];

  it('reach an HTTP/1.1 client whole, in order, and the connection serves the next request', async () => {
    const port = await serve(frames);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await fetchText(port, '/watch', agent);
      expect(first.text).toBe(frames.map((f) => f.bytes.toString('utf8')).join(''));
      const second = await fetchText(port, '/other', agent);
      expect(second.text).toBe('ok');
      expect(second.socket).toBe(first.socket);
    } finally {
      agent.destroy();
    }
  });

  it('go without chunk framing to an HTTP/1.0 client, the end of the stream closing the connection', async () => {
    const port = await serve(frames);
    const raw = await new Promise<string>((resolve, reject) => {
      let text = '';
      const s = connect(port, '127.0.0.1', () => s.write('GET /watch HTTP/1.0\r\n\r\n'));
      s.setEncoding('utf8');
      s.on('data', (d: string) => (text += d));
      s.on('end', () => resolve(text));
      s.on('error', reject);
    });
    expect(raw.slice(raw.indexOf('\r\n\r\n') + 4)).toBe(frames.map((f) => f.bytes.toString('utf8')).join(''));
  });

  it('leave in one socket write per flush, a run of frames joined once for every stream that sends it', async () => {
    const run = [
      new WatchFrame('id: 7\nevent: MODIFIED\ndata: {}\n\n'),
      new WatchFrame('id: 8\nevent: MODIFIED\ndata: {}\n\n'),
    ];
    const sent: unknown[][] = [];
    const writers: WatchFrameWriter[] = [];
    server = createServer((_req, res: ServerResponse) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders();
      const socket = res.socket!;
      const writes: unknown[] = [];
      sent.push(writes);
      const write = socket.write.bind(socket) as (chunk: unknown) => boolean;
      socket.write = ((chunk: unknown) => (writes.push(chunk), write(chunk))) as typeof socket.write;
      writers.push(new WatchFrameWriter(res));
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const agent = new Agent({ keepAlive: true, maxSockets: 2 });
    const texts = ['', ''];
    try {
      for (const i of [0, 1])
        get({ host: '127.0.0.1', port, path: '/watch', agent }, (res) => {
          res.setEncoding('utf8');
          res.on('data', (d: string) => (texts[i] += d));
        });
      await expect.poll(() => writers.length, { timeout: 10_000 }).toBe(2);
      for (const w of writers) for (const f of run) w.write(f);
      for (const w of writers) w.flush();
      const expected = run.map((f) => f.bytes.toString('utf8')).join('');
      await expect.poll(() => texts, { timeout: 10_000 }).toEqual([expected, expected]);
      expect(sent.map((w) => w.length)).toEqual([1, 1]);
      expect(sent[0]![0]).toBe(sent[1]![0]);
    } finally {
      agent.destroy();
    }
  });

  it('encode a frame once: its chunk is one Buffer shared by every writer', () => {
    const f = new WatchFrame('data: ü\n\n');
    expect(f.chunk).toBe(f.chunk);
    expect(f.chunk.toString('utf8')).toBe(`${f.bytes.length.toString(16)}\r\ndata: ü\n\n\r\n`);
  });
});
