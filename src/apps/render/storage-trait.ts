import { stableName } from '../../kernel/names.ts';
import { child, defined, list, mergeByName, type Obj } from './objects.ts';
import type { StorageProperties } from './storage-schema.ts';
import type { Output } from './workloads.ts';

/**
 * The storage trait, as `vela-templates/definitions/internal/trait/storage.cue`: volumes on the pod, mounts, devices
 * and environment variables on its first container, and the PersistentVolumeClaims, ConfigMaps and Secrets it
 * creates unless `mountOnly`.
 */

/** `pvc-<name>` and friends, kept within 63 characters as a volume name must be. */
function volumeName(prefix: string, name: string): string {
  return stableName([prefix, name]);
}

export function applyStorage(workload: Obj, p: StorageProperties): Output[] {
  const pod = child(workload, ['spec', 'template', 'spec'], true)!;
  // Mounts, devices and env go to the first container, by position, as the template's `[{...}, ...]` patch does.
  const first = list(pod, 'containers')[0];

  const volumes: Obj[] = [
    ...(p.pvc ?? []).map((v) => ({ name: volumeName('pvc', v.name), persistentVolumeClaim: { claimName: v.name } })),
    ...(p.configMap ?? [])
      .filter((v) => v.mountPath !== undefined)
      .map((v) => ({
        name: volumeName('configmap', v.name),
        configMap: defined({ defaultMode: v.defaultMode, name: v.name, items: v.items && structuredClone(v.items) }),
      })),
    ...(p.secret ?? [])
      .filter((v) => v.mountPath !== undefined)
      .map((v) => ({
        name: volumeName('secret', v.name),
        secret: defined({ defaultMode: v.defaultMode, secretName: v.name, items: v.items && structuredClone(v.items) }),
      })),
    ...(p.emptyDir ?? []).map((v) => ({ name: volumeName('emptydir', v.name), emptyDir: { medium: v.medium } })),
    // KubeVela puts `path` beside the name, which Kubernetes refuses; polis writes the hostPath volume it means.
    ...(p.hostPath ?? []).map((v) => ({
      name: volumeName('hostpath', v.name),
      hostPath: { path: v.path, type: v.type },
    })),
  ];
  const podVolumes = list(pod, 'volumes');
  for (const v of volumes) if (!podVolumes.some((w) => w.name === v.name)) podVolumes.push(v);

  const mounts: Obj[] = [
    ...(p.pvc ?? [])
      .filter((v) => v.volumeMode === 'Filesystem')
      .map((v) => defined({ name: volumeName('pvc', v.name), mountPath: v.mountPath, subPath: v.subPath })),
    ...(p.configMap ?? [])
      .filter((v) => v.mountPath !== undefined)
      .map((v) =>
        defined({
          name: volumeName('configmap', v.name),
          mountPath: v.mountPath,
          subPath: v.subPath,
          readOnly: v.readOnly ? true : undefined,
        }),
      ),
    ...(p.secret ?? [])
      .filter((v) => v.mountPath !== undefined)
      .map((v) =>
        defined({
          name: volumeName('secret', v.name),
          mountPath: v.mountPath,
          subPath: v.subPath,
          readOnly: v.readOnly ? true : undefined,
        }),
      ),
    ...(p.emptyDir ?? []).map((v) =>
      defined({ name: volumeName('emptydir', v.name), mountPath: v.mountPath, subPath: v.subPath }),
    ),
    ...(p.hostPath ?? []).map((v) => ({ name: volumeName('hostpath', v.name), mountPath: v.mountPath })),
  ];
  // A block device has a path and no subPath.
  const devices: Obj[] = (p.pvc ?? [])
    .filter((v) => v.volumeMode === 'Block')
    .map((v) => ({ name: volumeName('pvc', v.name), devicePath: v.mountPath }));
  const env: Obj[] = [
    ...(p.configMap ?? []).flatMap((v) =>
      [...(v.mountToEnv ? [v.mountToEnv] : []), ...(v.mountToEnvs ?? [])].map((e) => ({
        name: e.envName,
        valueFrom: { configMapKeyRef: { name: v.name, key: e.configMapKey } },
      })),
    ),
    ...(p.secret ?? []).flatMap((v) =>
      [...(v.mountToEnv ? [v.mountToEnv] : []), ...(v.mountToEnvs ?? [])].map((e) => ({
        name: e.envName,
        valueFrom: { secretKeyRef: { name: v.name, key: e.secretKey } },
      })),
    ),
  ];
  const additions: ReadonlyArray<readonly [string, Obj[]]> = [
    ['env', env],
    ['volumeDevices', devices],
    ['volumeMounts', mounts],
  ];
  for (const [key, items] of additions) {
    if (!first || items.length === 0) continue;
    const target = list(first, key);
    if (key === 'env') {
      for (const item of items) mergeByName(target, item);
      continue;
    }
    // One volume may be mounted at several paths (a configMap with two subPaths): each mount the trait lists is
    // kept, as KubeVela keeps them; a mount the container had already is replaced by the first of its name.
    const replaced = new Set<Obj>();
    for (const item of items) {
      const existing = target.find((t) => t.name === item.name && !replaced.has(t));
      if (existing && !items.includes(existing)) {
        for (const k of Object.keys(existing)) delete existing[k];
        Object.assign(existing, item);
        replaced.add(existing);
      } else target.push(item);
    }
  }
  if (podVolumes.length === 0) delete pod.volumes;
  return outputs(p);
}

function outputs(p: StorageProperties): Output[] {
  const out: Output[] = [];
  for (const v of p.pvc ?? []) {
    if (v.mountOnly) continue;
    const resources: Obj = { requests: { storage: v.resources?.requests.storage ?? '8Gi' } };
    if (v.resources?.limits) resources.limits = { storage: v.resources.limits.storage };
    out.push({
      resource: `pvc-${v.name}`,
      traitType: 'storage',
      obj: {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: v.name },
        spec: defined({
          accessModes: [...v.accessModes],
          volumeMode: v.volumeMode,
          volumeName: v.volumeName,
          storageClassName: v.storageClassName,
          resources,
          dataSourceRef: v.dataSourceRef && { ...v.dataSourceRef },
          dataSource: v.dataSource && { ...v.dataSource },
          // KubeVela writes the selector into dataSource by mistake; polis writes it where Kubernetes reads it.
          selector: v.selector && structuredClone(v.selector),
        }),
      },
    });
  }
  for (const v of p.configMap ?? []) {
    if (v.mountOnly) continue;
    out.push({
      resource: `configmap-${v.name}`,
      traitType: 'storage',
      obj: defined({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: v.name }, data: v.data && { ...v.data } }),
    });
  }
  for (const v of p.secret ?? []) {
    if (v.mountOnly) continue;
    out.push({
      resource: `secret-${v.name}`,
      traitType: 'storage',
      obj: defined({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: v.name },
        data: v.data && { ...v.data },
        stringData: v.stringData && { ...v.stringData },
      }),
    });
  }
  return out;
}
