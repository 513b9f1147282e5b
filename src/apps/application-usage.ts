import { parseBytes, parseCpu } from '../kernel/quantity.ts';
import type { StoredObject } from '../resources/envelope.ts';
import type { ResourceUsage } from '../tenancy/quota.ts';
import type { ApplicationSpec, ComponentSpec } from './application-kind.ts';

/** KubeVela's webservice and worker default to 1 replica when no scaler trait is given. */
function replicasOf(c: ComponentSpec): number {
  const scaler = c.traits?.find((t) => t.type === 'scaler');
  const r = scaler?.properties?.replicas;
  return typeof r === 'number' ? r : 1;
}

function storageOf(c: ComponentSpec): number {
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

/** What an Application requests of its department's quota: replicas × requests, persistent storage, and one app. */
export function applicationUsage(obj: StoredObject): ResourceUsage {
  const spec = obj.spec as ApplicationSpec;
  let cpu = 0;
  let memory = 0;
  let storage = 0;
  for (const c of spec.components) {
    const n = replicasOf(c);
    const p = c.properties ?? {};
    if (p.cpu !== undefined) cpu += n * parseCpu(p.cpu as string | number);
    if (p.memory !== undefined) memory += n * parseBytes(p.memory as string | number);
    storage += storageOf(c);
  }
  return { cpu, memory, storage, applications: 1 };
}
