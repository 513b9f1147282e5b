import { createHash } from 'node:crypto';
import { parseBytes } from '../kernel/quantity.ts';
import type { StoredObject } from '../resources/envelope.ts';
import type { ResourceUsage } from '../tenancy/quota.ts';
import type { ApplicationSpec, ComponentSpec } from './application-kind.ts';
import { deployedDemands, topologyTargets } from './render/index.ts';

/** The persistent storage a component's storage trait claims, in bytes (PVC requests). */
export function storageOf(c: ComponentSpec): number {
  let bytes = 0;
  for (const t of c.traits ?? []) {
    if (t.type !== 'storage') continue;
    const pvcs = (t.properties?.pvc ?? []) as Array<{ resources?: { requests?: { storage?: string } } }>;
    for (const pvc of pvcs) {
      const s = pvc.resources?.requests?.storage;
      if (s !== undefined) bytes += parseBytes(s);
    }
  }
  return bytes;
}

/**
 * What an Application holds of its department's quota at the least: each component's minimum replicas (its
 * autoscaling minimum when polis autoscales it, else its replicas) × the clusters its topology policies name for it
 * (topologyTargets) × one replica's requests as placement counts them (a container without requests, or with zero,
 * at the LimitRange default), persistent storage, and one app.
 */
export function applicationUsage(obj: StoredObject): ResourceUsage {
  // Quota admission sums this over every Application of the department on each write, and it renders the spec
  // (about 1 ms): remembered by a digest of the spec, the only input, so a write costs a JSON.stringify and a
  // digest per application instead. Frozen: every caller gets the same object.
  const key = createHash('sha256').update(JSON.stringify(obj.spec)).digest('base64');
  const hit = USAGE_BY_SPEC.get(key);
  if (hit !== undefined) {
    USAGE_BY_SPEC.delete(key);
    USAGE_BY_SPEC.set(key, hit);
    return hit;
  }
  const usage = Object.freeze(usageOfSpec(obj.spec as ApplicationSpec));
  if (USAGE_BY_SPEC.size >= USAGE_MEMO_SIZE) USAGE_BY_SPEC.delete(USAGE_BY_SPEC.keys().next().value!);
  USAGE_BY_SPEC.set(key, usage);
  return usage;
}

/** Specs remembered, most recently used last: a department of this many distinct specs is summed without a render. */
const USAGE_MEMO_SIZE = 50_000;
const USAGE_BY_SPEC = new Map<string, ResourceUsage>();

function usageOfSpec(spec: ApplicationSpec): ResourceUsage {
  const scaling = spec.policies?.find((p) => p.type === 'autoscaling')?.properties as
    { components?: { name?: string; minReplicas?: number }[] } | undefined;
  const minimum = new Map((scaling?.components ?? []).map((c) => [c.name, c.minReplicas]));
  let cpu = 0;
  let memory = 0;
  // As delivered: an override policy raising replicas holds more of the quota, and a topology's every cluster runs
  // the replicas.
  const clusters = topologyTargets(spec);
  for (const d of deployedDemands(spec)) {
    const min = minimum.get(d.name);
    const n = (typeof min === 'number' && d.replicas > 0 ? min : d.replicas) * (clusters.get(d.name) ?? 1);
    cpu += n * d.perReplica.cpuMilli;
    memory += n * d.perReplica.memoryBytes;
  }
  let storage = 0;
  for (const c of spec.components) storage += storageOf(c);
  return { cpu, memory, storage, applications: 1 };
}
