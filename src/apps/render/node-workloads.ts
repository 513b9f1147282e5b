import { z } from 'zod';
import {
  bytesQuantity,
  cpuQuantity,
  envVar,
  healthProbe,
  hostAlias,
  legacyVolume,
  port,
  protocol,
  pullPolicy,
  stringMap,
  strings,
  volumeMounts,
} from './common-schemas.ts';
import type { ComponentType } from './builtin-types.ts';
import { defined, setIfAny, type Obj } from './objects.ts';
import { mainContainer, podLabels, podVolumes, pullSecrets } from './pod-parts.ts';
import { AUXILIARY, type ComponentContext, type Output, type RenderedComponent } from './workloads.ts';

/**
 * KubeVela's `daemon` (DaemonSet) and `statefulset` (StatefulSet) components, after
 * `vela-templates/definitions/internal/component/{daemon,statefulset}.cue`: a webservice's pod on another
 * workload kind, with the same optional Service for ports marked `expose`.
 */

const IMAGE_REQUIRED = 'required: the container image, e.g. registry.example.gov.cn/edu/agent:1.0';

const base = {
  labels: stringMap.optional(),
  annotations: stringMap.optional(),
  image: z
    .string({ error: (issue) => (issue.input === undefined ? IMAGE_REQUIRED : 'expected a string') })
    .min(1, { error: IMAGE_REQUIRED }),
  imagePullPolicy: pullPolicy.optional(),
  imagePullSecrets: strings.optional(),
  port: port.optional(),
  addRevisionLabel: z.boolean().default(false),
  cmd: strings.optional(),
  env: z.array(envVar).optional(),
  cpu: cpuQuantity.optional(),
  memory: bytesQuantity.optional(),
  volumeMounts: volumeMounts.optional(),
  volumes: z.array(legacyVolume).optional(),
  livenessProbe: healthProbe.optional(),
  readinessProbe: healthProbe.optional(),
  hostAliases: z.array(hostAlias).optional(),
};

const basePort = {
  port,
  containerPort: port.optional(),
  name: z.string().optional(),
  protocol,
  expose: z.boolean().default(false),
};

export const daemonProperties = z
  .object({
    ...base,
    ports: z.array(z.object(basePort).strict()).optional(),
    exposeType: z.enum(['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName']).default('ClusterIP'),
  })
  .strict();

export const statefulsetProperties = z
  .object({
    ...base,
    ports: z.array(z.object({ ...basePort, nodePort: port.optional() }).strict()).optional(),
    exposeType: z.enum(['ClusterIP', 'NodePort', 'LoadBalancer']).default('ClusterIP'),
    args: strings.optional(),
  })
  .strict();

export type DaemonProperties = z.infer<typeof daemonProperties>;
export type StatefulsetProperties = z.infer<typeof statefulsetProperties>;
type Props = DaemonProperties | StatefulsetProperties;
type PortParams = NonNullable<StatefulsetProperties['ports']>[number];

/** daemon names a port `port-<port>`; statefulset `port-<containerPort>`, with the protocol when it is not TCP. */
function portName(kind: 'DaemonSet' | 'StatefulSet', v: PortParams): string {
  if (v.name !== undefined) return v.name;
  if (kind === 'DaemonSet') return `port-${v.port}`;
  const n = `port-${v.containerPort ?? v.port}`;
  return v.protocol === 'TCP' ? n : `${n}-${v.protocol.toLowerCase()}`;
}

function render(kind: 'DaemonSet' | 'StatefulSet', ctx: ComponentContext, p: Props): RenderedComponent {
  const container = mainContainer(ctx.name, p);
  const ports = p.ports as PortParams[] | undefined;
  if (ports) {
    container.ports = ports.map((v) => ({
      containerPort: v.containerPort ?? v.port,
      protocol: v.protocol,
      name: portName(kind, v),
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
  const metadata = defined({ labels, annotations: p.annotations && { ...p.annotations } });
  const workload: Obj = {
    apiVersion: 'apps/v1',
    kind,
    metadata: { name: ctx.name },
    spec: { selector: { matchLabels: { 'app.oam.dev/component': ctx.name } }, template: { metadata, spec } },
  };

  const exposed = (ports ?? []).filter((v) => v.expose);
  const outputs: Output[] = [];
  if (exposed.length > 0) {
    const servicePorts = exposed.map((v) =>
      kind === 'DaemonSet'
        ? { port: v.port, targetPort: v.containerPort ?? v.port, name: portName(kind, v) }
        : defined({
            port: v.port,
            targetPort: v.containerPort ?? v.port,
            name: portName(kind, v),
            nodePort: p.exposeType === 'NodePort' ? v.nodePort : undefined,
            protocol: v.protocol,
          }),
    );
    outputs.push({
      resource: kind === 'DaemonSet' ? 'webserviceExpose' : 'statefulsetsExpose',
      traitType: AUXILIARY,
      obj: {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: ctx.name },
        spec: { selector: { 'app.oam.dev/component': ctx.name }, ports: servicePorts, type: p.exposeType },
      },
    });
  }
  return { workload, outputs };
}

export const daemonComponent: ComponentType = {
  schema: daemonProperties,
  workloadType: 'daemonsets.apps',
  render: (ctx, p) => render('DaemonSet', ctx, p as DaemonProperties),
};

export const statefulsetComponent: ComponentType = {
  schema: statefulsetProperties,
  workloadType: 'statefulsets.apps',
  render: (ctx, p) => render('StatefulSet', ctx, p as StatefulsetProperties),
};
