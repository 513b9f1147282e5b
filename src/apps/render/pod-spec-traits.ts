import { z } from 'zod';
import { hostAlias, stringMap, strings, whole } from './common-schemas.ts';
import { always, NO_RESULT, POD_WORKLOADS, type TraitType } from './builtin-types.ts';
import { child, defined, isObj, list, type Obj } from './objects.ts';

/**
 * Traits that patch the pod spec (`spec.template.spec`) or the workload's update strategy, after KubeVela's
 * `vela-templates/definitions/internal/trait/{affinity,hostalias,topologyspreadconstraints,podsecuritycontext,
 * k8s-update-strategy}.cue`.
 */

function podSpec(workload: Obj): Obj {
  return child(workload, ['spec', 'template', 'spec'], true)!;
}

/** Maps merge key by key (a strategic merge patch); lists and values replace. */
function mergeInto(target: Obj, patch: Obj): void {
  for (const [k, v] of Object.entries(patch)) {
    if (isObj(v) && isObj(target[k])) mergeInto(target[k] as Obj, v);
    else target[k] = structuredClone(v);
  }
}

const selectorOperator = z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']).default('In');
const labelSelector = z
  .object({
    matchLabels: stringMap.optional(),
    matchExpressions: z
      .array(z.object({ key: z.string(), operator: selectorOperator, values: strings.optional() }).strict())
      .optional(),
  })
  .strict();

const podAffinityTerm = z
  .object({
    labelSelector: labelSelector.optional(),
    namespace: z.string().optional(),
    namespaces: strings.optional(),
    topologyKey: z.string(),
    namespaceSelector: labelSelector.optional(),
  })
  .strict();

const weight = z
  .number()
  .int()
  .min(1, { error: 'a weight from 1 to 100' })
  .max(100, { error: 'a weight from 1 to 100' });

const podAffinity = z
  .object({
    required: z.array(podAffinityTerm).optional(),
    preferred: z.array(z.object({ weight, podAffinityTerm }).strict()).optional(),
  })
  .strict();

const nodeSelector = z
  .object({
    key: z.string(),
    operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt']).default('In'),
    values: strings.optional(),
  })
  .strict();
const nodeSelectorTerm = z
  .object({ matchExpressions: z.array(nodeSelector).optional(), matchFields: z.array(nodeSelector).optional() })
  .strict();

export const affinityProperties = z
  .object({
    podAffinity: podAffinity.optional(),
    podAntiAffinity: podAffinity.optional(),
    nodeAffinity: z
      .object({
        required: z
          .object({ nodeSelectorTerms: z.array(nodeSelectorTerm) })
          .strict()
          .optional(),
        preferred: z.array(z.object({ weight, preference: nodeSelectorTerm }).strict()).optional(),
      })
      .strict()
      .optional(),
    tolerations: z
      .array(
        z
          .object({
            key: z.string().optional(),
            operator: z.enum(['Equal', 'Exists']).default('Equal'),
            value: z.string().optional(),
            effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
            tolerationSeconds: z.number().int().optional(),
          })
          .strict(),
      )
      .optional(),
  })
  .strict();

type AffinityProperties = z.infer<typeof affinityProperties>;
type PodAffinity = z.infer<typeof podAffinity>;

function podAffinityOf(p: PodAffinity): Obj {
  return defined({
    requiredDuringSchedulingIgnoredDuringExecution: p.required?.map((k) => structuredClone(defined(k))),
    preferredDuringSchedulingIgnoredDuringExecution: p.preferred?.map((k) => ({
      weight: k.weight,
      podAffinityTerm: structuredClone(defined(k.podAffinityTerm)),
    })),
  });
}

