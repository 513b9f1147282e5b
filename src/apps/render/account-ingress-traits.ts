import { z } from 'zod';
import { dnsLabel, port } from './common-schemas.ts';
import { always, POD_WORKLOADS, type TraitType } from './builtin-types.ts';
import { child, type Obj } from './objects.ts';
import type { Output } from './workloads.ts';

/**
 * service-account (`vela-templates/definitions/internal/trait/service-account.cue`) and the deprecated but common
 * ingress (`vela-templates/definitions/deprecated/ingress.cue`).
 */

export const serviceAccountProperties = z
  .object({
    name: dnsLabel,
    create: z.boolean().default(false),
    privileges: z.array(z.unknown()).optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    // KubeVela makes Roles and RoleBindings (ClusterRoles for scope: cluster) from privileges. An application
    // granting rights would step outside what the platform admins gave its department.
    if (v.privileges !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['privileges'],
        message:
          'remove it: polis does not create Roles, RoleBindings or ClusterRoles for an application; ask the platform admins to grant the service account its rights',
      });
    }
    if (v.create && v.name === 'default') {
      ctx.addIssue({
        code: 'custom',
        path: ['name'],
        message: 'the "default" service account belongs to the namespace; create one with another name',
      });
    }
  });

const applyServiceAccount: TraitType['apply'] = (workload, props) => {
  const p = props as z.infer<typeof serviceAccountProperties>;
  child(workload, ['spec', 'template', 'spec'], true)!.serviceAccountName = p.name;
  const outputs: Output[] = p.create
    ? [
        {
          resource: 'service-account',
          traitType: 'service-account',
          obj: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: p.name } },
        },
      ]
    : [];
  return { outputs, causes: [] };
};

export const ingressProperties = z
  .object({
    domain: z.string(),
    http: z
      .record(z.string(), port)
      .refine((h) => Object.keys(h).length > 0, { error: 'map at least one path to a port, e.g. {"/": 8080}' }),
  })
  .strict();

/**
 * A Service named after the component with the mapped ports, and an Ingress for the domain. KubeVela's ingress
 * renders `networking.k8s.io/v1beta1`, which Kubernetes no longer serves since 1.22: polis renders `v1` as KubeVela's
 * ingress-1-20 does (pathType ImplementationSpecific, no class annotation since this trait has no class). A port
 * mapped by two paths is listed once, and ports are named when there are several, as Kubernetes requires.
 */
/** ingress-1-20.cue: the same, with `class` (default nginx) as the `kubernetes.io/ingress.class` annotation. */
export const ingress120Properties = ingressProperties.extend({ class: z.string().default('nginx') }).strict();

const applyIngress =
  (traitType: string, withService: boolean): TraitType['apply'] =>
  (_workload, props, ctx) => {
    const p = props as z.infer<typeof ingressProperties> & { class?: string };
    const http = Object.entries(p.http);
    const ports = [...new Set(http.map(([, v]) => v))];
    const servicePorts = ports.map((v): Obj =>
      ports.length > 1 ? { name: `port-${v}`, port: v, targetPort: v } : { port: v, targetPort: v },
    );
    return {
      causes: [],
      outputs: [
        ...(withService
          ? [
              {
                resource: 'service',
                traitType,
                obj: {
                  apiVersion: 'v1',
                  kind: 'Service',
                  metadata: { name: ctx.component },
                  spec: { selector: { 'app.oam.dev/component': ctx.component }, ports: servicePorts },
                },
              },
            ]
          : []),
        {
          resource: 'ingress',
          traitType,
          obj: {
            apiVersion: 'networking.k8s.io/v1',
            kind: 'Ingress',
            metadata: {
              name: ctx.component,
              ...(p.class !== undefined ? { annotations: { 'kubernetes.io/ingress.class': p.class } } : {}),
            },
            spec: {
              rules: [
                {
                  host: p.domain,
                  http: {
                    paths: http.map(([path, v]) => ({
                      path,
                      pathType: 'ImplementationSpecific',
                      backend: { service: { name: ctx.component, port: { number: v } } },
                    })),
                  },
                },
              ],
            },
          },
        },
      ],
    };
  };

export const ACCOUNT_INGRESS_TRAITS: Readonly<Record<string, TraitType>> = {
  // KubeVela's appliesToWorkloads is `*`; the patch is on spec.template, which a CronJob does not have.
  'service-account': { schema: always(serviceAccountProperties), appliesTo: POD_WORKLOADS, apply: applyServiceAccount },
  // The deprecated definition names no workloads; its Service selects the component's pods.
  ingress: {
    schema: always(ingressProperties),
    appliesTo: ['deployments.apps', 'statefulsets.apps', 'daemonsets.apps'],
    apply: applyIngress('ingress', true),
  },
  // Deprecated upstream; as ingress, with the class annotation.
  'ingress-1-20': {
    schema: always(ingress120Properties),
    appliesTo: ['deployments.apps', 'statefulsets.apps', 'daemonsets.apps'],
    apply: applyIngress('ingress-1-20', true),
  },
  // Deprecated upstream: the Ingress alone, to a Service the component brings (appliesToWorkloads `*`).
  'pure-ingress': { schema: always(ingressProperties), appliesTo: ['*'], apply: applyIngress('pure-ingress', false) },
};
