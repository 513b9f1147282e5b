import { OWNER_LABELS } from '../kernel/ownership.ts';
import { ManualClock } from '../kernel/clock.ts';
import type { Manifest } from '../kernel/manifest.ts';
import type { SimClusterSpec } from './cluster-spec.ts';
import { SimCloud } from './sim-cloud.ts';
import type { SimCluster } from './sim-cluster.ts';
import type { SimTimings } from './timings.ts';

/** Builders for the sim's tests: a small cloud on a ManualClock and the manifests polis renders. */

export const START = '2026-03-02T00:00:00Z';
const GiB = 1024 ** 3;

export function smallCluster(
  name = 'c1',
  nodeCount = 3,
  cores = 4,
  extra: Partial<SimClusterSpec> = {},
): SimClusterSpec {
  return {
    name,
    vendor: 'test',
    region: 'r1',
    zone: 'r1-a',
    networkZone: 'e-gov-extranet',
    role: 'primary',
    labels: {},
    prices: { cpuCoreHour: 0.1, memoryGiBHour: 0.01 },
    nodes: Array.from({ length: nodeCount }, (_, i) => ({
      name: `${name}-n${i + 1}`,
      cpuMilli: cores * 1000,
      memoryBytes: 16 * GiB,
      pods: 110,
    })),
    ...extra,
  };
}

export function newCloud(o: { seed?: number; timings?: Partial<SimTimings>; clusters?: SimClusterSpec[] } = {}) {
  const clock = new ManualClock(START);
  const cloud = new SimCloud({ clock, seed: o.seed ?? 7, ...(o.timings ? { timings: o.timings } : {}) });
  const clusters = (o.clusters ?? [smallCluster()]).map((s) => cloud.addCluster(s));
  return { clock, cloud, cluster: clusters[0]!, clusters };
}

export function namespace(name: string): Manifest {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

export interface WorkloadOptions {
  replicas?: number;
  image?: string;
  cpu?: string;
  cpuLimit?: string;
  memory?: string;
  component?: string;
  app?: string;
  readinessDelaySeconds?: number;
  strategy?: Record<string, unknown>;
  env?: string;
}

function podTemplate(name: string, o: WorkloadOptions) {
  const labels = { app: name, [OWNER_LABELS.component]: o.component ?? name };
  return {
    metadata: { labels },
    spec: {
      containers: [
        {
          name: 'main',
          image: o.image ?? 'registry.gov/app:1.0',
          ...(o.env !== undefined ? { env: [{ name: 'VERSION', value: o.env }] } : {}),
          resources: {
            requests: { cpu: o.cpu ?? '500m', memory: o.memory ?? '512Mi' },
            ...(o.cpuLimit !== undefined ? { limits: { cpu: o.cpuLimit } } : {}),
          },
          ...(o.readinessDelaySeconds !== undefined
            ? {
                readinessProbe: {
                  httpGet: { path: '/healthz', port: 8080 },
                  initialDelaySeconds: o.readinessDelaySeconds,
                },
              }
            : {}),
        },
      ],
    },
  };
}

function ownerLabels(name: string, o: WorkloadOptions): Record<string, string> {
  return {
    [OWNER_LABELS.app]: o.app ?? 'portal',
    [OWNER_LABELS.component]: o.component ?? name,
    [OWNER_LABELS.tenant]: 'edu',
  };
}

export function deployment(name: string, ns: string, o: WorkloadOptions = {}): Manifest {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns, labels: ownerLabels(name, o) },
    spec: {
      replicas: o.replicas ?? 2,
      selector: { matchLabels: { app: name } },
      ...(o.strategy !== undefined ? { strategy: o.strategy } : {}),
      template: podTemplate(name, o),
    },
  };
}

export function statefulSet(name: string, ns: string, o: WorkloadOptions = {}): Manifest {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: ns, labels: ownerLabels(name, o) },
    spec: {
      replicas: o.replicas ?? 3,
      serviceName: name,
      selector: { matchLabels: { app: name } },
      template: podTemplate(name, o),
    },
  };
}

export function job(
  name: string,
  ns: string,
  o: WorkloadOptions & { runSeconds?: number; completions?: number; backoffLimit?: number } = {},
): Manifest {
  const template = podTemplate(name, o);
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: ns, labels: ownerLabels(name, o) },
    spec: {
      ...(o.completions !== undefined ? { completions: o.completions } : {}),
      ...(o.backoffLimit !== undefined ? { backoffLimit: o.backoffLimit } : {}),
      template: {
        metadata: {
          ...template.metadata,
          ...(o.runSeconds !== undefined ? { annotations: { 'sim.polis.io/run-seconds': String(o.runSeconds) } } : {}),
        },
        spec: { ...template.spec, restartPolicy: 'Never' },
      },
    },
  };
}

export function hpa(
  name: string,
  ns: string,
  target: string,
  o: { min?: number; max: number; cpu?: number },
): Manifest {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name, namespace: ns },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target },
      minReplicas: o.min ?? 1,
      maxReplicas: o.max,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: o.cpu ?? 70 } },
        },
      ],
    },
  };
}

export function deploymentKey(name: string, ns: string): string {
  return `apps/v1/Deployment/${ns}/${name}`;
}

/** The one workload status of `name` in the cluster. */
export function statusOf(c: SimCluster, ns: string, name: string) {
  const s = c.workloads(ns).find((w) => w.name === name);
  if (s === undefined) throw new Error(`no workload ${name} in ${ns}`);
  return s;
}