function applyAffinity(workload: Obj, p: AffinityProperties): void {
  const spec = podSpec(workload);
  const affinity: Obj = {};
  if (p.podAffinity) affinity.podAffinity = podAffinityOf(p.podAffinity);
  if (p.podAntiAffinity) affinity.podAntiAffinity = podAffinityOf(p.podAntiAffinity);
  if (p.nodeAffinity) {
    const n = p.nodeAffinity;
    affinity.nodeAffinity = defined({
      requiredDuringSchedulingIgnoredDuringExecution: n.required && {
        nodeSelectorTerms: n.required.nodeSelectorTerms.map((t) => structuredClone(defined(t))),
      },
      preferredDuringSchedulingIgnoredDuringExecution: n.preferred?.map((k) => ({
        weight: k.weight,
        preference: structuredClone(defined(k.preference)),
      })),
    });
  }
  if (Object.keys(affinity).length > 0) mergeInto(child(spec, ['affinity'], true)!, affinity);
  if (p.tolerations) spec.tolerations = p.tolerations.map((t) => defined(t));
}

export const hostaliasProperties = z.object({ hostAliases: z.array(hostAlias) }).strict();

/** `+patchKey=ip`: an alias for an IP the pod already has takes the new host names; others are appended. */
function applyHostalias(workload: Obj, p: z.infer<typeof hostaliasProperties>): void {
  const aliases = list(podSpec(workload), 'hostAliases');
  for (const a of p.hostAliases) {
    const same = aliases.find((x) => x.ip === a.ip);
    if (same) same.hostnames = [...a.hostnames];
    else aliases.push({ ip: a.ip, hostnames: [...a.hostnames] });
  }
}

export const topologySpreadProperties = z
  .object({
    constraints: z.array(
      z
        .object({
          maxSkew: whole(1),
          topologyKey: z.string(),
          whenUnsatisfiable: z.enum(['DoNotSchedule', 'ScheduleAnyway']).default('DoNotSchedule'),
          labelSelector,
          minDomains: whole(1).optional(),
          matchLabelKeys: strings.optional(),
          nodeAffinityPolicy: z.enum(['Honor', 'Ignore']).optional(),
          nodeTaintsPolicy: z.enum(['Honor', 'Ignore']).optional(),
        })
        .strict(),
    ),
  })
  .strict();

function applyTopologySpread(workload: Obj, p: z.infer<typeof topologySpreadProperties>): void {
  podSpec(workload).topologySpreadConstraints = p.constraints.map((c) =>
    structuredClone(
      defined({
        maxSkew: c.maxSkew,
        topologyKey: c.topologyKey,
        whenUnsatisfiable: c.whenUnsatisfiable,
        labelSelector: defined(c.labelSelector),
        nodeAffinityPolicy: c.nodeAffinityPolicy,
        nodeTaintsPolicy: c.nodeTaintsPolicy,
        minDomains: c.minDomains,
        matchLabelKeys: c.matchLabelKeys,
      }),
    ),
  );
}

const profile = z
  .object({ type: z.enum(['RuntimeDefault', 'Unconfined', 'Localhost']), localhostProfile: z.string() })
  .strict();

export const podSecurityContextProperties = z
  .object({
    appArmorProfile: profile.optional(),
    fsGroup: z.number().int().optional(),
    runAsGroup: z.number().int().optional(),
    runAsUser: z.number().int().optional(),
    runAsNonRoot: z.boolean().default(true),
    seccompProfile: profile.optional(),
  })
  .strict();

function applyPodSecurityContext(workload: Obj, p: z.infer<typeof podSecurityContextProperties>): void {
  mergeInto(child(podSpec(workload), ['securityContext'], true)!, structuredClone(defined(p)));
}

const rollingStrategy = z
  .object({
    maxSurge: z.string().default('25%'),
    maxUnavailable: z.string().default('25%'),
    partition: whole(0).default(0),
  })
  .strict();

export const updateStrategyProperties = z
  .object({
    targetAPIVersion: z.string().default('apps/v1'),
    targetKind: z.enum(['Deployment', 'StatefulSet', 'DaemonSet']).default('Deployment'),
    strategy: z
      .object({
        type: z.enum(['RollingUpdate', 'Recreate', 'OnDelete']).default('RollingUpdate'),
        rollingStrategy: rollingStrategy.optional(),
      })
      .strict()
      .default({ type: 'RollingUpdate' }),
  })
  .strict();

/**
 * Deployment: `strategy` (not for OnDelete); StatefulSet and DaemonSet: `updateStrategy` (not for Recreate), each
 * replaced whole (retainKeys). KubeVela writes the field `targetKind` names whatever the workload is; polis refuses
 * a `targetKind` that is not the workload's kind, which Kubernetes would refuse or ignore.
 */
