import type {
  CronTaskProperties,
  K8sObjectsProperties,
  TaskProperties,
  WebserviceProperties,
  WorkerProperties,
} from './component-schemas.ts';
import { defined, setIfAny, type Obj } from './objects.ts';
import { mainContainer, podLabels, podVolumes, pullSecrets } from './pod-parts.ts';

/**
 * The objects each component type renders, field for field as KubeVela's component templates
 * (`vela-templates/definitions/internal/component/*.cue`) produce them. Labels, namespace and traits come later.
 */

/** An object a component or trait adds beside the workload, named as its CUE `outputs` key. */
export interface Output {
  /** The CUE output name: KubeVela's `trait.oam.dev/resource` label. */
  readonly resource: string;
  /** The trait type, or `AuxiliaryWorkload` for a component's own extra objects. */
  readonly traitType: string;
  readonly obj: Obj;
}

export interface RenderedComponent {
  readonly workload: Obj;
  readonly outputs: Output[];
}

export interface ComponentContext {
  readonly appName: string;
  /** The component's name: KubeVela's `context.name`. */
  readonly name: string;
  /** KubeVela's component revision (`context.revision`), `<component>-v<N>` (see componentRevision). */
  readonly revision: string;
}

export const AUXILIARY = 'AuxiliaryWorkload';

function portName(port: number, protocol: string): string {
  return protocol === 'TCP' ? `port-${port}` : `port-${port}-${protocol.toLowerCase()}`;
}

function podMetadata(labels: Obj, annotations: Readonly<Record<string, string>> | undefined): Obj {
  return defined({ labels, annotations: annotations && { ...annotations } });
}

function deployment(ctx: ComponentContext, template: Obj): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: ctx.name },
    spec: { selector: { matchLabels: { 'app.oam.dev/component': ctx.name } }, template },
  };
}

export function renderWebservice(ctx: ComponentContext, p: WebserviceProperties): RenderedComponent {
  const container = mainContainer(ctx.name, p);
  if (p.ports) {
    container.ports = p.ports.map((v) => ({
      containerPort: v.containerPort ?? v.port,
      protocol: v.protocol,
      name: v.name ?? portName(v.port, v.protocol),
    }));
  } else if (p.port !== undefined) {
    container.ports = [{ containerPort: p.port }];
  }
  const spec: Obj = { containers: [container] };
  setIfAny(spec, 'hostAliases', p.hostAliases && structuredClone(p.hostAliases));
  setIfAny(spec, 'imagePullSecrets', pullSecrets(p.imagePullSecrets));
  setIfAny(spec, 'volumes', podVolumes(p));
  const labels = podLabels(ctx.appName, ctx.name, {
    ...p.labels,
    ...(p.addRevisionLabel ? { 'app.oam.dev/revision': ctx.revision } : {}),
  });
  const workload = deployment(ctx, { metadata: podMetadata(labels, p.annotations), spec });

  const exposed = (p.ports ?? []).filter((v) => v.expose);
  const outputs: Output[] = [];
  if (exposed.length > 0) {
    const ports = exposed.map((v) =>
      defined({
        port: v.port,
        targetPort: v.containerPort ?? v.port,
        name: v.name ?? portName(v.port, v.protocol),
        nodePort: p.exposeType === 'NodePort' ? v.nodePort : undefined,
        protocol: v.protocol,
      }),
    );
    outputs.push({
      resource: 'webserviceExpose',
      traitType: AUXILIARY,
      obj: {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: ctx.name },
        spec: { selector: { 'app.oam.dev/component': ctx.name }, ports, type: p.exposeType },
      },
    });
  }
  return { workload, outputs };
}

export function renderWorker(ctx: ComponentContext, p: WorkerProperties): RenderedComponent {
  const spec: Obj = { containers: [mainContainer(ctx.name, p)] };
  setIfAny(spec, 'imagePullSecrets', pullSecrets(p.imagePullSecrets));
  setIfAny(spec, 'volumes', podVolumes(p));
  return { workload: deployment(ctx, { metadata: { labels: podLabels(ctx.appName, ctx.name) }, spec }), outputs: [] };
}

function jobPodTemplate(ctx: ComponentContext, p: TaskProperties | CronTaskProperties): Obj {
  const spec: Obj = { restartPolicy: p.restart, containers: [mainContainer(ctx.name, p)] };
  setIfAny(spec, 'volumes', podVolumes(p));
  setIfAny(spec, 'imagePullSecrets', pullSecrets(p.imagePullSecrets));
  return { metadata: podMetadata(podLabels(ctx.appName, ctx.name, p.labels), p.annotations), spec };
}

export function renderTask(ctx: ComponentContext, p: TaskProperties): RenderedComponent {
  return {
    workload: {
      apiVersion: 'batch/v1',
      kind: 'Job',
      // task.cue (KubeVela 1.10) names the Job after the application and the component.
      metadata: { name: `${ctx.appName}-${ctx.name}` },
      spec: { parallelism: p.count, completions: p.count, template: jobPodTemplate(ctx, p) },
    },
    outputs: [],
  };
}

export function renderCronTask(ctx: ComponentContext, p: CronTaskProperties): RenderedComponent {
  const template = jobPodTemplate(ctx, p);
  setIfAny(template.spec as Obj, 'hostAliases', p.hostAliases && structuredClone(p.hostAliases));
  const jobSpec = defined({
    parallelism: p.count,
    completions: p.count,
    ttlSecondsAfterFinished: p.ttlSecondsAfterFinished,
    activeDeadlineSeconds: p.activeDeadlineSeconds,
    backoffLimit: p.backoffLimit,
    template,
  });
  return {
    workload: {
      // KubeVela picks batch/v1beta1 below Kubernetes 1.25; polis supports 1.25 and later only.
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: ctx.name },
      spec: defined({
        schedule: p.schedule,
        concurrencyPolicy: p.concurrencyPolicy,
        suspend: p.suspend,
        successfulJobsHistoryLimit: p.successfulJobsHistoryLimit,
        failedJobsHistoryLimit: p.failedJobsHistoryLimit,
        startingDeadlineSeconds: p.startingDeadlineSeconds,
        jobTemplate: {
          metadata: podMetadata(podLabels(ctx.appName, ctx.name, p.labels), p.annotations),
          spec: jobSpec,
        },
      }),
    },
    outputs: [],
  };
}

/** The first object is the workload (named after the component when unnamed); the rest are `objects-<i>`. */
export function renderK8sObjects(ctx: ComponentContext, p: K8sObjectsProperties): RenderedComponent {
  const objects = p.objects.map((o) => structuredClone(o) as Obj);
  const workload = objects[0]!;
  const meta = (workload.metadata ??= {}) as Obj;
  if (!meta.name) meta.name = ctx.name;
  return {
    workload,
    outputs: objects.slice(1).map((obj, i) => ({ resource: `objects-${i + 1}`, traitType: AUXILIARY, obj })),
  };
}
