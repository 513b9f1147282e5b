/** What the simulated controllers share: typed access to the registry, status writes, conditions, hashes. */
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { type Registry, nowTime } from './registry.ts';
import { type ResourceDef, findByKind } from './resources.ts';
import { KubeError } from './status.ts';
import type { FakeKubeOptions, KubeObject, OwnerReference } from './types.ts';
import { copyJson } from './copy.ts';

export type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const CONTROLLER_MANAGER = 'kube-controller-manager';

export const def = (apiVersion: string, kind: string): ResourceDef => findByKind(apiVersion, kind) as ResourceDef;
export const PODS = def('v1', 'Pod');
export const NODES = def('v1', 'Node');

export interface ControllerContext {
  registry: Registry;
  opts: FakeKubeOptions;
  /** Deletes an object as a controller does (background propagation, finalizers respected). */
  remove(d: ResourceDef, ns: string | undefined, name: string): void;
  /** Runs `fn` after `ms` unless the controllers stop first. */
  later(ms: number, fn: () => void): void;
}

/** Runs a controller write, ignoring the errors a real controller would retry on its next pass. */
export function quietly(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof KubeError)) throw e;
  }
}

export const controllerRef = (owner: KubeObject): OwnerReference => ({
  apiVersion: owner.apiVersion as string,
  kind: owner.kind as string,
  name: owner.metadata?.name as string,
  uid: owner.metadata?.uid as string,
  controller: true,
  blockOwnerDeletion: true,
});

/** Objects in a namespace whose controller is the given owner. */
export function owned(ctx: ControllerContext, d: ResourceDef, ns: string | undefined, uid: string | undefined): Any[] {
  return ctx.registry.store.list(d, ns, (o) =>
    (o.metadata?.ownerReferences ?? []).some((r) => r.uid === uid && r.controller),
  ) as Any[];
}

/** Writes a new status through the status subresource (nothing is written when it is unchanged). */
export function writeStatus(
  ctx: ControllerContext,
  d: ResourceDef,
  obj: Any,
  status: Any,
  manager = CONTROLLER_MANAGER,
): void {
  if (isDeepStrictEqual(obj.status, status)) return;
  quietly(() => {
    const current = ctx.registry.get(d, obj.metadata.namespace, obj.metadata.name) as Any;
    current.status = status;
    ctx.registry.update(d, obj.metadata.namespace, obj.metadata.name, current, { manager, subresource: 'status' });
  });
}

/** A condition that keeps its transition (and update) times while its status (and reason, message) stay the same. */
export function condition(
  previous: Any[] | undefined,
  type: string,
  status: 'True' | 'False',
  reason: string,
  message: string,
  fields: { updateTime?: boolean; probeTime?: boolean } = {},
): Any {
  const prev = (previous ?? []).find((c) => c.type === type);
  const now = nowTime();
  const same = prev?.status === status;
  const unchanged = same && prev?.reason === reason && prev?.message === message;
  return {
    type,
    status,
    ...(fields.probeTime ? { lastProbeTime: null } : {}),
    ...(fields.updateTime ? { lastUpdateTime: unchanged ? prev.lastUpdateTime : now } : {}),
    lastTransitionTime: same ? prev.lastTransitionTime : now,
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  };
}

/** A short stable hash of a pod template, in the alphabet of pod-template-hash values. */
export function templateHash(template: unknown): string {
  const digest = createHash('sha256').update(stableJson(template)).digest();
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let s = '';
  for (let i = 0; i < 10; i++) s += alphabet[(digest[i] as number) % alphabet.length];
  return s;
}

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Any)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

/** Sets to zero the fields Go would omit (`omitempty`) so statuses look like a real server's. */
export function omitZero(status: Any, fields: string[]): Any {
  for (const f of fields) if (status[f] === 0 || status[f] === undefined) delete status[f];
  return status;
}

export const isPodReady = (pod: Any): boolean =>
  (pod.status?.conditions ?? []).some((c: Any) => c.type === 'Ready' && c.status === 'True');

export const isPodActive = (pod: Any): boolean =>
  !pod.metadata?.deletionTimestamp && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';

/** A pod from a template, owned by `owner` (the controllers create pods with generateName, as real ones do). */
export function podFromTemplate(
  owner: KubeObject,
  template: Any,
  extra: { name?: string; labels?: Record<string, string>; nodeName?: string; spec?: Any } = {},
): KubeObject {
  const meta = template.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...(extra.name ? { name: extra.name } : { generateName: `${owner.metadata?.name}-` }),
      labels: { ...(meta.labels ?? {}), ...(extra.labels ?? {}) },
      ...(meta.annotations ? { annotations: meta.annotations } : {}),
      ownerReferences: [controllerRef(owner)],
    },
    spec: {
      ...copyJson(template.spec),
      ...(extra.nodeName ? { nodeName: extra.nodeName } : {}),
      ...(extra.spec ?? {}),
    },
  };
}