const applyUpdateStrategy: TraitType['apply'] = (workload, props, ctx) => {
  const p = props as z.infer<typeof updateStrategyProperties>;
  if (p.targetKind !== workload.kind) {
    return {
      outputs: [],
      causes: [
        {
          path: `${ctx.path}.properties.targetKind`,
          message: `is ${p.targetKind} but the component's workload is a ${String(workload.kind)}; set targetKind: ${String(workload.kind)}`,
        },
      ],
    };
  }
  const rolling = rollingStrategy.parse(p.strategy.rollingStrategy ?? {});
  const spec = child(workload, ['spec'], true)!;
  const type = p.strategy.type;
  if (p.targetKind === 'Deployment' && type !== 'OnDelete') {
    spec.strategy =
      type === 'RollingUpdate'
        ? { type, rollingUpdate: { maxSurge: rolling.maxSurge, maxUnavailable: rolling.maxUnavailable } }
        : { type };
  } else if (p.targetKind === 'StatefulSet' && type !== 'Recreate') {
    spec.updateStrategy =
      type === 'RollingUpdate' ? { type, rollingUpdate: { partition: rolling.partition } } : { type };
  } else if (p.targetKind === 'DaemonSet' && type !== 'Recreate') {
    spec.updateStrategy =
      type === 'RollingUpdate'
        ? { type, rollingUpdate: { maxSurge: rolling.maxSurge, maxUnavailable: rolling.maxUnavailable } }
        : { type };
  }
  return NO_RESULT;
};

/** node-affinity.cue (deprecated upstream in favour of affinity): `affinity: {key: [values]}`, `tolerations: {key: value}`. */
export const nodeAffinityProperties = z
  .object({ affinity: z.record(z.string(), strings).optional(), tolerations: stringMap.optional() })
  .strict();

function applyNodeAffinity(workload: Obj, p: z.infer<typeof nodeAffinityProperties>): void {
  const spec = podSpec(workload);
  if (p.affinity) {
    const matchExpressions = Object.entries(p.affinity).map(([key, values]) => ({ key, operator: 'In', values }));
    mergeInto(child(spec, ['affinity'], true)!, {
      nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions }] } },
    });
  }
  if (p.tolerations) {
    spec.tolerations = Object.entries(p.tolerations).map(([key, value]) => ({
      effect: 'NoSchedule',
      key,
      operator: 'Equal',
      value,
    }));
  }
}

export const POD_SPEC_TRAITS: Readonly<Record<string, TraitType>> = {
  // appliesToWorkloads is `*` upstream; the patch is on spec.template, which a CronJob does not have.
  'node-affinity': {
    schema: always(nodeAffinityProperties),
    appliesTo: POD_WORKLOADS,
    apply: (w, p) => (applyNodeAffinity(w, p as z.infer<typeof nodeAffinityProperties>), NO_RESULT),
  },
  affinity: {
    schema: always(affinityProperties),
    appliesTo: POD_WORKLOADS,
    apply: (w, p) => (applyAffinity(w, p as AffinityProperties), NO_RESULT),
  },
  hostalias: {
    schema: always(hostaliasProperties),
    appliesTo: POD_WORKLOADS,
    apply: (w, p) => (applyHostalias(w, p as z.infer<typeof hostaliasProperties>), NO_RESULT),
  },
  topologyspreadconstraints: {
    schema: always(topologySpreadProperties),
    appliesTo: POD_WORKLOADS,
    apply: (w, p) => (applyTopologySpread(w, p as z.infer<typeof topologySpreadProperties>), NO_RESULT),
  },
  podsecuritycontext: {
    schema: always(podSecurityContextProperties),
    appliesTo: POD_WORKLOADS,
    apply: (w, p) => (applyPodSecurityContext(w, p as z.infer<typeof podSecurityContextProperties>), NO_RESULT),
  },
  'k8s-update-strategy': {
    schema: always(updateStrategyProperties),
    appliesTo: ['deployments.apps', 'statefulsets.apps', 'daemonsets.apps'],
    apply: applyUpdateStrategy,
  },
};
