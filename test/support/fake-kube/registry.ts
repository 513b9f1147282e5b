/**
 * The write paths of the API server (create, update, patch, apply, status updates) over the store: server-set
 * metadata, status reset, defaulting, validation, managedFields, generation, no-op detection and dry runs. Client
 * requests and the simulated controllers both write through here.
 */
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { recordUpdate, serverSideApply } from './apply.ts';
import { admitPod } from './admission.ts';
import { applyDefaults } from './defaults.ts';
import { jsonPatch, mergePatch } from './patch.ts';
import { type ResourceDef, RESOURCES, apiVersionOf } from './resources.ts';
import { orderKeys, randomSuffix } from './object-meta.ts';
import { KubeError, alreadyExists, badRequest, modifiedConflict, notFound } from './status.ts';
import type { Store } from './store.ts';
import { strategicMergePatch } from './strategic-merge.ts';
import type { KubeObject } from './types.ts';
import { validate } from './validation.ts';
import { copyJson } from './copy.ts';

export interface WriteOptions {
  manager: string;
  dryRun?: boolean;
  subresource?: string;
}

export const nowTime = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

const NAMESPACES = RESOURCES.find((d) => d.kind === 'Namespace') as ResourceDef;
const PODS = RESOURCES.find((d) => d.kind === 'Pod' && d.group === '') as ResourceDef;

/** Everything outside metadata and status: a change here moves metadata.generation. */
const specOf = (o: KubeObject): Record<string, unknown> => {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
  return rest;
};

export class Registry {
  readonly store: Store;
  constructor(store: Store) {
    this.store = store;
  }

  get(def: ResourceDef, ns: string | undefined, name: string): KubeObject {
    const o = this.store.get(def, ns, name);
    if (!o) throw notFound(def, name);
    return o;
  }

  private checkNamespace(def: ResourceDef, ns: string | undefined): void {
    if (!def.namespaced || ns === undefined) return;
    const namespace = this.store.get(NAMESPACES, undefined, ns);
    if (!namespace) throw notFound(NAMESPACES, ns);
    if (namespace.metadata?.deletionTimestamp)
      throw new KubeError(
        403,
        'Forbidden',
        `${def.group ? `${def.resource}.${def.group}` : def.resource} is forbidden: unable to create new content in namespace ${ns} because it is being terminated`,
        {
          ...(def.group ? { group: def.group } : {}),
          kind: def.resource,
          causes: [
            {
              reason: 'NamespaceTerminating',
              message: `namespace ${ns} is being terminated`,
              field: 'metadata.namespace',
            },
          ],
        },
      );
  }

