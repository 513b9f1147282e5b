/** The API server's defaulting, for the fields drivers commonly read back (a small subset of the real defaults). */
import type { ResourceDef } from './resources.ts';
import type { KubeObject } from './types.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function defaultPodSpec(spec: Any | undefined): void {
  if (!spec) return;
  spec.restartPolicy ??= 'Always';
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.securityContext ??= {};
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])] as Any[]) {
    c.terminationMessagePath ??= '/dev/termination-log';
    c.terminationMessagePolicy ??= 'File';
    c.imagePullPolicy ??=
      typeof c.image === 'string' && (c.image.endsWith(':latest') || !/:[^/]+$/.test(c.image))
        ? 'Always'
        : 'IfNotPresent';
    c.resources ??= {};
    if (c.resources.limits && !c.resources.requests) c.resources.requests = { ...c.resources.limits };
    for (const p of (c.ports ?? []) as Any[]) p.protocol ??= 'TCP';
  }
}

let nextClusterIp = 10;

/** Guaranteed when every container's requests equal its limits for cpu and memory; BestEffort with none at all. */
function qosClass(spec: Any | undefined): string {
  const containers = (spec?.containers ?? []) as Any[];
  const all = containers.map((c) => c.resources ?? {});
  if (all.every((r) => !Object.keys(r.requests ?? {}).length && !Object.keys(r.limits ?? {}).length))
    return 'BestEffort';
  const guaranteed = all.every((r) =>
    ['cpu', 'memory'].every((k) => r.limits?.[k] !== undefined && (r.requests?.[k] ?? r.limits[k]) === r.limits[k]),
  );
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** Applies defaults in place; `old` is the stored object on updates (allocated values such as clusterIP are kept). */
export function applyDefaults(def: ResourceDef, obj: KubeObject, old: KubeObject | undefined): void {
  const o = obj as Any;
  switch (def.kind) {
    case 'Namespace':
      o.metadata.labels = { ...(o.metadata.labels ?? {}), 'kubernetes.io/metadata.name': o.metadata.name };
      o.spec = { finalizers: ['kubernetes'], ...(o.spec ?? {}) };
      o.status ??= { phase: 'Active' };
      break;
    case 'Deployment':
      o.spec ??= {};
      o.spec.replicas ??= 1;
      o.spec.revisionHistoryLimit ??= 10;
      o.spec.progressDeadlineSeconds ??= 600;
      o.spec.strategy ??= { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } };
      defaultPodSpec(o.spec.template?.spec);
      break;
    case 'StatefulSet':
      o.spec ??= {};
      o.spec.replicas ??= 1;
      o.spec.podManagementPolicy ??= 'OrderedReady';
      o.spec.revisionHistoryLimit ??= 10;
      o.spec.updateStrategy ??= { type: 'RollingUpdate', rollingUpdate: { partition: 0 } };
      defaultPodSpec(o.spec.template?.spec);
      break;
    case 'DaemonSet':
    case 'ReplicaSet':
      o.spec ??= {};
      if (def.kind === 'ReplicaSet') o.spec.replicas ??= 1;
      defaultPodSpec(o.spec.template?.spec);
      break;
    case 'Job':
      o.spec ??= {};
      o.spec.completions ??= 1;
      o.spec.parallelism ??= 1;
      o.spec.backoffLimit ??= 6;
      o.spec.completionMode ??= 'NonIndexed';
      o.spec.suspend ??= false;
      if (!old && o.metadata.uid) {
        const uid = o.metadata.uid as string;
        const jobLabels = {
          'batch.kubernetes.io/controller-uid': uid,
          'batch.kubernetes.io/job-name': o.metadata.name,
          'controller-uid': uid,
          'job-name': o.metadata.name,
        };
        o.spec.selector ??= { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
        if (o.spec.template) {
          o.spec.template.metadata ??= {};
          o.spec.template.metadata.labels = { ...jobLabels, ...(o.spec.template.metadata.labels ?? {}) };
        }
      }
      defaultPodSpec(o.spec.template?.spec);
      break;
    case 'CronJob':
      o.spec ??= {};
      o.spec.concurrencyPolicy ??= 'Allow';
      o.spec.suspend ??= false;
      o.spec.successfulJobsHistoryLimit ??= 3;
      o.spec.failedJobsHistoryLimit ??= 1;
      defaultPodSpec(o.spec.jobTemplate?.spec?.template?.spec);
      break;
    case 'Pod':
      defaultPodSpec(o.spec);
      o.status ??= { phase: 'Pending', qosClass: qosClass(o.spec) };
      break;
    case 'Service': {
      o.spec ??= {};
      o.spec.type ??= 'ClusterIP';
      o.spec.sessionAffinity ??= 'None';
      if (o.spec.type !== 'ExternalName') {
        o.spec.internalTrafficPolicy ??= 'Cluster';
        const kept = old?.spec && (old.spec as Any).clusterIP;
        if (o.spec.clusterIP === undefined && kept) o.spec.clusterIP = kept;
        if (o.spec.clusterIP === undefined || o.spec.clusterIP === '') {
          const n = nextClusterIp++;
          o.spec.clusterIP = `10.96.${Math.floor(n / 250)}.${n % 250}`;
        }
        o.spec.clusterIPs ??= o.spec.clusterIP === 'None' ? ['None'] : [o.spec.clusterIP];
        o.spec.ipFamilies ??= ['IPv4'];
        o.spec.ipFamilyPolicy ??= 'SingleStack';
      }
      for (const p of (o.spec.ports ?? []) as Any[]) {
        p.protocol ??= 'TCP';
        p.targetPort ??= p.port;
      }
      o.status ??= { loadBalancer: {} };
      break;
    }
    case 'PersistentVolumeClaim':
      o.spec ??= {};
      o.spec.volumeMode ??= 'Filesystem';
      o.status ??= { phase: 'Pending' };
      break;
    case 'Secret':
      o.type ??= 'Opaque';
      if (o.stringData) {
        o.data = { ...(o.data ?? {}) };
        for (const [k, v] of Object.entries(o.stringData as Record<string, string>))
          o.data[k] = Buffer.from(v).toString('base64');
        delete o.stringData;
      }
      break;
  }
}
