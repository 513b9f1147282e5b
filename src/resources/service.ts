import { msg } from '../kernel/messages/index.ts';
import type { Clock } from '../kernel/clock.ts';
import { checkDepth } from '../kernel/depth-limit.ts';
import { AlreadyExistsError, codedCause, ConflictError, InputError, NotFoundError } from '../kernel/errors.ts';
import { newUid } from '../kernel/ids.ts';
import type { RequestContext } from './audit-records.ts';
import { callerTenant, failureRecord, scopeRefusal, successRecord, suppressedRecord } from './audit-records.ts';
import type { RefusalLimits } from './refusal-limiter.ts';
import { RefusalLimiter } from './refusal-limiter.ts';
import type { ObjectKey, ResourceObject, StoredObject } from './envelope.ts';
import { describeKey, keyOf } from './envelope.ts';
import { applyMergePatch, isPlainObject, jsonEqual } from './merge-patch.ts';
import {
  checkPreconditions,
  decode,
  encode,
  keepSensitive,
  mergeMaps,
  normalize,
  specChanged,
  stripServerFields,
} from './object-form.ts';
import type { Expected } from './object-input.ts';
import { parseObject, requireKind } from './object-input.ts';
import type { KindDefinition, KindRegistry } from './registry.ts';
import { withoutSensitive } from './sensitive.ts';
import type { Fence, ListPage, ListQuery, ShardFence, Store, StoreTx } from './store.ts';

export type { RequestContext };

export interface WriteOptions {
  /** Run every check and return the result, but store nothing. */
  readonly dryRun?: boolean;
  /**
   * The verb the audit entry records, when the write carries out a named action (rollback, resume) rather than a
   * plain update or patch.
   */
  readonly auditVerb?: string;
}

/** What an admission plugin sees; it throws a PolisError to refuse. It runs inside the write transaction. */
export interface AdmissionRequest {
  readonly operation: 'create' | 'update' | 'delete';
  readonly definition: KindDefinition;
  /** The object as it will be stored (decoded); for delete, the current object. */
  readonly object: StoredObject;
  readonly old?: StoredObject;
  readonly tx: StoreTx;
  readonly ctx: RequestContext;
  readonly registry: KindRegistry;
  /** The time of this write, from the service's clock. */
  readonly now: string;
}
export type AdmissionPlugin = (req: AdmissionRequest) => Promise<void>;
/**
 * Reads ahead, in the write transaction of a bulk apply and before any of its documents is admitted, what admission
 * will read of them (StoreTx.prefetch, StoreTx.prefetchLists): one read for all, not a round trip each. A hint:
 * admission decides the same with or without it.
 */
export type AdmissionPrefetch = (tx: StoreTx, objects: readonly ResourceObject[]) => Promise<void>;

export type ApplyAction = 'created' | 'configured' | 'unchanged';
export interface ApplyResult {
  readonly action: ApplyAction;
  readonly object: StoredObject;
}

export interface ResourceServiceDeps {
  readonly store: Store;
  readonly registry: KindRegistry;
  readonly clock: Clock;
  readonly admission?: readonly AdmissionPlugin[];
  /** What admission reads of a bulk apply's documents, read ahead for them all (AdmissionPrefetch). */
  readonly admissionPrefetch?: readonly AdmissionPrefetch[];
  /** How many failed requests per caller reach the audit chain one by one (defaults: refusal-limiter.ts). */
  readonly refusalLimits?: Partial<RefusalLimits>;
  /** Called after every commit that wrote objects (the change feed uses it to wake at once). */
  readonly afterCommit?: () => void;
  /** The term every write must still hold (controllers' writes; see `fenced`). */
  readonly fence?: () => Fence;
  /** The member a sharded controller's writes run in (see `sharded`). */
  readonly shard?: () => ShardFence;
  /** Where fenced writes are counted: shared by a service and the fenced ones made from it. */
  readonly fenceTally?: FenceTally;
  /**
   * By kind: finalizers every new object gets at creation (Kubernetes' mutating admission), those of controllers
   * that run here, so a controller need not add its own with a second write to each new object.
   */
  readonly createFinalizers?: ReadonlyMap<string, readonly string[]>;
}

