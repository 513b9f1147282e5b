/**
 * Deletion: propagation policies (Background, Foreground, Orphan) over ownerReferences, finalizers, and namespace
 * termination, after https://kubernetes.io/docs/concepts/architecture/garbage-collection/. The collector runs on
 * its own after every change, as kube-controller-manager's garbage collector and namespace controller would.
 */
import { type Registry, nowTime } from './registry.ts';
import { type ResourceDef, RESOURCES } from './resources.ts';
import { KubeError, badRequest, conflict } from './status.ts';
import type { KubeObject } from './types.ts';

export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

export interface DeleteOptions {
  propagationPolicy?: PropagationPolicy;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export interface DeleteResult {
  /** The deleted object's Status, or the object itself while its deletion waits on finalizers. */
  body: Record<string, unknown>;
  warning?: string;
}

const MANAGER = 'kube-controller-manager';
const PROTECTED_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);
const JOB_WARNING =
  'child pods are preserved by default when jobs are deleted; set propagationPolicy=Background to remove them or set propagationPolicy=Orphan to suppress this warning';

export class GarbageCollector {
  private readonly registry: Registry;
  private scheduled: NodeJS.Immediate | undefined;
  private stopped = false;

  /** How long an emptied namespace stays Terminating before it goes (its finalizer's work, as on a real cluster). */
  private readonly namespaceTerminationMs: number;
  /** When each terminating namespace (by uid) started terminating, and the timer that looks at it again. */
  private readonly terminating = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** The uids of every stored object, so that an event can tell whether its object's owners exist. */
  private readonly uids = new Set<string | undefined>();
  /** Whether the last pass left work behind (an object being deleted, a dependent whose owners are gone). */
  private pending = false;

  constructor(registry: Registry, opts: { namespaceTerminationMs?: number } = {}) {
    this.registry = registry;
    this.namespaceTerminationMs = opts.namespaceTerminationMs ?? 0;
    for (const { object } of registry.store.objectsWithDefs()) this.uids.add(object.metadata?.uid);
    registry.store.subscribe((e) => {
      const meta = e.object.metadata ?? {};
      if (e.type === 'DELETED') this.uids.delete(meta.uid);
      else this.uids.add(meta.uid);
      // A pass can only find work after a deletion, an object marked for deletion, a dependent whose owners are
      // all gone, or when the last pass left some: any other change (most of them: a status, a new pod of a
      // live ReplicaSet) leaves nothing to collect, and a pass over every object for each would be quadratic.
      // (A terminating namespace's timer schedules its own pass.)
      const refs = meta.ownerReferences ?? [];
      if (
        this.pending ||
        e.type === 'DELETED' ||
        meta.deletionTimestamp !== undefined ||
        (refs.length > 0 && refs.every((r) => !this.uids.has(r.uid)))
      )
        this.schedule();
    });
  }

