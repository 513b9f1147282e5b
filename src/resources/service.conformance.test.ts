import { afterEach, beforeEach, expect, it } from 'vitest';
import { z } from 'zod';
import { forEachBackend } from '../../test/setup/backends.ts';
import { ManualClock } from '../kernel/clock.ts';
import { ConflictError, GoneError, InputError, NotFoundError } from '../kernel/errors.ts';
import { ChangeFeed } from './change-feed.ts';
import type { ChangeEvent, Store } from './store.ts';
import { defineKind } from './kind-schema.ts';
import { KindRegistry } from './registry.ts';
import type { StoredObject } from './envelope.ts';
import type { AdmissionPlugin } from './service.ts';
import { ResourceService } from './service.ts';

const WIDGET_OPTS = {
  group: 'test.polis.io',
  version: 'v1',
  kind: 'Widget',
  plural: 'widgets',
  scope: 'tenant',
  category: 'workload',
  description: 'a test kind',
  spec: z.object({ size: z.number().int().min(0), color: z.string().optional() }).strict(),
  status: z.object({ phase: z.string() }).strict(),
} as const;
const widget = defineKind(WIDGET_OPTS);
const gadget = defineKind({
  group: 'test.polis.io',
  version: 'v1',
  kind: 'Gadget',
  plural: 'gadgets',
  scope: 'platform',
  category: 'infrastructure',
  description: 'a platform-scoped test kind',
  spec: z.object({ count: z.number().int() }).strict(),
});

const ctx = { actor: 'tester', requestId: 'r1' };
const w = (name: string, size = 1, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'test.polis.io/v1',
  kind: 'Widget',
  metadata: { name, tenant: 'edu', ...extra },
  spec: { size },
});