/**
 * Fenced (controller) writes: committed within the term or shard they carry, or refused because that term or shard
 * was over (causes `Fenced`, `ShardFenced`, `ShardMoved`), a cluster write's check (`checkFence`) included.
 */
export interface FenceTally {
  committed: number;
  refused: number;
}

const FENCE_CODES: ReadonlySet<string> = new Set(['Fenced', 'ShardFenced', 'ShardMoved']);

/** Whether a write was refused because the term or shard it carried is over. */
export function isFenceRefusal(e: unknown): boolean {
  return e instanceof ConflictError && e.causes.some((c) => FENCE_CODES.has(c.code ?? ''));
}

class DryRunRollback extends Error {
  readonly value: unknown;
  constructor(value: unknown) {
    super('dry run');
    this.value = value;
  }
}

/**
 * The generic semantics of every kind: validation, admission, generation, status as a subresource, finalizers and
 * graceful deletion, optimistic concurrency, dry run, and an audit record written in the same transaction as the
 * change it records. Objects returned by reads are decoded (Secret values in clear); callers decide what to show.
 */
export class ResourceService {
  readonly registry: KindRegistry;
  private readonly deps: ResourceServiceDeps;
  readonly #refusals: RefusalLimiter;
  readonly #fenceTally: FenceTally;
  constructor(deps: ResourceServiceDeps) {
    this.deps = deps;
    this.#fenceTally = deps.fenceTally ?? { committed: 0, refused: 0 };
    this.registry = deps.registry;
    this.#refusals = new RefusalLimiter(deps.refusalLimits);
  }

