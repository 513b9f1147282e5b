import { isObject } from './apply-merge.ts';
import type { StoredObject } from './object-store.ts';

type Json = Record<string, unknown>;

/**
 * What the API server and its built-in controllers give an object of a kind without pods at creation: a
 * Namespace is Active, a claim is Bound at once (storage is not modelled), a Service gets a cluster IP.
 */
export function serverDefaults(stored: StoredObject, nextIp: () => number): void {
  const kind = stored.info.kind;
  const spec = (stored.obj.spec ?? {}) as Json;
  if (kind === 'Namespace') {
    stored.status = { phase: 'Active' };
  } else if (kind === 'PersistentVolumeClaim') {
    const requests = isObject(spec.resources) ? spec.resources.requests : undefined;
    stored.status = { phase: 'Bound', accessModes: spec.accessModes, capacity: requests };
  } else if (kind === 'Service' && spec.clusterIP === undefined && spec.type !== 'ExternalName') {
    const n = nextIp();
    const ip = `10.96.${(n >> 8) & 255}.${n & 255}`;
    stored.obj = { ...stored.obj, spec: { ...spec, clusterIP: ip, clusterIPs: [ip] } };
  }
}