forEachBackend('resource service', (backend) => {
  let store: Store;
  let service: ResourceService;
  let feed: ChangeFeed;
  const clock = new ManualClock('2026-11-24T08:00:00Z');
  const admitted: string[] = [];
  const recordAdmission: AdmissionPlugin = async ({ operation, object }) => {
    admitted.push(`${operation}:${object.metadata.name}`);
    if (object.metadata.name === 'refused') throw new ConflictError('refused by admission');
  };

  beforeEach(async () => {
    store = await backend.open();
    const registry = new KindRegistry();
    registry.register(widget);
    registry.register(gadget);
    feed = new ChangeFeed({ store, pollMs: 50 });
    await feed.start();
    service = new ResourceService({
      store,
      registry,
      clock,
      admission: [recordAdmission],
      afterCommit: () => feed.nudge(),
    });
    admitted.length = 0;
  });
  afterEach(async () => {
    feed.stop();
    await store.close();
  });

  it('creates an object with server-set metadata and reads it back', async () => {
    const created = await service.create(ctx, w('a', 3, { labels: { tier: 'web' } }));
    expect(created.metadata).toMatchObject({
      name: 'a',
      tenant: 'edu',
      generation: 1,
      creationTimestamp: '2026-11-24T08:00:00.000Z',
      labels: { tier: 'web' },
    });
    expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(await service.get('Widget', 'edu', 'a')).toEqual(created);
    expect(Object.keys(created)).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
  });

  it('answers a read as the stored text, which is the object read back, for a kind that hides and encodes nothing', async () => {
    const created = await service.create(ctx, w('as-stored', 3, { labels: { tier: 'web' } }));
    const text = await service.getText('Widget', 'edu', 'as-stored');
    expect(text).toBe(JSON.stringify(await service.get('Widget', 'edu', 'as-stored')));
    expect(JSON.parse(text!)).toEqual(created);
    await expect(service.getText('Widget', 'edu', 'missing')).rejects.toThrow(NotFoundError);
    await expect(service.getText('Widget', 'tax', 'as-stored')).rejects.toThrow(NotFoundError);
    // A kind with a hidden field is never answered as stored: its reads take the parsed path that removes it.
    const registry = new KindRegistry();
    registry.register(defineKind({ ...WIDGET_OPTS, kind: 'Vault', plural: 'vaults', sensitiveFields: ['spec'] }));
    const vaults = new ResourceService({ store, registry, clock });
    await vaults.create(ctx, { ...w('v'), kind: 'Vault' });
    expect(await vaults.getText('Vault', 'edu', 'v')).toBeUndefined();
  });

  it('refuses to create an object that exists, with 409 AlreadyExists', async () => {
    await service.create(ctx, w('a'));
    await expect(service.create(ctx, w('a'))).rejects.toMatchObject({ status: 409, reason: 'AlreadyExists' });
  });

  it('answers 409 to a replace with a stale resourceVersion and keeps the newer write', async () => {
    const v1 = await service.create(ctx, w('a', 1));
    const v2 = await service.replace(ctx, { ...w('a', 2), metadata: { ...v1.metadata } });
    await expect(service.replace(ctx, { ...w('a', 3), metadata: { ...v1.metadata } })).rejects.toBeInstanceOf(
      ConflictError,
    );
    expect((await service.get('Widget', 'edu', 'a')).spec).toEqual({ size: 2 });
    expect(Number(v2.metadata.resourceVersion)).toBeGreaterThan(Number(v1.metadata.resourceVersion));
  });

  it('loses no update when many writers read-modify-write the same object concurrently', async () => {
    await service.create(ctx, w('counter', 0));
    const writer = async () => {
      for (;;) {
        const cur = await service.get('Widget', 'edu', 'counter');
        const size = (cur.spec as { size: number }).size + 1;
        try {
          await service.replace(ctx, { ...cur, spec: { size } });
          return;
        } catch (e) {
          if (!(e instanceof ConflictError)) throw e;
        }
      }
    };
    await Promise.all(Array.from({ length: 25 }, writer));
    expect((await service.get('Widget', 'edu', 'counter')).spec).toEqual({ size: 25 });
  });

  it('moves generation only when the spec changes', async () => {
    const a = await service.create(ctx, w('a', 1));
    const relabelled = await service.patch(
      ctx,
      { kind: 'Widget', tenant: 'edu', name: 'a' },
      { metadata: { labels: { x: 'y' } } },
    );
    expect(relabelled.metadata.generation).toBe(1);
    expect(relabelled.metadata.resourceVersion).not.toBe(a.metadata.resourceVersion);
    const resized = await service.patch(ctx, { kind: 'Widget', tenant: 'edu', name: 'a' }, { spec: { size: 2 } });
    expect(resized.metadata.generation).toBe(2);
  });

  it('writes nothing when a replace changes nothing', async () => {
    const a = await service.create(ctx, w('a', 1));
    const before = await store.currentRevision();
    const same = await service.replace(ctx, w('a', 1));
    expect(same.metadata.resourceVersion).toBe(a.metadata.resourceVersion);
    expect(await store.currentRevision()).toBe(before);
  });

  it('treats status as a subresource: ignored on create and replace, written only through status', async () => {
    const a = await service.create(ctx, { ...w('a'), status: { phase: 'Fake' } });
    expect(a.status).toBeUndefined();
    const withStatus = await service.patch(
      ctx,
      { kind: 'Widget', tenant: 'edu', name: 'a' },
      { status: { phase: 'Running' } },
      { subresource: 'status' },
    );
    expect(withStatus.status).toEqual({ phase: 'Running' });
    expect(withStatus.metadata.generation).toBe(1);
    const replaced = await service.replace(ctx, { ...w('a', 5), status: { phase: 'Overwritten' } });
    expect(replaced.status).toEqual({ phase: 'Running' });
    await expect(
      service.patch(
        ctx,
        { kind: 'Widget', tenant: 'edu', name: 'a' },
        { status: { phase: 3 } },
        { subresource: 'status' },
      ),
    ).rejects.toMatchObject({
      status: 422,
      causes: [{ path: 'status.phase', message: expect.stringContaining('expected string') }],
    });
  });

  it('writes many statuses in one commit, each item succeeding or failing on its own', async () => {
    const a = await service.create(ctx, w('a'));
    const b = await service.create(ctx, w('b'));
    await service.replace(ctx, w('b', 9)); // b's resourceVersion moves on: the batch's copy is stale
    const before = await store.currentRevision();
    const results = await service.replaceStatusMany(ctx, [
      { ...a, status: { phase: 'Running' } },
      { ...b, status: { phase: 'Running' } },
      { ...w('missing'), status: { phase: 'Running' } },
      { ...a, metadata: { ...a.metadata, name: 'a' }, status: { phase: 7 } },
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, false, false, false]);
    expect((results[1] as { error: { status: number } }).error.status).toBe(409);
    expect((results[2] as { error: { status: number } }).error.status).toBe(404);
    expect((results[3] as { error: { status: number } }).error.status).toBe(422);
    expect((await service.get('Widget', 'edu', 'a')).status).toEqual({ phase: 'Running' });
    expect((await service.get('Widget', 'edu', 'b')).status).toBeUndefined();
    expect(await store.currentRevision()).toBe(before + 1);
  });

  it('keeps an object with finalizers until they are removed, then deletes it', async () => {
    await service.create(ctx, w('a', 1, { finalizers: ['polis.io/cleanup'] }));
    const marked = await service.delete(ctx, { kind: 'Widget', tenant: 'edu', name: 'a' });
    expect(marked.metadata.deletionTimestamp).toBe('2026-11-24T08:00:00.000Z');
    expect((await service.get('Widget', 'edu', 'a')).metadata.deletionTimestamp).toBeDefined();
    await expect(
      service.patch(
        ctx,
        { kind: 'Widget', tenant: 'edu', name: 'a' },
        { metadata: { finalizers: ['polis.io/cleanup', 'new'] } },
      ),
    ).rejects.toBeInstanceOf(ConflictError);
    await service.patch(ctx, { kind: 'Widget', tenant: 'edu', name: 'a' }, { metadata: { finalizers: null } });
    await expect(service.get('Widget', 'edu', 'a')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('deletes at once without finalizers and honours a resourceVersion precondition', async () => {
    const a = await service.create(ctx, w('a'));
    await service.patch(ctx, { kind: 'Widget', tenant: 'edu', name: 'a' }, { spec: { size: 9 } });
    await expect(
      service.delete(
        ctx,
        { kind: 'Widget', tenant: 'edu', name: 'a' },
        { resourceVersion: a.metadata.resourceVersion },
      ),
    ).rejects.toBeInstanceOf(ConflictError);
    await service.delete(ctx, { kind: 'Widget', tenant: 'edu', name: 'a' });
    await expect(service.get('Widget', 'edu', 'a')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('stores nothing on a dry run but runs admission', async () => {
    const dry = await service.create(ctx, w('a'), {}, { dryRun: true });
    expect(dry.metadata.name).toBe('a');
    expect(admitted).toEqual(['create:a']);
    await expect(service.get('Widget', 'edu', 'a')).rejects.toBeInstanceOf(NotFoundError);
    expect((await store.queryAudit({})).items).toHaveLength(0);
  });

  it('applies many documents all or nothing', async () => {
    await service.create(ctx, w('existing', 1));
    const results = await service.apply(ctx, [w('existing', 2), w('fresh', 1), w('existing2', 1)]);
    expect(results.map((r) => r.action)).toEqual(['configured', 'created', 'created']);
    const again = await service.apply(ctx, [w('existing', 2)]);
    expect(again[0]!.action).toBe('unchanged');
    const rev = await store.currentRevision();
    await expect(service.apply(ctx, [w('later', 1), w('refused', 1)])).rejects.toThrow('refused by admission');
    await expect(service.get('Widget', 'edu', 'later')).rejects.toBeInstanceOf(NotFoundError);
    expect(await store.currentRevision()).toBe(rev);
    await expect(service.apply(ctx, [w('dup'), w('dup')])).rejects.toMatchObject({
      causes: [{ path: 'documents[1].metadata.name' }],
    });
  });

  it('names every invalid field with its path and stores nothing', async () => {
    const bad = {
      apiVersion: 'test.polis.io/v1',
      kind: 'Widget',
      metadata: { name: 'Bad_Name', tenant: 'edu', colour: 'x' },
      spec: { size: -1, extra: true },
    };
    const err = await service.create(ctx, bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    const paths = (err as InputError).causes.map((c) => c.path).sort();
    expect(paths).toEqual(['metadata.colour', 'metadata.name', 'spec.extra', 'spec.size']);
    expect(await store.currentRevision()).toBe(0);
  });

  it('records an audit entry for every change, in the same transaction', async () => {
    await service.create(ctx, w('a', 1));
    await service.patch(ctx, { kind: 'Widget', tenant: 'edu', name: 'a' }, { spec: { size: 2 } });
    await service.delete(ctx, { kind: 'Widget', tenant: 'edu', name: 'a' });
    const { items } = await store.queryAudit({ tenant: 'edu' });
    expect(items.map((e) => [e.verb, e.name, e.outcome])).toEqual([
      ['create', 'a', 'success'],
      ['patch', 'a', 'success'],
      ['delete', 'a', 'success'],
    ]);
    expect(items[1]!.changes).toEqual({ spec: { size: 2 } });
  });

  it('keeps platform-scoped objects out of any department', async () => {
    const g = await service.create(ctx, {
      apiVersion: 'test.polis.io/v1',
      kind: 'Gadget',
      metadata: { name: 'g' },
      spec: { count: 1 },
    });
    expect(g.metadata.tenant).toBeUndefined();
    await expect(
      service.create(ctx, {
        apiVersion: 'test.polis.io/v1',
        kind: 'Gadget',
        metadata: { name: 'h', tenant: 'edu' },
        spec: { count: 1 },
      }),
    ).rejects.toMatchObject({
      causes: [{ path: 'metadata.tenant' }],
    });
  });

  it('streams changes to a watcher and resumes one from a revision without gap or repeat', async () => {
    const seen: ChangeEvent[] = [];
    const sub = feed.subscribe({
      from: 0,
      filter: { kind: 'Widget' },
      onEvent: (e) => seen.push(e),
      onError: (e) => {
        throw e;
      },
    });
    const a = await service.create(ctx, w('a'));
    await service.patch(ctx, { kind: 'Widget', tenant: 'edu', name: 'a' }, { spec: { size: 2 } });
    await service.delete(ctx, { kind: 'Widget', tenant: 'edu', name: 'a' });
    await feed.sync();
    await waitFor(() => seen.length === 3);
    expect(seen.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    sub.close();

    const resumed: ChangeEvent[] = [];
    feed.subscribe({
      from: Number(a.metadata.resourceVersion),
      filter: { kind: 'Widget' },
      onEvent: (e) => resumed.push(e),
      onError: () => {},
    });
    await waitFor(() => resumed.length === 2);
    expect(resumed.map((e) => e.type)).toEqual(['MODIFIED', 'DELETED']);
  });

  it('tells a watcher 410 Gone when its revision was compacted away', async () => {
    for (let i = 0; i < 20; i++) await service.create(ctx, w(`o${i}`));
    await store.compact(5);
    // A feed started after compaction (another replica, or after a restart) has only the store to read from.
    const later = new ChangeFeed({ store, pollMs: 50 });
    await later.start();
    let error: Error | undefined;
    later.subscribe({ from: 1, filter: { kind: 'Widget' }, onEvent: () => {}, onError: (e) => (error = e) });
    await waitFor(() => error !== undefined);
    expect(error).toBeInstanceOf(GoneError);
    later.stop();
  });

  it('delivers to a watcher from a store read when its revision is older than the in-memory buffer', async () => {
    const small = new ChangeFeed({ store, bufferSize: 2, pollMs: 50 });
    await small.start();
    for (let i = 0; i < 6; i++) await service.create(ctx, w(`b${i}`));
    small.nudge();
    await small.sync();
    const got: StoredObject[] = [];
    small.subscribe({ from: 0, filter: { kind: 'Widget' }, onEvent: (e) => got.push(e.object), onError: () => {} });
    await waitFor(() => got.length === 6);
    expect(got.map((o) => o.metadata.name)).toEqual(['b0', 'b1', 'b2', 'b3', 'b4', 'b5']);
    small.stop();
  });
});

async function waitFor(cond: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
