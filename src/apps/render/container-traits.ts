import { z } from 'zod';
import { port, protocol, strings } from './common-schemas.ts';
import { always, NO_RESULT, POD_WORKLOADS, type TraitType } from './builtin-types.ts';
import { child, defined, list, type Obj } from './objects.ts';
import { perContainer as forEachContainer } from './pod-traits.ts';
import { perContainer } from './pod-trait-schemas.ts';

/**
 * Traits that patch containers, after KubeVela's `vela-templates/definitions/internal/trait/{securitycontext,
 * container-ports,lifecycle,service-binding}.cue`. securitycontext and container-ports take one container's
 * settings or `containers: [...]`, like env and command.
 */

const securityParams = z
  .object({
    containerName: z.string().default(''),
    addCapabilities: strings.optional(),
    allowPrivilegeEscalation: z.boolean().default(false),
    dropCapabilities: strings.optional(),
    privileged: z.boolean().default(false),
    readOnlyRootFilesystem: z.boolean().default(false),
    runAsNonRoot: z.boolean().default(true),
    runAsUser: z.number().int().optional(),
    runAsGroup: z.number().int().optional(),
  })
  .strict();
type SecurityParams = z.infer<typeof securityParams>;

const applySecurityContext: TraitType['apply'] = (workload, p, ctx) => ({
  outputs: [],
  causes: forEachContainer(workload, p as SecurityParams, 'containers', ctx, (c, s) => {
    const securityContext = defined({
      capabilities: defined({
        add: s.addCapabilities && [...s.addCapabilities],
        drop: s.dropCapabilities && [...s.dropCapabilities],
      }),
      runAsUser: s.runAsUser,
      runAsGroup: s.runAsGroup,
      allowPrivilegeEscalation: s.allowPrivilegeEscalation,
      readOnlyRootFilesystem: s.readOnlyRootFilesystem,
      privileged: s.privileged,
      runAsNonRoot: s.runAsNonRoot,
    });
    c.securityContext = { ...(c.securityContext as Obj | undefined), ...securityContext };
  }),
});

const portParams = z
  .object({
    containerName: z.string().default(''),
    ports: z
      .array(
        z.object({ containerPort: port, protocol, hostPort: port.optional(), hostIP: z.string().optional() }).strict(),
      )
      .default([]),
  })
  .strict();
type PortParams = z.infer<typeof portParams>;

/** The container's ports by `<protocol><port>` (TCP when a port names none, the API server's default). */
function portKey(protocol: unknown, containerPort: unknown): string {
  return `${typeof protocol === 'string' ? protocol.toLowerCase() : 'tcp'}${String(containerPort)}`;
}

/**
 * Ports already declared keep their order, name and protocol and take the trait's hostPort/hostIP; the others are
 * appended. The list is replaced whole (`+patchStrategy=replace`).
 */
const applyContainerPorts: TraitType['apply'] = (workload, p, ctx) => ({
  outputs: [],
  causes: forEachContainer(workload, p as PortParams, 'containers', ctx, (c, params) => {
    const given = new Map(params.ports.map((v) => [portKey(v.protocol, v.containerPort), v]));
    const base = c.ports as Obj[] | undefined;
    if (!base) {
      c.ports = params.ports.map((v) => defined({ ...v }));
      return;
    }
    const have = new Set(base.map((b) => portKey(b.protocol, b.containerPort)));
    c.ports = [
      ...base.map((b) => {
        const v = given.get(portKey(b.protocol, b.containerPort));
        return defined({
          containerPort: b.containerPort,
          protocol: b.protocol,
          name: b.name,
          hostPort: v?.hostPort,
          hostIP: v?.hostIP,
        });
      }),
      ...params.ports.filter((v) => !have.has(portKey(v.protocol, v.containerPort))).map((v) => defined({ ...v })),
    ];
  }),
});

const handler = z
  .object({
    exec: z.object({ command: strings }).strict().optional(),
    httpGet: z
      .object({
        path: z.string().optional(),
        port,
        host: z.string().optional(),
        scheme: z.enum(['HTTP', 'HTTPS']).default('HTTP'),
        httpHeaders: z.array(z.object({ name: z.string(), value: z.string() }).strict()).optional(),
      })
      .strict()
      .optional(),
    tcpSocket: z.object({ port, host: z.string().optional() }).strict().optional(),
  })
  .strict();

export const lifecycleProperties = z.object({ postStart: handler.optional(), preStop: handler.optional() }).strict();

/** Every container of the pod gets the hooks. */
const applyLifecycle: TraitType['apply'] = (workload, props) => {
  const p = props as z.infer<typeof lifecycleProperties>;
  const hooks = structuredClone(
    defined({ postStart: p.postStart && defined(p.postStart), preStop: p.preStop && defined(p.preStop) }),
  );
  for (const c of list(child(workload, ['spec', 'template', 'spec'], true)!, 'containers')) {
    c.lifecycle = { ...(c.lifecycle as Obj | undefined), ...structuredClone(hooks) };
  }
  return NO_RESULT;
};

export const serviceBindingProperties = z
  .object({
    envMappings: z.record(z.string(), z.object({ key: z.string().optional(), secret: z.string() }).strict()),
  })
  .strict();

/** Each variable read from a key of a Secret (the variable's name when no key is given), by name. */
const applyServiceBinding: TraitType['apply'] = (workload, props, ctx) => {
  const p = props as z.infer<typeof serviceBindingProperties>;
  const causes: ReturnType<TraitType['apply']>['causes'] = [];
  const containers = list(child(workload, ['spec', 'template', 'spec'], true)!, 'containers');
  const main = containers.find((c) => c.name === ctx.component);
  if (!main) {
    causes.push({
      path: `${ctx.path}.type`,
      message: `container "${ctx.component}" not found; the pod's containers are: ${containers.map((c) => String(c.name)).join(', ') || 'none'}`,
    });
    return { outputs: [], causes };
  }
  const env = list(main, 'env');
  for (const [name, v] of Object.entries(p.envMappings)) {
    const item = { name, valueFrom: { secretKeyRef: { name: v.secret, key: v.key ?? name } } };
    // KubeVela merges into a variable of the same name, keeping its `value` beside the new `valueFrom`, which
    // Kubernetes refuses; polis replaces the variable.
    const i = env.findIndex((e) => e.name === name);
    if (i >= 0) env[i] = item;
    else env.push(item);
  }
  return { outputs: [], causes };
};

export const CONTAINER_TRAITS: Readonly<Record<string, TraitType>> = {
  securitycontext: {
    schema: perContainer(securityParams, 'containers'),
    appliesTo: POD_WORKLOADS,
    apply: applySecurityContext,
  },
  'container-ports': {
    schema: perContainer(portParams, 'containers'),
    appliesTo: POD_WORKLOADS,
    apply: applyContainerPorts,
  },
  lifecycle: { schema: always(lifecycleProperties), appliesTo: POD_WORKLOADS, apply: applyLifecycle },
  // KubeVela's appliesToWorkloads is `*`; its patch is on spec.template, which a CronJob does not have.
  'service-binding': { schema: always(serviceBindingProperties), appliesTo: POD_WORKLOADS, apply: applyServiceBinding },
};
