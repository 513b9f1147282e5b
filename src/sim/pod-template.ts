import { parseBytes, parseCpu } from '../kernel/quantity.ts';
import { isObject, stableStringify } from './apply-merge.ts';
import { hashString } from './random.ts';

type Json = Record<string, unknown>;

/** Annotation on a pod template: how long a Job's pod runs before it succeeds (seconds). */
export const RUN_SECONDS_ANNOTATION = 'sim.polis.io/run-seconds';

/** CPU a pod without requests or limits is taken to be able to use when it serves load (millicores). */
export const BEST_EFFORT_CPU_MILLI = 100;

/**
 * What the simulation needs from a pod template, read once per template revision and shared by all its pods, so
 * that a pod record stays a handful of fields.
 */
export interface PodTemplateInfo {
  /** The revision: a hash of the template (Kubernetes' `pod-template-hash`). */
  readonly hash: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Requests of one pod, as the scheduler counts them. */
  readonly cpuMilli: number;
  readonly memoryBytes: number;
  /** CPU one pod can spend serving: its limit when every container has one, else its request. */
  readonly servingCpuMilli: number;
  /**
   * Whether every container has a CPU limit: then the pod runs under a CFS quota of `servingCpuMilli` and is
   * throttled when it wants more (cAdvisor's container_cpu_cfs_throttled_periods_total). Absent: not limited.
   */
  readonly cpuLimited?: boolean;
  readonly images: readonly string[];
  /** The names of the (main) containers, in order. */
  readonly containers: readonly string[];
  /** From the readiness probes' initialDelaySeconds; undefined when no container has a probe. */
  readonly readinessDelayMs: number | undefined;
  /** From the run-seconds annotation; undefined when absent. */
  readonly runMs: number | undefined;
  readonly restartPolicy: string;
}

/** Namespace defaults from a LimitRange (`type: Container`). */
export interface ContainerDefaults {
  readonly cpuMilli?: number;
  readonly memoryBytes?: number;
  readonly cpuLimitMilli?: number;
  readonly memoryLimitBytes?: number;
}

export function podTemplateInfo(template: unknown, defaults: ContainerDefaults = {}): PodTemplateInfo {
  const t = (isObject(template) ? template : {}) as Json;
  const spec = (isObject(t.spec) ? t.spec : {}) as Json;
  const meta = (isObject(t.metadata) ? t.metadata : {}) as Json;
  const containers = (Array.isArray(spec.containers) ? spec.containers : []).filter(isObject);
  const inits = (Array.isArray(spec.initContainers) ? spec.initContainers : []).filter(isObject);
  let cpu = 0;
  let memory = 0;
  let cpuLimit = 0;
  let limited = containers.length > 0;
  let readiness: number | undefined;
  for (const c of containers) {
    const r = containerResources(c, defaults);
    cpu += r.cpu;
    memory += r.memory;
    if (r.cpuLimit === undefined) limited = false;
    else cpuLimit += r.cpuLimit;
    const delay = (c.readinessProbe as Json | undefined)?.initialDelaySeconds;
    if (isObject(c.readinessProbe)) readiness = Math.max(readiness ?? 0, typeof delay === 'number' ? delay * 1000 : 0);
  }
  // An init container runs alone before the others, so a pod needs the larger of the two (Kubernetes' rule).
  for (const c of inits) {
    const r = containerResources(c, defaults);
    cpu = Math.max(cpu, r.cpu);
    memory = Math.max(memory, r.memory);
  }
  const annotations = (isObject(meta.annotations) ? meta.annotations : {}) as Record<string, string>;
  const run = Number(annotations[RUN_SECONDS_ANNOTATION]);
  const text = stableStringify(t);
  return {
    hash: revisionHash(text),
    labels: (isObject(meta.labels) ? meta.labels : {}) as Record<string, string>,
    cpuMilli: cpu,
    memoryBytes: memory,
    servingCpuMilli: limited ? Math.max(cpuLimit, cpu) : cpu > 0 ? cpu : BEST_EFFORT_CPU_MILLI,
    ...(limited ? { cpuLimited: true } : {}),
    images: [...new Set([...inits, ...containers].map((c) => String(c.image)))],
    containers: containers.map((c, i) => (typeof c.name === 'string' ? c.name : `container-${i}`)),
    readinessDelayMs: readiness,
    runMs: Number.isFinite(run) && run >= 0 ? run * 1000 : undefined,
    restartPolicy: typeof spec.restartPolicy === 'string' ? spec.restartPolicy : 'Always',
  };
}

/** Ten characters from the hash of a template's stable text. */
export function revisionHash(text: string): string {
  const a = hashString(text).toString(36).padStart(7, '0');
  const b = hashString(text, 0x9747b28c).toString(36).padStart(7, '0');
  return (a + b).slice(0, 10);
}

function containerResources(c: Json, d: ContainerDefaults) {
  const requests = (isObject(c.resources) && isObject(c.resources.requests) ? c.resources.requests : {}) as Json;
  const limits = (isObject(c.resources) && isObject(c.resources.limits) ? c.resources.limits : {}) as Json;
  const cpuLimit = limits.cpu !== undefined ? parseCpu(limits.cpu as string) : d.cpuLimitMilli;
  const memLimit = limits.memory !== undefined ? parseBytes(limits.memory as string) : d.memoryLimitBytes;
  // Kubernetes takes a missing request from the limit, then from the namespace's default request.
  const cpu = requests.cpu !== undefined ? parseCpu(requests.cpu as string) : (cpuLimit ?? d.cpuMilli ?? 0);
  const memory =
    requests.memory !== undefined ? parseBytes(requests.memory as string) : (memLimit ?? d.memoryBytes ?? 0);
  return { cpu, memory, cpuLimit };
}