  stop(): void {
    this.stopped = true;
    if (this.scheduled) clearImmediate(this.scheduled);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  delete(def: ResourceDef, ns: string | undefined, name: string, opts: DeleteOptions): DeleteResult {
    const store = this.registry.store;
    const obj = this.registry.get(def, ns, name);
    const meta = obj.metadata ?? {};
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== meta.uid)
      throw conflict(
        def,
        name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${meta.uid}`,
      );
    if (pre?.resourceVersion && pre.resourceVersion !== meta.resourceVersion)
      throw conflict(
        def,
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion}`,
      );
    const policy = opts.propagationPolicy;
    if (policy !== undefined && !['Background', 'Foreground', 'Orphan'].includes(policy))
      throw new KubeError(
        422,
        'Invalid',
        `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan", "nil"`,
      );

    if (def.kind === 'Namespace') {
      if (PROTECTED_NAMESPACES.has(name))
        throw new KubeError(403, 'Forbidden', `namespaces "${name}" is forbidden: this namespace may not be deleted`, {
          name,
          kind: 'namespaces',
        });
      if (opts.dryRun || meta.deletionTimestamp) return { body: obj };
      meta.deletionTimestamp = nowTime();
      (obj.status as Record<string, unknown>).phase = 'Terminating';
      return { body: store.put(def, obj) };
    }

    const effective = policy ?? (def.kind === 'Job' ? 'Orphan' : 'Background');
    const warning = def.kind === 'Job' && policy === undefined ? JOB_WARNING : undefined;
    const finalizers = [...(meta.finalizers ?? [])];
    if (effective === 'Foreground' && !finalizers.includes('foregroundDeletion')) finalizers.push('foregroundDeletion');
    if (effective === 'Orphan' && !finalizers.includes('orphan')) finalizers.push('orphan');
    if (finalizers.length > 0) {
      if (opts.dryRun) return { body: obj, ...(warning ? { warning } : {}) };
      if (!meta.deletionTimestamp) {
        meta.deletionTimestamp = nowTime();
        meta.deletionGracePeriodSeconds = 0;
      }
      meta.finalizers = finalizers;
      return { body: store.put(def, obj), ...(warning ? { warning } : {}) };
    }
    if (!opts.dryRun) store.remove(def, ns, name);
    return {
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Success',
        details: { name, ...(def.group ? { group: def.group } : {}), kind: def.resource, uid: meta.uid },
      },
      ...(warning ? { warning } : {}),
    };
  }

  private schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = setImmediate(() => {
      this.scheduled = undefined;
      if (!this.stopped) this.sweep();
    });
  }

  /** One pass of the garbage collector and namespace controller; changes it makes schedule the next pass. */
  private sweep(): void {
    const all = [...this.registry.store.objectsWithDefs()];
    const uids = new Map(all.map((e) => [e.object.metadata?.uid, e]));
    this.pending = false;
    const dependentsOf = (uid: string | undefined): { def: ResourceDef; object: KubeObject }[] =>
      all.filter((e) => (e.object.metadata?.ownerReferences ?? []).some((r) => r.uid === uid));

    for (const { def, object } of all) {
      const meta = object.metadata ?? {};
      try {
        if (meta.deletionTimestamp) {
          this.pending = true;
          const finalizers = meta.finalizers ?? [];
          if (finalizers.includes('orphan')) {
            for (const d of dependentsOf(meta.uid)) {
              const refs = (d.object.metadata?.ownerReferences ?? []).filter((r) => r.uid !== meta.uid);
              this.registry.patch(
                d.def,
                d.object.metadata?.namespace,
                d.object.metadata?.name ?? '',
                'merge',
                { metadata: { ownerReferences: refs.length ? refs : null } },
                { manager: MANAGER },
              );
            }
            this.dropFinalizer(def, object, 'orphan');
          } else if (finalizers.includes('foregroundDeletion')) {
            const deps = dependentsOf(meta.uid);
            for (const d of deps)
              if (!d.object.metadata?.deletionTimestamp)
                this.delete(d.def, d.object.metadata?.namespace, d.object.metadata?.name ?? '', {
                  propagationPolicy: 'Foreground',
                });
            if (deps.length === 0) this.dropFinalizer(def, object, 'foregroundDeletion');
          } else if (def.kind === 'Namespace') {
            this.terminateNamespace(object);
          }
          continue;
        }
        const refs = meta.ownerReferences ?? [];
        if (refs.length > 0 && refs.every((r) => !uids.has(r.uid))) {
          this.pending = true;
          this.delete(def, meta.namespace, meta.name ?? '', { propagationPolicy: 'Background' });
        }
      } catch (e) {
        // Gone already, or refused (e.g. invalid): the next pass tries again, as the real collector retries.
        if (!(e instanceof KubeError)) console.error('fake-kube: garbage collector failed:', e);
      }
    }
  }

  private dropFinalizer(def: ResourceDef, object: KubeObject, finalizer: string): void {
    const meta = object.metadata ?? {};
    const finalizers = (meta.finalizers ?? []).filter((f) => f !== finalizer);
    this.registry.patch(
      def,
      meta.namespace,
      meta.name ?? '',
      'merge',
      { metadata: { finalizers: finalizers.length ? finalizers : null } },
      { manager: MANAGER },
    );
  }

  /** Deletes everything in a terminating namespace, then the namespace itself. */
  private terminateNamespace(ns: KubeObject): void {
    const name = ns.metadata?.name ?? '';
    const content = this.registry.store.inNamespace(name);
    for (const { def, object } of content)
      if (!object.metadata?.deletionTimestamp)
        this.delete(def, name, object.metadata?.name ?? '', { propagationPolicy: 'Background' });
    const uid = ns.metadata?.uid ?? name;
    if (!this.terminating.has(uid)) this.terminating.set(uid, Date.now());
    if (content.length > 0) return;
    const wait = (this.terminating.get(uid) as number) + this.namespaceTerminationMs - Date.now();
    if (wait > 0) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.schedule();
      }, wait);
      this.timers.add(timer);
      return;
    }
    this.terminating.delete(uid);
    const namespaces = RESOURCES.find((d) => d.kind === 'Namespace') as ResourceDef;
    this.registry.store.remove(namespaces, undefined, name);
  }
}

/** DeleteOptions from the query string and the request body (the body wins, as on a real server). */
export function deleteOptions(query: URLSearchParams, body: unknown): DeleteOptions {
  const b = (body ?? {}) as Record<string, unknown>;
  if (typeof b !== 'object') throw badRequest('the body of the request is not DeleteOptions');
  const policy = (b.propagationPolicy ?? query.get('propagationPolicy') ?? undefined) as PropagationPolicy | undefined;
  const orphan = b.orphanDependents ?? query.get('orphanDependents');
  const dryRun = Array.isArray(b.dryRun) ? b.dryRun.includes('All') : query.getAll('dryRun').includes('All');
  return {
    ...(policy
      ? { propagationPolicy: policy }
      : orphan === true || orphan === 'true'
        ? { propagationPolicy: 'Orphan' }
        : {}),
    ...(b.preconditions ? { preconditions: b.preconditions as DeleteOptions['preconditions'] } : {}),
    dryRun,
  };
}
