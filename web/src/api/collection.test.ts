import { afterEach, describe, expect, it, vi } from 'vitest';
import { Collection } from './collection.ts';
import type { KubeObject } from './watch-reducer.ts';

const app = (name: string, rv: number): KubeObject => ({
  apiVersion: 'core.oam.dev/v1beta1',
  kind: 'Application',
  metadata: { name, tenant: 'edu', resourceVersion: String(rv) },
});

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status });

/** A watch response that sends `frames` and then ends, as the server does at timeoutSeconds. */
function stream(frames: string[]): Response {
  const enc = new TextEncoder();
  return new Response(
    new ReadableStream({
      start(c) {
        for (const f of frames) c.enqueue(enc.encode(f));
        c.close();
      },
    }),
    { headers: { 'content-type': 'text/event-stream' } },
  );
}
const frame = (type: string, o: KubeObject) =>
  `id: ${o.metadata.resourceVersion}\nevent: ${type}\ndata: ${JSON.stringify({ type, object: o })}\n\n`;

afterEach(() => vi.unstubAllGlobals());

async function until(check: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('a list-then-watch collection', () => {
  it('lists every page, watches from the first page’s revision, resumes from the last one seen, and lists again on 410', async () => {
    const urls: string[] = [];
    let watches = 0;
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) => {
        urls.push(url);
        if (url.includes('watch=true')) {
          watches++;
          if (watches === 1) return stream([frame('MODIFIED', app('a', 12)), frame('ADDED', app('c', 13))]);
          if (watches === 2) return json({ kind: 'Status', code: 410, reason: 'Gone', message: 'compacted' }, 410);
          return new Promise<Response>(() => {});
        }
        // After the 410: the relist shows that b was deleted meanwhile.
        if (watches >= 2) return json({ metadata: { resourceVersion: '20' }, items: [app('a', 12), app('c', 13)] });
        if (url.includes('continue=')) return json({ metadata: { resourceVersion: '11' }, items: [app('b', 5)] });
        return json({ metadata: { resourceVersion: '10', continue: 'p2' }, items: [app('a', 3)] });
      }),
    );
    const c = new Collection<KubeObject>({ path: '/apis/core.oam.dev/v1beta1/applications', pageSize: 1 });
    c.start();
    try {
      await until(() => watches >= 3);
      await until(() => c.getSnapshot().state.items.size === 2 && !c.getSnapshot().state.items.has('edu/b'));
      const s = c.getSnapshot();
      expect([...s.state.items.keys()].sort()).toEqual(['edu/a', 'edu/c']);
      expect(s.state.items.get('edu/a')!.metadata.resourceVersion).toBe('12');
      const watchUrls = urls.filter((u) => u.includes('watch=true'));
      expect(watchUrls[0]).toContain('resourceVersion=10');
      expect(watchUrls[1]).toContain('resourceVersion=13');
      expect(watchUrls[2]).toContain('resourceVersion=20');
      expect(urls.filter((u) => u.includes('limit=1')).length).toBeGreaterThanOrEqual(3);
    } finally {
      c.stop();
    }
  });

  it('stops on 403 and says why, without retrying', async () => {
    const fetch = vi.fn(async () =>
      json({ kind: 'Status', code: 403, reason: 'Forbidden', message: 'not your department' }, 403),
    );
    vi.stubGlobal('fetch', fetch);
    const c = new Collection<KubeObject>({ path: '/apis/core.oam.dev/v1beta1/tenants/tax/applications' });
    c.start();
    await until(() => c.getSnapshot().error !== undefined);
    await new Promise((r) => setTimeout(r, 50));
    expect(c.getSnapshot().error).toMatchObject({ code: 403, message: 'not your department' });
    expect(fetch).toHaveBeenCalledTimes(1);
    c.stop();
  });

  it('lists again when watches end twice in a row without delivering anything, instead of resuming for ever', async () => {
    const urls: string[] = [];
    let lists = 0;
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) => {
        urls.push(url);
        if (url.includes('watch=true')) {
          // The server cuts the stream before its first event (a replay too big for its buffer).
          if (lists === 1) return new Response(new ReadableStream({ start: (c) => c.error(new Error('cut')) }));
          return new Promise<Response>(() => {});
        }
        lists++;
        return json({
          metadata: { resourceVersion: lists === 1 ? '10' : '500' },
          items: [app('a', lists === 1 ? 3 : 499)],
        });
      }),
    );
    const c = new Collection<KubeObject>({ path: '/apis/core.oam.dev/v1beta1/applications' });
    c.start();
    try {
      await until(() => lists === 2 && urls.filter((u) => u.includes('watch=true')).length === 3);
      const watchUrls = urls.filter((u) => u.includes('watch=true'));
      expect(watchUrls.map((u) => /resourceVersion=(\d+)/.exec(u)![1])).toEqual(['10', '10', '500']);
      await until(() => c.getSnapshot().state.items.get('edu/a')?.metadata.resourceVersion === '499');
    } finally {
      c.stop();
    }
  });
});
