import type { ErrorCause } from '../../kernel/errors.ts';
import { isClusterScoped } from '../render/labels.ts';
import { isObj, type Obj } from '../render/objects.ts';
import type {
  ApplyDeploymentProperties,
  ApplyObjectProperties,
  Export2configProperties,
  Export2secretProperties,
} from './step-schemas.ts';

/**
 * The objects KubeVela's apply-object, export2config, export2secret and apply-deployment steps apply, built as
 * their CUE templates build them (pure). Each stays in the application's own namespace: a step naming another
 * namespace, or an object of a cluster-scoped or RBAC kind, is refused with a reason code.
 */

const RBAC_KINDS = new Set(['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding']);

export interface StepObjectContext {
  readonly appName: string;
  /** The Application's `metadata.namespace` (KubeVela's `context.namespace`); `default` when it has none. */
  readonly appNamespace: string;
  readonly stepName: string;
  readonly stepType: string;
  /** Path of the step, e.g. `spec.workflow.steps[2]`. */
  readonly path: string;
}

export type StepObject = { ok: true; object: Obj } | { ok: false; causes: ErrorCause[] };

/** A namespace a step names: the application's own (as KubeVela calls it) or refused. */
function namespaceCauses(ns: unknown, ctx: StepObjectContext, at: string): ErrorCause[] {
  if (ns === undefined || ns === '' || ns === ctx.appNamespace) return [];
  return [
    {
      path: at,
      code: 'StepNamespaceNotOwn',
      params: { step: ctx.stepName, type: ctx.stepType, namespace: String(ns), own: ctx.appNamespace },
      message: `${ctx.stepType} steps write only into the application's own namespace ("${ctx.appNamespace}", which polis maps to the department's namespace for the application); "${String(ns)}" is another namespace: remove it`,
    },
  ];
}

function stringValues(data: Record<string, unknown>, ctx: StepObjectContext, at: string): ErrorCause[] {
  return Object.entries(data).flatMap(([k, v]) =>
    typeof v === 'string'
      ? []
      : [
          {
            path: `${at}["${k}"]`,
            code: 'StepDataNotString',
            params: { step: ctx.stepName, key: k },
            message: `must be a string: ConfigMap and Secret data hold strings (quote it, or JSON-encode a structure)`,
          },
        ],
  );
}

export function applyObject(p: ApplyObjectProperties, ctx: StepObjectContext): StepObject {
  const at = `${ctx.path}.properties.value`;
  const value = structuredClone(p.value) as Obj;
  const causes: ErrorCause[] = [];
  const kind = value.kind;
  if (typeof kind !== 'string' || typeof value.apiVersion !== 'string') {
    causes.push({
      path: at,
      code: 'StepObjectIncomplete',
      params: { step: ctx.stepName },
      message: 'an object needs apiVersion and kind',
    });
  } else if (isClusterScoped(kind) || RBAC_KINDS.has(kind)) {
    causes.push({
      path: `${at}.kind`,
      code: 'StepObjectClusterScoped',
      params: { step: ctx.stepName, kind },
      message: `${kind} is not allowed: a workflow step may apply only namespaced objects without RBAC, into the application's own namespace; ask the platform admins for cluster-wide objects`,
    });
  }
  const meta = isObj(value.metadata) ? value.metadata : undefined;
  if (typeof meta?.name !== 'string' || meta.name === '') {
    causes.push({
      path: `${at}.metadata.name`,
      code: 'StepObjectUnnamed',
      params: { step: ctx.stepName },
      message: 'required: the object applied needs a name',
    });
  }
  causes.push(...namespaceCauses(meta?.namespace, ctx, `${at}.metadata.namespace`));
  if (causes.length) return { ok: false, causes };
  delete meta!.namespace;
  return { ok: true, object: value };
}

export function export2config(p: Export2configProperties, ctx: StepObjectContext): StepObject {
  const causes = [
    ...namespaceCauses(p.namespace, ctx, `${ctx.path}.properties.namespace`),
    ...stringValues(p.data, ctx, `${ctx.path}.properties.data`),
  ];
  if (causes.length) return { ok: false, causes };
  return {
    ok: true,
    object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: p.configName }, data: structuredClone(p.data) },
  };
}

export function export2secret(p: Export2secretProperties, ctx: StepObjectContext): StepObject {
  const causes = [
    ...namespaceCauses(p.namespace, ctx, `${ctx.path}.properties.namespace`),
    ...stringValues(p.data, ctx, `${ctx.path}.properties.data`),
  ];
  if (causes.length) return { ok: false, causes };
  let data: Record<string, unknown> = structuredClone(p.data);
  const registry = p.kind === 'docker-registry' ? p.dockerRegistry : undefined;
  if (registry) {
    const auth = Buffer.from(`${registry.username}:${registry.password}`).toString('base64');
    const auths = { [registry.server]: { username: registry.username, password: registry.password, auth } };
    data = { '.dockerconfigjson': JSON.stringify({ auths }) };
  }
  const type = p.type ?? (p.kind === 'docker-registry' ? 'kubernetes.io/dockerconfigjson' : undefined);
  return {
    ok: true,
    object: {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: p.secretName },
      ...(type ? { type } : {}),
      stringData: data,
    },
  };
}

export function applyDeployment(p: ApplyDeploymentProperties, ctx: StepObjectContext): StepObject {
  const selector = { 'workflow.oam.dev/step-name': `${ctx.appName}-${ctx.stepName}` };
  return {
    ok: true,
    object: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: ctx.stepName },
      spec: {
        selector: { matchLabels: selector },
        replicas: p.replicas,
        template: {
          metadata: { labels: { ...selector } },
          spec: {
            containers: [{ name: ctx.stepName, image: p.image, ...(p.cmd ? { command: [...p.cmd] } : {}) }],
          },
        },
      },
    },
  };
}
