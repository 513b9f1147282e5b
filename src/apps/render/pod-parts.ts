import type { EnvVar, HealthProbe, LegacyVolume, VolumeMounts } from './common-schemas.ts';
import { copyJson, defined, type Obj } from './objects.ts';

/** The container and pod fields every KubeVela component template builds the same way. */

export interface ContainerParams {
  readonly image: string;
  readonly imagePullPolicy?: string;
  readonly imagePullSecrets?: readonly string[];
  readonly cmd?: readonly string[];
  readonly args?: readonly string[];
  readonly env?: readonly EnvVar[];
  readonly cpu?: string | number;
  readonly memory?: string | number;
  readonly limit?: { readonly cpu?: string | number; readonly memory?: string | number };
  readonly livenessProbe?: HealthProbe;
  readonly readinessProbe?: HealthProbe;
  readonly volumeMounts?: VolumeMounts;
  readonly volumes?: readonly LegacyVolume[];
}

/** A quantity as KubeVela's string-typed cpu/memory parameters carry it. */
function quantityText(q: string | number): string {
  return typeof q === 'number' ? String(q) : q;
}

/** The component's own container, named after the component (`context.name`). */
export function mainContainer(name: string, p: ContainerParams): Obj {
  const resources: Obj = {};
  const text = (q: string | number | undefined) => (q === undefined ? undefined : quantityText(q));
  const requests = defined({ cpu: text(p.cpu), memory: text(p.memory) });
  // cpu and memory are the request and, unless `limit` says otherwise, the limit (KubeVela 1.10).
  const limits = defined({ cpu: text(p.limit?.cpu ?? p.cpu), memory: text(p.limit?.memory ?? p.memory) });
  if (Object.keys(limits).length > 0) resources.limits = limits;
  if (Object.keys(requests).length > 0) resources.requests = requests;
  return defined({
    name,
    image: p.image,
    imagePullPolicy: p.imagePullPolicy,
    command: p.cmd && [...p.cmd],
    args: p.args && [...p.args],
    env: p.env && p.env.map((e) => copyJson(e)),
    resources: Object.keys(resources).length > 0 ? resources : undefined,
    volumeMounts: volumeMountsOf(p),
    livenessProbe: p.livenessProbe && probe(p.livenessProbe),
    readinessProbe: p.readinessProbe && probe(p.readinessProbe),
  });
}

export function probe(p: HealthProbe): Obj {
  return copyJson(defined(p as unknown as Obj));
}

/** `volumeMounts` wins over the deprecated `volumes` when both are given, as in the CUE templates. */
function volumeMountsOf(p: ContainerParams): Obj[] | undefined {
  if (p.volumeMounts) {
    const m = p.volumeMounts;
    const all = [
      ...(m.pvc ?? []),
      ...(m.configMap ?? []),
      ...(m.secret ?? []),
      ...(m.emptyDir ?? []),
      ...(m.hostPath ?? []),
    ];
    return all.map((v) => defined({ mountPath: v.mountPath, subPath: v.subPath, name: v.name }));
  }
  if (p.volumes) return p.volumes.map((v) => ({ mountPath: v.mountPath, name: v.name }));
  return undefined;
}

/** The pod's volumes for the mounts above; a name used twice keeps its first volume (KubeVela's de-duplication). */
export function podVolumes(p: ContainerParams): Obj[] | undefined {
  if (p.volumeMounts) {
    const m = p.volumeMounts;
    const all: Obj[] = [
      ...(m.pvc ?? []).map((v) => ({ name: v.name, persistentVolumeClaim: { claimName: v.claimName } })),
      ...(m.configMap ?? []).map((v) => ({
        name: v.name,
        configMap: defined({ defaultMode: v.defaultMode, name: v.cmName, items: v.items && structuredClone(v.items) }),
      })),
      ...(m.secret ?? []).map((v) => ({
        name: v.name,
        secret: defined({
          defaultMode: v.defaultMode,
          secretName: v.secretName,
          items: v.items && structuredClone(v.items),
        }),
      })),
      ...(m.emptyDir ?? []).map((v) => ({ name: v.name, emptyDir: { medium: v.medium } })),
      ...(m.hostPath ?? []).map((v) => ({ name: v.name, hostPath: { path: v.path } })),
    ];
    return all.filter((v, i) => all.findIndex((w) => w.name === v.name) === i);
  }
  if (p.volumes) return p.volumes.map(legacyVolume);
  return undefined;
}

function legacyVolume(v: LegacyVolume): Obj {
  switch (v.type) {
    case 'pvc':
      return { name: v.name, persistentVolumeClaim: { claimName: v.claimName } };
    case 'configMap':
      return {
        name: v.name,
        configMap: defined({ defaultMode: v.defaultMode, name: v.cmName, items: v.items && structuredClone(v.items) }),
      };
    case 'secret':
      return {
        name: v.name,
        secret: defined({
          defaultMode: v.defaultMode,
          secretName: v.secretName,
          items: v.items && structuredClone(v.items),
        }),
      };
    case 'emptyDir':
      return { name: v.name, emptyDir: { medium: v.medium } };
  }
}

export function pullSecrets(names: readonly string[] | undefined): Obj[] | undefined {
  return names?.map((name) => ({ name }));
}

/** The pod template labels every component sets: its app and component, over the user's `labels`. */
export function podLabels(appName: string, component: string, extra?: Readonly<Record<string, string>>): Obj {
  return { ...extra, 'app.oam.dev/name': appName, 'app.oam.dev/component': component };
}
