import type { ErrorCause } from '../../kernel/errors.ts';
import type { ScalerProperties } from './network-trait-schemas.ts';
import { child, defined, list, mergeByName, podSpecOf, setIfAny, type Obj } from './objects.ts';
import { probe } from './pod-parts.ts';
import type {
  CommandParams,
  EnvParams,
  ImageParams,
  InitContainerProperties,
  ResourceProperties,
  SidecarProperties,
  StartupParams,
} from './pod-trait-schemas.ts';

/**
 * The traits that patch the workload in place, each as its KubeVela template's `patch` does
 * (`vela-templates/definitions/internal/trait/*.cue`). They return the problems only rendering can see: a
 * container named by the trait that the pod does not have.
 */

export interface TraitContext {
  /** The component's name: KubeVela's `context.name`, also its main container's name. */
  readonly component: string;
  /** Path of the trait in the application, e.g. `spec.components[0].traits[2]`. */
  readonly path: string;
}

function containersOf(workload: Obj): Obj[] {
  return list(child(workload, ['spec', 'template', 'spec'], true)!, 'containers');
}

/** The container named `name`, or a cause at `at` naming the containers there are. */
function findContainer(workload: Obj, name: string, at: string, causes: ErrorCause[]): Obj | undefined {
  const containers = containersOf(workload);
  const found = containers.find((c) => c.name === name);
  if (!found) {
    const names = containers.map((c) => String(c.name)).join(', ') || 'none';
    causes.push({ path: at, message: `container "${name}" not found; the pod's containers are: ${names}` });
  }
  return found;
}

/** Runs `patch` on each container the single or list form names. */
export function perContainer<P extends { containerName: string }>(
  workload: Obj,
  properties: P | Record<string, P[]>,
  key: string,
  ctx: TraitContext,
  patch: (container: Obj, params: P) => void,
): ErrorCause[] {
  const causes: ErrorCause[] = [];
  const many = (properties as Record<string, P[]>)[key];
  const items: Array<[P, string]> = Array.isArray(many)
    ? many.map((p, i) => [p, `${ctx.path}.properties.${key}[${i}].containerName`])
    : [[properties as P, `${ctx.path}.properties.containerName`]];
  for (const [params, at] of items) {
    const c = findContainer(workload, params.containerName || ctx.component, at, causes);
    if (c) patch(c, params);
  }
  return causes;
}

export function applyScaler(workload: Obj, p: ScalerProperties): void {
  child(workload, ['spec'], true)!.replicas = p.replicas;
}

/** labels / annotations: a JSON merge patch of the workload's metadata and, when it has one, its pod template's. */
export function applyMetadata(
  workload: Obj,
  key: 'labels' | 'annotations',
  p: Readonly<Record<string, string | null>>,
): void {
  const patch = (meta: Obj) => {
    const map = { ...(meta[key] as Obj | undefined) };
    for (const [k, v] of Object.entries(p)) {
      if (v === null) delete map[k];
      else map[k] = v;
    }
    delete meta[key];
    setIfAny(meta, key, map);
  };
  patch(child(workload, ['metadata'], true)!);
  const template = child(workload, ['spec', 'template']);
  if (template) patch(child(template, ['metadata'], true)!);
  // annotations.cue (KubeVela 1.9.9 and later) also annotates a CronJob's job template and its pod template;
  // labels.cue does not.
  if (key !== 'annotations') return;
  const jobTemplate = child(workload, ['spec', 'jobTemplate']);
  if (!jobTemplate) return;
  patch(child(jobTemplate, ['metadata'], true)!);
  const podTemplate = child(jobTemplate, ['spec', 'template']);
  if (podTemplate) patch(child(podTemplate, ['metadata'], true)!);
}

export function applyEnv(workload: Obj, p: EnvParams | Record<string, EnvParams[]>, ctx: TraitContext): ErrorCause[] {
  return perContainer(workload, p, 'containers', ctx, (c, params) => {
    const unset = new Set(params.unset);
    const given = Object.entries(params.env).filter(([k]) => !unset.has(k));
    const base = c.env as Obj[] | undefined;
    let env: Obj[];
    if (!base) {
      env = given.map(([name, value]) => ({ name, value }));
    } else {
      const baseNames = new Set(base.map((e) => e.name));
      const kept = params.replace
        ? []
        : base
            .filter((e) => !unset.has(e.name as string))
            .map((e) => {
              const name = e.name as string;
              return name in params.env
                ? { name, value: params.env[name] }
                : defined({ name, value: e.value, valueFrom: e.valueFrom });
            });
      const added = given
        .filter(([k]) => params.replace || !baseNames.has(k))
        .map(([name, value]) => ({ name, value }));
      env = [...kept, ...added];
    }
    delete c.env;
    setIfAny(c, 'env', env);
  });
}