  /**
   * The same service whose every write carries the term `fence()` names, checked inside the write transaction: for
   * controllers, so a replica that lost its lease writes nothing. People's requests go through the unfenced one.
   */
  fenced(fence: () => Fence): ResourceService {
    return new ResourceService({ ...this.deps, fence, fenceTally: this.#fenceTally });
  }

  /** Controller writes committed and refused as `Fenced`, over this service and every fenced one made from it. */
  get fencedWriteCounts(): Readonly<FenceTally> {
    return { ...this.#fenceTally };
  }

  /**
   * The same service for a sharded controller: every write carries the member `shard()` names and is refused once
   * that member is no longer live, and a write to an Application it no longer owns is refused (StoreTx.claim),
   * checked inside the write transaction (docs/deploy.md, Several replicas).
   */
  sharded(shard: () => ShardFence): ResourceService {
    return new ResourceService({ ...this.deps, fence: undefined, shard, fenceTally: this.#fenceTally });
  }

  /**
   * Refuses, as a write of this service to `key` would be refused now (ConflictError, cause `Fenced`, `ShardFenced`
   * or `ShardMoved`, counted as a refused fenced write), and writes nothing: controllers ask it right before a write
   * the store cannot fence, a cluster apply or prune, so a replica that lost its term or the application stops
   * there. A service without a fence passes.
   */
  async checkFence(key: ObjectKey): Promise<void> {
    const fence = this.deps.fence?.();
    const shard = this.deps.shard?.();
    if (!fence && !shard) return;
    try {
      await this.deps.store.checkFence(key, { ...(fence ? { fence } : {}), ...(shard ? { shard } : {}) });
    } catch (e) {
      if (isFenceRefusal(e)) this.#fenceTally.refused++;
      throw e;
    }
  }

  /** Failed requests written to the audit chain one by one, and those only counted (for /metrics). */
  get failedRequestCounts(): { readonly recorded: number; readonly suppressed: number } {
    return this.#refusals.counts;
  }

  async get(kind: string, tenant: string, name: string): Promise<StoredObject> {
    const def = requireKind(this.registry, kind);
    const key = { kind, tenant: def.scope === 'tenant' ? tenant : '', name };
    const obj = await this.deps.store.get(key);
    if (!obj) throw new NotFoundError(msg('ObjectNotFound', { object: describeKey(key) }));
    return decode(def, obj);
  }

  /**
   * The object's stored JSON text, as `get` would answer it serialized, for a kind whose stored form is what every
   * reader may see (no codec, no sensitive or server-only fields); undefined for other kinds (use `get`). A read served
   * from it skips a parse and a serialization of the whole object.
   */
  async getText(kind: string, tenant: string, name: string): Promise<string | undefined> {
    const def = requireKind(this.registry, kind);
    if (!shownAsStored(def)) return undefined;
    const key = { kind, tenant: def.scope === 'tenant' ? tenant : '', name };
    const text = await this.deps.store.getText(key);
    if (text === undefined) throw new NotFoundError(msg('ObjectNotFound', { object: describeKey(key) }));
    return text;
  }

  /**
   * A page of objects with sensitive fields removed. `raw` (stored JSON text instead of parsed objects) is honoured
   * only for kinds without sensitive fields or codec; others always come back parsed and stripped.
   */
  async list(query: ListQuery): Promise<ListPage> {
    const def = requireKind(this.registry, query.kind);
    // The stored text is what the client may see only when nothing is encoded (codec) or hidden (sensitive fields).
    if (def.sensitiveFields.length === 0 && !def.codec) return this.deps.store.list(query);
    const page = await this.deps.store.list({ ...query, raw: false });
    return { ...page, items: page.items.map((o) => withoutSensitive(o, def.sensitiveFields)) };
  }

  async create(
    ctx: RequestContext,
    input: unknown,
    expected: Expected = {},
    opts: WriteOptions = {},
  ): Promise<StoredObject> {
    const { def, obj } = parseObject(this.registry, input, expected);
    return this.write(ctx, opts, async (tx) => {
      const key = keyOf(obj);
      if (await tx.get(key)) throw new AlreadyExistsError(msg('ObjectAlreadyExists', { object: describeKey(key) }));
      return this.insert(ctx, tx, def, obj, 'create');
    });
  }

  /** PUT: the body replaces the object's spec, labels, annotations and finalizers; status is kept. */
  async replace(
    ctx: RequestContext,
    input: unknown,
    expected: Expected = {},
    opts: WriteOptions = {},
  ): Promise<StoredObject> {
    return this.replaceWith(ctx, input, expected, opts, (tx, def, current, obj) =>
      this.update(ctx, tx, def, current, this.keepControllerFinalizers(def, current, obj), opts.auditVerb ?? 'update'),
    );
  }

  /**
   * A PUT whose body says nothing of finalizers (a manifest replaced from its file) keeps those of the controllers
   * that run here (`createFinalizers`), as the mutating admission that added them would add them again: otherwise
   * the controller writes each one back, a second write per replace. Sending `finalizers`, even empty, replaces.
   */
  private keepControllerFinalizers(def: KindDefinition, current: StoredObject, obj: ResourceObject): ResourceObject {
    const own = this.deps.createFinalizers?.get(def.kind);
    if (!own || obj.metadata.finalizers !== undefined || current.metadata.deletionTimestamp) return obj;
    const kept = (current.metadata.finalizers ?? []).filter((f) => own.includes(f));
    return kept.length === 0 ? obj : { ...obj, metadata: { ...obj.metadata, finalizers: kept } };
  }

  /** PATCH with a JSON merge patch (RFC 7386), on the object or on its status subresource. */
  async patch(
    ctx: RequestContext,
    key: ObjectKey,
    patch: unknown,
    opts: WriteOptions & { subresource?: 'status' } = {},
  ): Promise<StoredObject> {
    if (!isPlainObject(patch)) {
      throw new InputError('a merge patch must be a JSON object', [
        { path: '(root)', message: 'expected an object such as {"spec": {"replicas": 3}}' },
      ]);
    }
    checkDepth(patch); // applying a merge patch recurses: programmatic callers get the same limit as bodies
    return this.patchWith(ctx, key, (current) => applyMergePatch(current, patch), opts);
  }

  /**
   * PATCH by a function of the current object (merge patch, JSON patch, server-side apply): one path with the same
   * checks, admission, quota and audit. The result's metadata.resourceVersion, where it differs from the current
   * one, is a precondition. With `createIfAbsent`, an absent object is created from `change(undefined)`.
   */
  async patchWith(
    ctx: RequestContext,
    key: ObjectKey,
    change: (current: StoredObject | undefined) => unknown,
    opts: WriteOptions & { subresource?: 'status'; createIfAbsent?: boolean } = {},
  ): Promise<StoredObject> {
    const def = requireKind(this.registry, key.kind);
    const expected = { kind: key.kind, tenant: key.tenant || undefined, name: key.name };
    return this.write(ctx, opts, async (tx) => {
      if (opts.createIfAbsent && !(await tx.get({ ...key, tenant: def.scope === 'tenant' ? key.tenant : '' }))) {
        const { obj } = parseObject(this.registry, change(undefined), expected);
        return this.insert(ctx, tx, def, obj, opts.auditVerb ?? 'patch');
      }
      const current = await this.current(tx, def, key);
      const merged = change(current);
      if (!isPlainObject(merged)) {
        throw new InputError('the patched document is not an object', [
          { path: '(root)', message: 'a patch must leave an object with apiVersion, kind and metadata' },
        ]);
      }
      const changed = merged as ResourceObject;
      checkPreconditions(current, isPlainObject(changed.metadata) ? changed.metadata : {});
      if (opts.subresource === 'status') return this.writeStatus(ctx, tx, def, current, changed, 'patch');
      const { obj } = parseObject(this.registry, stripServerFields(changed), expected);
      return this.update(ctx, tx, def, current, { ...obj, status: current.status }, opts.auditVerb ?? 'patch');
    });
  }

  /** PUT on /status: only status changes; generation stays. */
  async replaceStatus(
    ctx: RequestContext,
    input: unknown,
    expected: Expected = {},
    opts: WriteOptions = {},
  ): Promise<StoredObject> {
    return this.replaceWith(ctx, input, expected, opts, (tx, def, current, obj) =>
      this.writeStatus(ctx, tx, def, current, obj, 'update'),
    );
  }

  /**
   * Many status replacements in one transaction (one durable commit): what controllers use to report on many
   * objects at once. Each item succeeds or fails on its own (a stale resourceVersion, a deleted object); a failed
   * item writes nothing and does not stop the others.
   */
  async replaceStatusMany(
    ctx: RequestContext,
    inputs: readonly unknown[],
  ): Promise<({ ok: true; object: StoredObject } | { ok: false; error: unknown })[]> {
    const parsed = inputs.map((input) => {
      try {
        return { ok: true as const, ...parseObject(this.registry, input, {}) };
      } catch (error) {
        return { ok: false as const, error };
      }
    });
    return this.write(ctx, {}, async (tx) => {
      const out: ({ ok: true; object: StoredObject } | { ok: false; error: unknown })[] = [];
      for (const p of parsed) {
        if (!p.ok) {
          out.push(p);
          continue;
        }
        try {
          const current = await this.current(tx, p.def, keyOf(p.obj));
          checkPreconditions(current, p.obj.metadata);
          out.push({ ok: true, object: await this.writeStatus(ctx, tx, p.def, current, p.obj, 'update') });
        } catch (error) {
          out.push({ ok: false, error });
        }
      }
      return out;
    });
  }

  /** A PUT of a whole object: parse, read the current one, check preconditions, then `write` the change. */
  private async replaceWith(
    ctx: RequestContext,
    input: unknown,
    expected: Expected,
    opts: WriteOptions,
    write: (tx: StoreTx, def: KindDefinition, current: StoredObject, obj: ResourceObject) => Promise<StoredObject>,
  ): Promise<StoredObject> {
    const { def, obj } = parseObject(this.registry, input, expected);
    return this.write(ctx, opts, async (tx) => {
      const current = await this.current(tx, def, keyOf(obj));
      checkPreconditions(current, obj.metadata);
      return write(tx, def, current, obj);
    });
  }

  /**
   * DELETE. An object with finalizers is marked (deletionTimestamp) and stays until they are removed; otherwise it
   * is removed at once. Returns the object's last state.
   */
  async delete(
    ctx: RequestContext,
    key: ObjectKey,
    opts: WriteOptions & {
      resourceVersion?: string;
      /** Kubernetes' DeleteOptions.preconditions: 409 Conflict when the object's uid or resourceVersion differs. */
      preconditions?: { readonly uid?: string; readonly resourceVersion?: string };
      /** propagationPolicy=Orphan: the kind's orphanFinalizers are dropped, so its dependants stay. */
      orphan?: boolean;
    } = {},
  ): Promise<StoredObject> {
    const def = requireKind(this.registry, key.kind);
    return this.write(ctx, opts, async (tx) => {
      const current = await this.current(tx, def, key);
      checkPreconditions(current, { name: key.name, resourceVersion: opts.resourceVersion });
      deletePreconditions(current, opts.preconditions);
      await this.admit(ctx, tx, def, 'delete', current, current);
      const all = current.metadata.finalizers ?? [];
      const finalizers = opts.orphan ? all.filter((f) => !(def.orphanFinalizers ?? []).includes(f)) : all;
      if (finalizers.length > 0) {
        if (current.metadata.deletionTimestamp && finalizers.length === all.length) return current;
        const marked = {
          ...current,
          metadata: {
            ...current.metadata,
            deletionTimestamp: current.metadata.deletionTimestamp ?? this.now(),
            finalizers,
          },
        };
        return this.put(ctx, tx, def, current, marked, 'delete', false);
      }
      return this.remove(ctx, tx, def, current, 'delete');
    });
  }

  /**
   * Create or update many objects in one transaction: all are applied or none. An existing object takes the
   * document's spec (and other top-level fields) whole; labels and annotations are merged, the document's keys
   * winning; status is kept. Objects that would not change are not written.
   */
  async apply(
    ctx: RequestContext,
    docs: readonly unknown[],
    opts: WriteOptions & {
      tenant?: string;
      /** Runs for every parsed document before anything is written; throws to refuse (authorization). */
      check?: (def: KindDefinition, obj: ResourceObject, index: number) => void;
    } = {},
  ): Promise<ApplyResult[]> {
    const parsed = docs.map((d, i) =>
      parseObject(this.registry, d, { tenant: opts.tenant }, docs.length > 1 ? [`documents[${i}]`] : []),
    );
    const seen = new Map<string, number>();
    parsed.forEach(({ obj }, i) => {
      const k = describeKey(keyOf(obj));
      const first = seen.get(k);
      if (first !== undefined) {
        throw new InputError(
          `${k} appears twice in one apply`,
          [
            {
              path: `documents[${i}].metadata.name`,
              message: `duplicates documents[${first}]; each object may appear once`,
            },
          ],
          { invalid: true },
        );
      }
      seen.set(k, i);
    });
    parsed.forEach(({ def, obj }, i) => opts.check?.(def, obj, i));
    return this.write(ctx, opts, async (tx) => {
      const results: ApplyResult[] = [];
      // One read for every document's current object, where a read is a round trip (PostgreSQL).
      // Likewise what admission reads of them (a new Application's revision history).
      if (parsed.length > 1) {
        const objects = parsed.map(({ obj }) => obj);
        await tx.prefetch?.(objects.map(keyOf));
        for (const prefetch of this.deps.admissionPrefetch ?? []) await prefetch(tx, objects);
      }
      for (const { def, obj } of parsed) {
        const current = await tx.get(keyOf(obj));
        if (!current) {
          results.push({ action: 'created', object: await this.insert(ctx, tx, def, obj, 'apply') });
          continue;
        }
        const decoded = decode(def, current);
        checkPreconditions(decoded, obj.metadata);
        const desired: ResourceObject = {
          ...obj,
          status: decoded.status,
          metadata: {
            ...obj.metadata,
            labels: mergeMaps(decoded.metadata.labels, obj.metadata.labels),
            annotations: mergeMaps(decoded.metadata.annotations, obj.metadata.annotations),
            finalizers: obj.metadata.finalizers ?? decoded.metadata.finalizers,
          },
        };
        const object = await this.update(ctx, tx, def, decoded, desired, 'apply');
        results.push({
          action: object.metadata.resourceVersion === decoded.metadata.resourceVersion ? 'unchanged' : 'configured',
          object,
        });
      }
      return results;
    });
  }

  /**
   * Records a request that failed before or during its transaction (denied, invalid, conflicting, missing), in a
   * transaction of its own so the failed one leaves nothing behind. A refusal in a department where the caller holds
   * no role is recorded under the caller's scope (scopeRefusal). Each caller's failures pass a token bucket: beyond
   * it they are counted, and one summary entry per window records the counts (flushRefusals).
   */
  async recordFailure(
    ctx: RequestContext,
    target: { verb: string; kind: string; tenant?: string; name?: string; apiVersion?: string },
    error: unknown,
  ): Promise<void> {
    const now = this.deps.clock.now();
    const record = scopeRefusal(
      failureRecord(now.toISOString(), ctx, target, this.registry.get(target.kind), error),
      ctx,
    );
    await this.flushRefusals(now);
    const admitted = this.#refusals.admit(ctx.actor, now.getTime(), {
      actor: ctx.actor,
      tenant: callerTenant(ctx),
      outcome: record.outcome,
      target: `${target.kind} ${target.tenant ? `${target.tenant}/` : ''}${target.name ?? ''}`,
    });
    if (admitted) await this.deps.store.transaction((tx) => tx.appendAudit(record));
  }

  /** Writes the summary entry of every caller whose suppression window has ended (every one, with `all`). */
  async flushRefusals(now: Date = this.deps.clock.now(), all = false): Promise<void> {
    const due = this.#refusals.due(now.getTime(), all);
    if (due.length === 0) return;
    const time = now.toISOString();
    await this.deps.store.transaction(async (tx) => {
      for (const s of due) await tx.appendAudit(suppressedRecord(time, s, this.#refusals.limits));
    });
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }

  private async write<T>(ctx: RequestContext, opts: WriteOptions, fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    try {
      const fence = this.deps.fence?.();
      const shard = this.deps.shard?.();
      const result = await this.deps.store.transaction(
        async (tx) => {
          const value = await fn(tx);
          if (opts.dryRun) throw new DryRunRollback(value);
          return value;
        },
        fence || shard ? { ...(fence ? { fence } : {}), ...(shard ? { shard } : {}) } : undefined,
      );
      if (fence || shard) this.#fenceTally.committed++;
      this.deps.afterCommit?.();
      return result;
    } catch (e) {
      if (e instanceof DryRunRollback) return e.value as T;
      if (isFenceRefusal(e)) this.#fenceTally.refused++;
      throw e;
    }
  }

  private async current(tx: StoreTx, def: KindDefinition, key: ObjectKey): Promise<StoredObject> {
    const normalized = { ...key, tenant: def.scope === 'tenant' ? key.tenant : '' };
    tx.claim(normalized);
    const obj = await tx.get(normalized);
    if (!obj) throw new NotFoundError(msg('ObjectNotFound', { object: describeKey(normalized) }));
    return decode(def, obj);
  }

  private async insert(
    ctx: RequestContext,
    tx: StoreTx,
    def: KindDefinition,
    obj: ResourceObject,
    verb: string,
  ): Promise<StoredObject> {
    if (obj.metadata.deletionTimestamp) {
      throw new InputError(
        'a new object cannot be marked for deletion',
        [{ path: 'metadata.deletionTimestamp', message: 'remove it; it is set by the server on delete' }],
        { invalid: true },
      );
    }
    const added = (this.deps.createFinalizers?.get(def.kind) ?? []).filter(
      (f) => !(obj.metadata.finalizers ?? []).includes(f),
    );
    const stored = normalize(def, {
      ...obj,
      status: def.hasStatus ? undefined : obj.status,
      metadata: {
        ...obj.metadata,
        ...(added.length ? { finalizers: [...(obj.metadata.finalizers ?? []), ...added] } : {}),
        uid: newUid(),
        generation: 1,
        creationTimestamp: this.now(),
        resourceVersion: '0',
        deletionTimestamp: undefined,
      },
    });
    await this.admit(ctx, tx, def, 'create', stored, undefined);
    return this.put(ctx, tx, def, undefined, stored, verb, true);
  }

  private async update(
    ctx: RequestContext,
    tx: StoreTx,
    def: KindDefinition,
    current: StoredObject,
    requested: ResourceObject,
    verb: string,
  ): Promise<StoredObject> {
    const obj = keepSensitive(def, current, requested);
    if (obj.metadata.uid !== undefined && obj.metadata.uid !== current.metadata.uid) {
      throw new ConflictError(
        `${describeKey(keyOf(current))} has uid ${current.metadata.uid}, the request names ${obj.metadata.uid}: it was deleted and re-created`,
        [{ path: 'metadata.uid', message: 'does not match the stored object; read it again' }],
      );
    }
    const next = normalize(def, {
      ...obj,
      status: def.hasStatus ? current.status : obj.status,
      metadata: {
        ...obj.metadata,
        managedFields: obj.metadata.managedFields ?? current.metadata.managedFields,
        uid: current.metadata.uid,
        creationTimestamp: current.metadata.creationTimestamp,
        deletionTimestamp: current.metadata.deletionTimestamp,
        generation: specChanged(current, obj) ? current.metadata.generation + 1 : current.metadata.generation,
        resourceVersion: current.metadata.resourceVersion,
      },
    });
    if (
      current.metadata.deletionTimestamp &&
      (next.metadata.finalizers ?? []).length > (current.metadata.finalizers ?? []).length
    ) {
      throw new ConflictError(`${describeKey(keyOf(current))} is being deleted; finalizers can only be removed`, [
        { path: 'metadata.finalizers', message: 'no new finalizer may be added while the object is being deleted' },
      ]);
    }
    if (jsonEqual(next, current)) return current;
    await this.admit(ctx, tx, def, 'update', next, current);
    if (next.metadata.deletionTimestamp && (next.metadata.finalizers ?? []).length === 0) {
      return this.remove(ctx, tx, def, next, verb);
    }
    return this.put(ctx, tx, def, current, next, verb, false);
  }

  private async writeStatus(
    ctx: RequestContext,
    tx: StoreTx,
    def: KindDefinition,
    current: StoredObject,
    obj: ResourceObject,
    verb: string,
  ): Promise<StoredObject> {
    if (!def.hasStatus) throw new NotFoundError(`${def.kind} has no status subresource`);
    const candidate = { ...current, status: obj.status };
    const { obj: checked } = parseObject(this.registry, stripServerFields(candidate), { kind: def.kind });
    const next = normalize(def, { ...current, status: checked.status });
    if (jsonEqual(next, current)) return current;
    return this.put(ctx, tx, def, current, next, `${verb}-status`, false);
  }

  private async admit(
    ctx: RequestContext,
    tx: StoreTx,
    def: KindDefinition,
    operation: AdmissionRequest['operation'],
    object: StoredObject,
    old: StoredObject | undefined,
  ): Promise<void> {
    for (const plugin of this.deps.admission ?? []) {
      await plugin({ operation, definition: def, object, old, tx, ctx, registry: this.registry, now: this.now() });
    }
  }

  private async put(
    ctx: RequestContext,
    tx: StoreTx,
    def: KindDefinition,
    old: StoredObject | undefined,
    next: StoredObject,
    verb: string,
    created: boolean,
  ): Promise<StoredObject> {
    const revision = await tx.nextRevision();
    const stored = { ...next, metadata: { ...next.metadata, resourceVersion: String(revision) } } as StoredObject;
    await tx.put(encode(def, stored), created ? 'ADDED' : 'MODIFIED');
    await tx.appendAudit(successRecord(this.now(), ctx, def, verb, stored, old));
    return stored;
  }

  private async remove(
    ctx: RequestContext,
    tx: StoreTx,
    def: KindDefinition,
    current: StoredObject,
    verb: string,
  ): Promise<StoredObject> {
    const revision = await tx.nextRevision();
    const last = { ...current, metadata: { ...current.metadata, resourceVersion: String(revision) } } as StoredObject;
    await tx.remove(encode(def, last));
    await tx.appendAudit(successRecord(this.now(), ctx, def, verb, last, current, true));
    return last;
  }
}

/** Whether a kind's stored text is what any reader of it is shown: nothing encoded, nothing hidden from anyone. */
export function shownAsStored(def: KindDefinition): boolean {
  return !def.codec && def.sensitiveFields.length === 0 && def.serverOnlyFields.length === 0;
}

/** DeleteOptions.preconditions, checked against the object inside the write (coded causes, 409 Conflict). */
function deletePreconditions(
  current: StoredObject,
  pre: { readonly uid?: string; readonly resourceVersion?: string } | undefined,
): void {
  if (pre?.uid !== undefined && pre.uid !== current.metadata.uid) {
    const m = msg('PreconditionUidMismatch', { given: pre.uid, actual: current.metadata.uid ?? '' });
    throw new ConflictError(m, [codedCause('preconditions.uid', m)]);
  }
  if (pre?.resourceVersion !== undefined && pre.resourceVersion !== current.metadata.resourceVersion) {
    const m = msg('PreconditionResourceVersionMismatch', {
      given: pre.resourceVersion,
      actual: current.metadata.resourceVersion,
    });
    throw new ConflictError(m, [codedCause('preconditions.resourceVersion', m)]);
  }
}