  /** Fills the request's identity into the body and checks it against the URL (400 on a mismatch). */
  private identify(def: ResourceDef, ns: string | undefined, name: string | undefined, body: KubeObject): KubeObject {
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw badRequest('the body of the request is not a JSON object');
    const obj = copyJson(body);
    const apiVersion = apiVersionOf(def);
    if (obj.apiVersion !== undefined && obj.apiVersion !== apiVersion)
      throw badRequest(
        `the API version in the data (${obj.apiVersion}) does not match the expected API version (${apiVersion})`,
      );
    if (obj.kind !== undefined && obj.kind !== def.kind)
      throw badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${def.kind})`);
    obj.apiVersion = apiVersion;
    obj.kind = def.kind;
    const meta = (obj.metadata ??= {});
    if (name !== undefined) {
      if (meta.name !== undefined && meta.name !== name)
        throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
      meta.name = name;
    }
    if (def.namespaced) {
      if (meta.namespace !== undefined && meta.namespace !== '' && meta.namespace !== ns)
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      meta.namespace = ns;
    } else delete meta.namespace;
    return obj;
  }

  create(def: ResourceDef, ns: string | undefined, body: KubeObject, opts: WriteOptions): KubeObject {
    const obj = this.identify(def, ns, undefined, body);
    const meta = obj.metadata ?? {};
    if (meta.name && this.store.get(def, ns, meta.name)) throw alreadyExists(def, meta.name);
    this.checkNamespace(def, ns);
    // Admission (LimitRanger, ResourceQuota) names the pod as requested: a generateName when that is all it has.
    if (def === PODS && ns !== undefined) admitPod(this.store, ns, obj);
    if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${randomSuffix()}`;
    for (const k of [
      'uid',
      'resourceVersion',
      'creationTimestamp',
      'deletionTimestamp',
      'generation',
      'managedFields',
      'selfLink',
    ])
      delete meta[k];
    if (def.status) delete obj.status;
    meta.uid = randomUUID();
    meta.creationTimestamp = nowTime();
    applyDefaults(def, obj, undefined); // defaulted at decode time, so owned by the creator as on a real server
    recordUpdate({
      def,
      old: undefined,
      next: obj,
      manager: opts.manager,
      apiVersion: apiVersionOf(def),
      now: nowTime(),
    });
    return this.commit(def, undefined, obj, opts);
  }

  /** PUT: optimistic concurrency on metadata.resourceVersion when given. */
  update(def: ResourceDef, ns: string | undefined, name: string, body: KubeObject, opts: WriteOptions): KubeObject {
    const old = this.get(def, ns, name);
    const obj = this.identify(def, ns, name, body);
    const rv = obj.metadata?.resourceVersion;
    if (rv !== undefined && rv !== '' && rv !== old.metadata?.resourceVersion) throw modifiedConflict(def, name);
    return this.replace(def, old, obj, opts);
  }

  /** The shared tail of update and the non-apply patches: status rules, server metadata, ownership, commit. */
  private replace(def: ResourceDef, old: KubeObject, incoming: KubeObject, opts: WriteOptions): KubeObject {
    let next: KubeObject;
    if (opts.subresource === 'status') {
      next = copyJson(old);
      next.status = copyJson(incoming.status);
    } else {
      next = incoming;
      if (def.status) {
        if (old.status === undefined) delete next.status;
        else next.status = copyJson(old.status);
      }
    }
    const meta = (next.metadata ??= {});
    const oldMeta = old.metadata ?? {};
    for (const k of [
      'uid',
      'creationTimestamp',
      'deletionTimestamp',
      'deletionGracePeriodSeconds',
      'generation',
      'namespace',
      'name',
      'resourceVersion',
    ])
      if (oldMeta[k] === undefined) delete meta[k];
      else meta[k] = oldMeta[k];
    meta.managedFields = copyJson(oldMeta.managedFields);
    applyDefaults(def, next, old);
    recordUpdate({
      def,
      old,
      next,
      manager: opts.manager,
      apiVersion: apiVersionOf(def),
      now: nowTime(),
      ...(opts.subresource ? { subresource: opts.subresource } : {}),
    });
    return this.commit(def, old, next, opts);
  }

  /** A merge, strategic-merge or JSON patch. */
  patch(
    def: ResourceDef,
    ns: string | undefined,
    name: string,
    type: 'merge' | 'strategic' | 'json',
    patch: unknown,
    opts: WriteOptions,
  ): KubeObject {
    const old = this.get(def, ns, name);
    let patched: unknown;
    if (type === 'json') patched = jsonPatch(old, patch);
    else if (type === 'strategic') patched = strategicMergePatch(old, patch);
    else patched = mergePatch(old, patch);
    const obj = this.identify(def, ns, name, patched as KubeObject);
    const rv = obj.metadata?.resourceVersion;
    if (rv !== undefined && rv !== old.metadata?.resourceVersion) throw modifiedConflict(def, name);
    return this.replace(def, old, obj, opts);
  }

  /** Server-side apply; creates the object when absent (`created` true: answered 201). */
  apply(
    def: ResourceDef,
    ns: string | undefined,
    name: string,
    config: KubeObject,
    opts: WriteOptions & { force: boolean },
  ): { object: KubeObject; created: boolean } {
    if (config.metadata?.managedFields !== undefined) throw badRequest('metadata.managedFields must be nil');
    const body = this.identify(def, ns, name, config);
    if (config.apiVersion === undefined || config.kind === undefined)
      throw badRequest(
        `invalid object type: ${config.apiVersion === undefined ? '' : config.apiVersion}, Kind=${config.kind ?? ''}`,
      );
    const old = this.store.get(def, ns, name);
    const now = nowTime();
    if (old) {
      const rv = body.metadata?.resourceVersion;
      if (rv !== undefined && rv !== old.metadata?.resourceVersion) throw modifiedConflict(def, name);
    } else {
      if (opts.subresource) throw notFound(def, name);
      this.checkNamespace(def, ns);
    }
    const live: KubeObject = old ?? {
      apiVersion: apiVersionOf(def),
      kind: def.kind,
      metadata: { name, ...(def.namespaced ? { namespace: ns } : {}) },
    };
    const next = serverSideApply({
      def,
      live,
      config: body,
      manager: opts.manager,
      force: opts.force,
      now,
      ...(opts.subresource ? { subresource: opts.subresource } : {}),
    });
    return { object: this.commit(def, old, next, opts), created: !old };
  }

  /** Defaults, validates, sets generation and server metadata, and stores unless nothing changed or a dry run. */
  private commit(def: ResourceDef, old: KubeObject | undefined, next: KubeObject, opts: WriteOptions): KubeObject {
    const meta = (next.metadata ??= {});
    if (!old) {
      meta.uid ??= randomUUID();
      meta.creationTimestamp ??= nowTime();
    }
    applyDefaults(def, next, old);
    validate(def, next, old);
    if (def.generation) {
      const gen = old?.metadata?.generation ?? 0;
      meta.generation = !old ? 1 : isDeepStrictEqual(specOf(old), specOf(next)) ? gen : gen + 1;
    }
    if (old) {
      meta.resourceVersion = old.metadata?.resourceVersion;
      if (isDeepStrictEqual(old, next)) return old; // a no-op: no new resourceVersion, no event
    }
    orderKeys(next);
    if (opts.dryRun) return next;
    if (meta.deletionTimestamp && (meta.finalizers ?? []).length === 0) {
      return this.store.remove(def, meta.namespace, meta.name ?? '') ?? next;
    }
    return this.store.put(def, next);
  }
}
