import type { ApplicationSpec, ComponentSpec } from '../../apps/application-kind.ts';
import { componentDemands, type ComponentDemandInfo } from '../../apps/render/index.ts';
import { PRIORITY_LABEL } from '../../placement/sharing.ts';

/** How much a failed check matters: Polaris's levels (danger blocks the standard, warning and info lower the score). */
export type Severity = 'danger' | 'warning' | 'info';

/** The annotations (or labels) of an Application the assessment reads. */
export const ASSESSMENT_ANNOTATIONS = {
  maintainer: 'polis.io/maintainer',
  vendor: 'polis.io/vendor',
  slo: 'polis.io/slo',
  disruptionBudget: 'polis.io/disruption-budget',
  description: 'polis.io/description',
} as const;

/** What a check reads of one application. */
export interface CheckContext {
  readonly spec: ApplicationSpec;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** Registries images may come from (the data bureau's MarketPolicy); empty: not restricted, the check is skipped. */
  readonly allowedRegistries: readonly string[];
  /** The rightsizing recommendation per component, where one is known. */
  readonly recommendations: Readonly<Record<string, { readonly cpuMilli: number; readonly memoryBytes: number }>>;
}

/** One component as the checks see it. */
export interface ComponentView {
  readonly spec: ComponentSpec;
  readonly props: Record<string, unknown>;
  readonly demand: ComponentDemandInfo | undefined;
  /** Runs pods all the time (not a task or cron-task). */
  readonly longRunning: boolean;
  /** Serves traffic (webservice). */
  readonly service: boolean;
  readonly security: Record<string, unknown> | undefined;
}

/** true passes, false fails, undefined does not apply (not counted). */
type Verdict = boolean | undefined;

export interface CheckDefinition {
  readonly id: string;
  readonly severity: Severity;
  /** The reason code when it fails (src/kernel/messages/optimization.ts), with {component} where per component. */
  readonly code: string;
  /** The fix's code. */
  readonly fix: string;
  readonly scope: 'component' | 'application';
  readonly test: (c: ComponentView | undefined, ctx: CheckContext) => Verdict;
}

const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

function trait(c: ComponentSpec, type: string): Record<string, unknown> | undefined {
  const t = (c.traits ?? []).find((x) => x.type === type);
  return t ? obj(t.properties) : undefined;
}

function resourceTrait(c: ComponentView): { requests: Record<string, unknown>; limits: Record<string, unknown> } {
  const r = trait(c.spec, 'resource');
  if (!r) return { requests: {}, limits: {} };
  // cpu/memory shorthand sets requests and limits together (KubeVela's resource trait).
  if (r.cpu !== undefined || r.memory !== undefined) {
    const both = { cpu: r.cpu, memory: r.memory };
    return { requests: both, limits: both };
  }
  return { requests: obj(r.requests), limits: obj(r.limits) };
}

function has(v: unknown): boolean {
  return v !== undefined && v !== null && v !== '' && v !== 0 && v !== '0';
}

function policies(ctx: CheckContext, type: string) {
  return (ctx.spec.policies ?? []).filter((p) => p.type === type);
}

function meta(ctx: CheckContext, key: string): string | undefined {
  const v = ctx.annotations[key] ?? ctx.labels[key];
  return v !== undefined && v.trim() !== '' ? v : undefined;
}

/** The registry host of an image reference, or undefined when it names none (Docker Hub shorthand). */
export function registryOf(image: string): string | undefined {
  const first = image.split('/')[0]!;
  if (!image.includes('/')) return undefined;
  return first.includes('.') || first.includes(':') || first === 'localhost' ? first : undefined;
}

function tagOf(image: string): { tag?: string; digest: boolean } {
  if (image.includes('@sha256:')) return { digest: true, tag: 'digest' };
  const last = image.split('/').pop()!;
  const i = last.indexOf(':');
  return { digest: false, ...(i >= 0 ? { tag: last.slice(i + 1) } : {}) };
}

function image(c: ComponentView): string | undefined {
  return typeof c.props.image === 'string' ? c.props.image : undefined;
}

/** Replicas the component runs at the least: the autoscaling minimum when autoscaled, else its replicas. */
function minReplicas(c: ComponentView, ctx: CheckContext): number {
  for (const p of policies(ctx, 'autoscaling')) {
    const comps = (obj(p.properties).components ?? []) as { name?: string; minReplicas?: number }[];
    const mine = comps.find((x) => x.name === c.spec.name);
    if (mine && typeof mine.minReplicas === 'number') return mine.minReplicas;
  }
  return c.demand?.replicas ?? 1;
}

function autoscaled(c: ComponentView, ctx: CheckContext): boolean {
  if (c.demand?.nativeAutoscaling) return true;
  return policies(ctx, 'autoscaling').some((p) =>
    ((obj(p.properties).components ?? []) as { name?: string }[]).some((x) => x.name === c.spec.name),
  );
}

function spread(c: ComponentView, ctx: CheckContext): boolean {
  for (const p of policies(ctx, 'placement')) {
    const props = obj(p.properties);
    const comps = (props.components ?? []) as string[];
    if (comps.length > 0 && !comps.includes(c.spec.name)) continue;
    if (props.spreadBy === 'zone' || props.spreadBy === 'region') return true;
    if (props.division === 'duplicated') return true;
    if (((props.clusters ?? []) as unknown[]).length >= 2 || ((props.zones ?? []) as unknown[]).length >= 2)
      return true;
  }
  const topology = policies(ctx, 'topology');
  const clusters = new Set(topology.flatMap((p) => (obj(p.properties).clusters ?? []) as string[]));
  return clusters.size >= 2 || topology.length >= 2;
}

const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL)/i;