export function applyCommand(
  workload: Obj,
  p: CommandParams | Record<string, CommandParams[]>,
  ctx: TraitContext,
): ErrorCause[] {
  return perContainer(workload, p, 'containers', ctx, (c, params) => {
    if (params.command !== null) c.command = [...params.command];
    const base = params.args ?? ((c.args as string[] | undefined) || []);
    const del = new Set(params.delArgs ?? []);
    const have = new Set(base);
    const args = [
      ...base.filter((a) => !del.has(a)),
      ...(params.addArgs ?? []).filter((a) => !del.has(a) && !have.has(a)),
    ];
    delete c.args;
    setIfAny(c, 'args', args);
  });
}

export function applyContainerImage(
  workload: Obj,
  p: ImageParams | Record<string, ImageParams[]>,
  ctx: TraitContext,
): ErrorCause[] {
  return perContainer(workload, p, 'containers', ctx, (c, params) => {
    c.image = params.image;
    if (params.imagePullPolicy !== '') c.imagePullPolicy = params.imagePullPolicy;
  });
}

export function applyStartupProbe(
  workload: Obj,
  p: StartupParams | Record<string, StartupParams[]>,
  ctx: TraitContext,
): ErrorCause[] {
  return perContainer(workload, p, 'probes', ctx, (c, { containerName: _name, ...probeParams }) => {
    c.startupProbe = structuredClone(defined(probeParams as Obj));
  });
}

export function applySidecar(workload: Obj, p: SidecarProperties): void {
  mergeByName(
    containersOf(workload),
    defined({
      name: p.name,
      image: p.image,
      command: p.cmd && [...p.cmd],
      args: p.args && [...p.args],
      env: p.env && structuredClone(p.env),
      volumeMounts: p.volumes?.map((v) => ({ mountPath: v.path, name: v.name })),
      livenessProbe: p.livenessProbe && probe(p.livenessProbe),
      readinessProbe: p.readinessProbe && probe(p.readinessProbe),
    }),
  );
}

export function applyInitContainer(workload: Obj, p: InitContainerProperties, ctx: TraitContext): ErrorCause[] {
  const causes: ErrorCause[] = [];
  const main = findContainer(workload, ctx.component, `${ctx.path}.type`, causes);
  if (!main) return causes;
  mergeByName(list(main, 'volumeMounts'), { name: p.mountName, mountPath: p.appMountPath });
  const pod = child(workload, ['spec', 'template', 'spec'])!;
  mergeByName(
    list(pod, 'initContainers'),
    defined({
      name: p.name,
      image: p.image,
      imagePullPolicy: p.imagePullPolicy,
      command: p.cmd && [...p.cmd],
      args: p.args && [...p.args],
      env: p.env && structuredClone(p.env),
      volumeMounts: [{ name: p.mountName, mountPath: p.initMountPath }, ...structuredClone(p.extraVolumeMounts)],
    }),
  );
  mergeByName(list(pod, 'volumes'), { name: p.mountName, emptyDir: {} });
  return causes;
}

/** Requests and limits of the first container, each replaced whole (KubeVela's retainKeys). */
export function applyResource(workload: Obj, p: ResourceProperties): void {
  // resource.cue (KubeVela 1.10) patches a CronJob's job template too.
  const pod = podSpecOf(workload);
  const first = pod ? list(pod, 'containers')[0] : undefined;
  if (!first) return;
  const resources = (first.resources ??= {}) as Obj;
  if (p.cpu !== undefined && p.memory !== undefined) {
    resources.requests = { cpu: p.cpu, memory: p.memory };
    resources.limits = { cpu: p.cpu, memory: p.memory };
  }
  if (p.requests) resources.requests = { ...p.requests };
  if (p.limits) resources.limits = { ...p.limits };
}