function within(current: number, recommended: number): boolean {
  return recommended > 0 && Math.abs(current - recommended) / recommended <= 0.3;
}

const c_ =
  (f: (c: ComponentView, ctx: CheckContext) => Verdict) => (c: ComponentView | undefined, ctx: CheckContext) =>
    c ? f(c, ctx) : undefined;
const svc = (f: (c: ComponentView, ctx: CheckContext) => Verdict) =>
  c_((c, ctx) => (c.service ? f(c, ctx) : undefined));
const running = (f: (c: ComponentView, ctx: CheckContext) => Verdict) =>
  c_((c, ctx) => (c.longRunning ? f(c, ctx) : undefined));
const imaged = (f: (img: string, c: ComponentView, ctx: CheckContext) => Verdict) =>
  c_((c, ctx) => {
    const i = image(c);
    return i === undefined ? undefined : f(i, c, ctx);
  });
const secured = (f: (s: Record<string, unknown>) => Verdict) =>
  c_((c) => (image(c) === undefined ? undefined : f(c.security ?? {})));

/**
 * The checks, after Polaris (reliability, efficiency, security) and kube-score, in polis's terms. Every check has a
 * stable id, a severity, the reason code when it fails and the fix's code (docs/operations.md lists them).
 */
export const CHECKS: readonly CheckDefinition[] = [
  // ── Resources ──
  {
    id: 'cpu-request',
    severity: 'danger',
    code: 'AssessCpuRequestMissing',
    fix: 'AssessFixCpuRequest',
    scope: 'component',
    test: imaged((_, c) => has(c.props.cpu) || has(resourceTrait(c).requests.cpu)),
  },
  {
    id: 'memory-request',
    severity: 'danger',
    code: 'AssessMemoryRequestMissing',
    fix: 'AssessFixMemoryRequest',
    scope: 'component',
    test: imaged((_, c) => has(c.props.memory) || has(resourceTrait(c).requests.memory)),
  },
  {
    id: 'cpu-limit',
    severity: 'warning',
    code: 'AssessCpuLimitMissing',
    fix: 'AssessFixCpuLimit',
    scope: 'component',
    test: imaged((_, c) => has(obj(c.props.limit).cpu) || has(resourceTrait(c).limits.cpu) || has(c.props.cpu)),
  },
  {
    id: 'memory-limit',
    severity: 'warning',
    code: 'AssessMemoryLimitMissing',
    fix: 'AssessFixMemoryLimit',
    scope: 'component',
    test: imaged(
      (_, c) => has(obj(c.props.limit).memory) || has(resourceTrait(c).limits.memory) || has(c.props.memory),
    ),
  },
  {
    id: 'requests-near-recommendation',
    severity: 'warning',
    code: 'AssessRequestsFarFromRecommendation',
    fix: 'AssessFixRequestsRecommendation',
    scope: 'component',
    test: running((c, ctx) => {
      const r = ctx.recommendations[c.spec.name];
      if (!r || !c.demand) return undefined;
      return within(c.demand.perReplica.cpuMilli, r.cpuMilli) && within(c.demand.perReplica.memoryBytes, r.memoryBytes);
    }),
  },
  // ── Health ──
  {
    id: 'readiness-probe',
    severity: 'warning',
    code: 'AssessReadinessProbeMissing',
    fix: 'AssessFixReadinessProbe',
    scope: 'component',
    test: svc((c) => has(c.props.readinessProbe)),
  },
  {
    id: 'liveness-probe',
    severity: 'warning',
    code: 'AssessLivenessProbeMissing',
    fix: 'AssessFixLivenessProbe',
    scope: 'component',
    test: running((c) => has(c.props.livenessProbe)),
  },
  {
    id: 'probes-distinct',
    severity: 'info',
    code: 'AssessProbesIdentical',
    fix: 'AssessFixProbesDistinct',
    scope: 'component',
    test: svc((c) =>
      has(c.props.readinessProbe) && has(c.props.livenessProbe)
        ? JSON.stringify(c.props.readinessProbe) !== JSON.stringify(c.props.livenessProbe)
        : undefined,
    ),
  },
  // ── Images ──
  {
    id: 'image-tag-pinned',
    severity: 'danger',
    code: 'AssessImageNotPinned',
    fix: 'AssessFixImagePinned',
    scope: 'component',
    test: imaged((i) => {
      const t = tagOf(i);
      return t.tag !== undefined && t.tag !== 'latest';
    }),
  },
  {
    id: 'image-digest',
    severity: 'info',
    code: 'AssessImageNoDigest',
    fix: 'AssessFixImageDigest',
    scope: 'component',
    test: imaged((i) => tagOf(i).digest),
  },
  {
    id: 'image-registry-named',
    severity: 'warning',
    code: 'AssessImageNoRegistry',
    fix: 'AssessFixImageRegistry',
    scope: 'component',
    test: imaged((i) => registryOf(i) !== undefined),
  },
  {
    id: 'image-registry-allowed',
    severity: 'danger',
    code: 'AssessImageRegistryNotAllowed',
    fix: 'AssessFixImageRegistryAllowed',
    scope: 'component',
    test: imaged((i, _, ctx) => {
      if (ctx.allowedRegistries.length === 0) return undefined;
      return ctx.allowedRegistries.some((r) => i === r || i.startsWith(`${r}/`));
    }),
  },
  {
    id: 'image-pull-policy',
    severity: 'info',
    code: 'AssessPullPolicyNever',
    fix: 'AssessFixPullPolicy',
    scope: 'component',
    test: imaged((_, c) => c.props.imagePullPolicy !== 'Never'),
  },
  // ── Security ──
  {
    id: 'run-as-non-root',
    severity: 'danger',
    code: 'AssessRunsAsRoot',
    fix: 'AssessFixRunAsNonRoot',
    scope: 'component',
    test: c_((c) =>
      image(c) === undefined
        ? undefined
        : c.security !== undefined && c.security.runAsNonRoot !== false && c.security.runAsUser !== 0,
    ),
  },
  {
    id: 'read-only-root-fs',
    severity: 'warning',
    code: 'AssessRootFsWritable',
    fix: 'AssessFixReadOnlyRootFs',
    scope: 'component',
    test: secured((s) => s.readOnlyRootFilesystem === true),
  },
  {
    id: 'not-privileged',
    severity: 'danger',
    code: 'AssessPrivileged',
    fix: 'AssessFixNotPrivileged',
    scope: 'component',
    test: secured((s) => s.privileged !== true),
  },
  {
    id: 'no-privilege-escalation',
    severity: 'danger',
    code: 'AssessPrivilegeEscalation',
    fix: 'AssessFixNoPrivilegeEscalation',
    scope: 'component',
    test: c_((c) =>
      image(c) === undefined ? undefined : c.security !== undefined && c.security.allowPrivilegeEscalation !== true,
    ),
  },
  {
    id: 'capabilities-dropped',
    severity: 'warning',
    code: 'AssessCapabilitiesKept',
    fix: 'AssessFixDropCapabilities',
    scope: 'component',
    test: secured((s) => ((s.dropCapabilities ?? []) as string[]).includes('ALL')),
  },
  {
    id: 'no-added-capabilities',
    severity: 'danger',
    code: 'AssessCapabilitiesAdded',
    fix: 'AssessFixNoAddedCapabilities',
    scope: 'component',
    test: secured((s) => ((s.addCapabilities ?? []) as string[]).every((x) => x === 'NET_BIND_SERVICE')),
  },
  {
    id: 'no-host-path',
    severity: 'danger',
    code: 'AssessHostPath',
    fix: 'AssessFixNoHostPath',
    scope: 'component',
    test: imaged((_, c) => {
      const legacy = ((c.props.volumes ?? []) as { type?: string }[]).some((v) => v.type === 'hostPath');
      const storage = ((trait(c.spec, 'storage')?.hostPath ?? []) as unknown[]).length > 0;
      return !legacy && !storage;
    }),
  },
  {
    id: 'no-secrets-in-env',
    severity: 'danger',
    code: 'AssessSecretInEnv',
    fix: 'AssessFixSecretInEnv',
    scope: 'component',
    test: imaged(
      (_, c) =>
        !((c.props.env ?? []) as { name?: string; value?: unknown }[]).some(
          (e) => SECRET_NAME.test(e.name ?? '') && typeof e.value === 'string' && e.value !== '',
        ),
    ),
  },
  {
    id: 'no-node-port',
    severity: 'info',
    code: 'AssessNodePort',
    fix: 'AssessFixNodePort',
    scope: 'component',
    test: svc(
      (c) =>
        c.props.exposeType !== 'NodePort' &&
        !((c.props.ports ?? []) as { nodePort?: number }[]).some((p) => p.nodePort !== undefined),
    ),
  },
  // ── Availability ──
  {
    id: 'replicas-at-least-two',
    severity: 'danger',
    code: 'AssessSingleReplica',
    fix: 'AssessFixReplicas',
    scope: 'component',
    test: svc((c, ctx) => minReplicas(c, ctx) >= 2),
  },
  {
    id: 'spread-across-zones',
    severity: 'warning',
    code: 'AssessNotSpread',
    fix: 'AssessFixSpread',
    scope: 'component',
    test: svc((c, ctx) => spread(c, ctx)),
  },
  {
    id: 'disruption-budget',
    severity: 'warning',
    code: 'AssessNoDisruptionBudget',
    fix: 'AssessFixDisruptionBudget',
    scope: 'application',
    test: (_, ctx) => meta(ctx, ASSESSMENT_ANNOTATIONS.disruptionBudget) !== undefined,
  },
  {
    id: 'autoscaling-policy',
    severity: 'warning',
    code: 'AssessNotAutoscaled',
    fix: 'AssessFixAutoscaling',
    scope: 'component',
    test: svc((c, ctx) => autoscaled(c, ctx)),
  },
  {
    id: 'cron-concurrency',
    severity: 'info',
    code: 'AssessCronConcurrencyAllow',
    fix: 'AssessFixCronConcurrency',
    scope: 'component',
    test: c_((c) =>
      c.spec.type === 'cron-task'
        ? c.props.concurrencyPolicy !== undefined && c.props.concurrencyPolicy !== 'Allow'
        : undefined,
    ),
  },
  {
    id: 'cron-deadline',
    severity: 'info',
    code: 'AssessCronNoDeadline',
    fix: 'AssessFixCronDeadline',
    scope: 'component',
    test: c_((c) => (c.spec.type === 'cron-task' ? has(c.props.startingDeadlineSeconds) : undefined)),
  },
  // ── Ownership and operations ──
  {
    id: 'maintainer-named',
    severity: 'warning',
    code: 'AssessNoMaintainer',
    fix: 'AssessFixMaintainer',
    scope: 'application',
    test: (_, ctx) => meta(ctx, ASSESSMENT_ANNOTATIONS.maintainer) !== undefined,
  },
  {
    id: 'vendor-named',
    severity: 'warning',
    code: 'AssessNoVendor',
    fix: 'AssessFixVendor',
    scope: 'application',
    test: (_, ctx) => meta(ctx, ASSESSMENT_ANNOTATIONS.vendor) !== undefined,
  },
  {
    id: 'slo-declared',
    severity: 'warning',
    code: 'AssessNoSlo',
    fix: 'AssessFixSlo',
    scope: 'application',
    test: (_, ctx) => meta(ctx, ASSESSMENT_ANNOTATIONS.slo) !== undefined,
  },
  {
    id: 'failover-policy',
    severity: 'warning',
    code: 'AssessNoFailover',
    fix: 'AssessFixFailover',
    scope: 'application',
    test: (_, ctx) => policies(ctx, 'failover').length > 0,
  },
  {
    id: 'placement-declared',
    severity: 'info',
    code: 'AssessNoPlacement',
    fix: 'AssessFixPlacement',
    scope: 'application',
    test: (_, ctx) => policies(ctx, 'placement').length > 0 || policies(ctx, 'topology').length > 0,
  },
  {
    id: 'residency-declared',
    severity: 'info',
    code: 'AssessNoResidency',
    fix: 'AssessFixResidency',
    scope: 'application',
    test: (_, ctx) => policies(ctx, 'residency').length > 0,
  },
  {
    id: 'priority-set',
    severity: 'info',
    code: 'AssessNoPriority',
    fix: 'AssessFixPriority',
    scope: 'application',
    test: (_, ctx) => meta(ctx, PRIORITY_LABEL) !== undefined,
  },
  {
    id: 'description',
    severity: 'info',
    code: 'AssessNoDescription',
    fix: 'AssessFixDescription',
    scope: 'application',
    test: (_, ctx) => meta(ctx, ASSESSMENT_ANNOTATIONS.description) !== undefined,
  },
];

export const CHECK_IDS: readonly string[] = CHECKS.map((c) => c.id);

/** The components of an application as the checks see them. */
export function componentViews(spec: ApplicationSpec): ComponentView[] {
  let demands: ComponentDemandInfo[] = [];
  try {
    demands = componentDemands(spec);
  } catch {
    demands = [];
  }
  return spec.components.map((c) => {
    const type = c.type;
    const sec = trait(c, 'securitycontext');
    const podSec = trait(c, 'podsecuritycontext');
    const security =
      sec || podSec
        ? {
            allowPrivilegeEscalation: false,
            privileged: false,
            readOnlyRootFilesystem: false,
            runAsNonRoot: true,
            ...podSec,
            ...sec,
          }
        : undefined;
    return {
      spec: c,
      props: obj(c.properties),
      demand: demands.find((d) => d.name === c.name),
      longRunning: type !== 'task' && type !== 'cron-task',
      service: type === 'webservice',
      security,
    };
  });
}
