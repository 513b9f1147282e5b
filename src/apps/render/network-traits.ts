import { stableName } from '../../kernel/names.ts';
import type {
  CpuscalerProperties,
  ExposeProperties,
  GatewayProperties,
  HpaProperties,
} from './network-trait-schemas.ts';
import { defined, setIfAny, type Obj } from './objects.ts';
import type { Output } from './workloads.ts';

/**
 * The traits that add objects beside the workload (autoscalers, Services, Ingresses), as KubeVela's templates'
 * `outputs` produce them.
 */

function portName(port: number, protocol: string): string {
  return protocol === 'TCP' ? `port-${port}` : `port-${port}-${protocol.toLowerCase()}`;
}

export function cpuscalerOutputs(component: string, p: CpuscalerProperties): Output[] {
  return [
    {
      resource: 'cpuscaler',
      traitType: 'cpuscaler',
      obj: {
        apiVersion: 'autoscaling/v1',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: component },
        spec: {
          scaleTargetRef: { apiVersion: p.targetAPIVersion, kind: p.targetKind, name: component },
          minReplicas: p.min,
          maxReplicas: p.max,
          targetCPUUtilizationPercentage: p.cpuUtil,
        },
      },
    },
  ];
}

function resourceMetric(name: string, t: { type: string; value: number | string }): Obj {
  const target: Obj = { type: t.type };
  if (t.type === 'Utilization') target.averageUtilization = t.value;
  else target.averageValue = t.value;
  return { type: 'Resource', resource: { name, target } };
}

export function hpaOutputs(component: string, p: HpaProperties): Output[] {
  const metrics: Obj[] = [resourceMetric('cpu', p.cpu)];
  // KubeVela reads the memory target's type and value from `cpu` by mistake; polis reads `mem`.
  if (p.mem) metrics.push(resourceMetric('memory', p.mem));
  for (const m of p.podCustomMetrics ?? []) {
    metrics.push({
      type: 'Pods',
      pods: { metric: { name: m.name }, target: { type: 'AverageValue', averageValue: m.value } },
    });
  }
  return [
    {
      resource: 'hpa',
      traitType: 'hpa',
      obj: {
        // KubeVela picks autoscaling/v2beta2 below Kubernetes 1.23; polis supports 1.25 and later only.
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: component },
        spec: {
          scaleTargetRef: { apiVersion: p.targetAPIVersion, kind: p.targetKind, name: component },
          minReplicas: p.min,
          maxReplicas: p.max,
          metrics,
        },
      },
    },
  ];
}

export function gatewayOutputs(component: string, p: GatewayProperties): Output[] {
  const suffix = p.name === undefined ? '' : `-${p.name}`;
  const ownName = stableName(p.name === undefined ? [component] : [component, p.name]);
  const serviceName = p.existingServiceName ?? ownName;
  const http = Object.entries(p.http);
  const outputs: Output[] = [];
  if (p.existingServiceName === undefined) {
    // Two paths to one port make one Service port; KubeVela would list the port twice, which Kubernetes refuses.
    const ports = [...new Set(http.map(([, port]) => port))].map((port) => ({
      name: `port-${port}`,
      port,
      targetPort: port,
    }));
    outputs.push({
      resource: `service${suffix}`,
      traitType: 'gateway',
      obj: {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: serviceName },
        spec: { selector: { 'app.oam.dev/component': component }, ports },
      },
    });
  }
  const annotations: Obj = {
    ...(p.classInSpec ? {} : { 'kubernetes.io/ingress.class': p.class }),
    ...(p.gatewayHost === undefined ? {} : { 'ingress.controller/host': p.gatewayHost }),
    ...p.annotations,
  };
  const metadata: Obj = { name: ownName };
  setIfAny(metadata, 'annotations', annotations);
  setIfAny(metadata, 'labels', p.labels && { ...p.labels });
  const rule = defined({
    host: p.domain,
    http: {
      paths: http.map(([path, port]) => ({
        path,
        pathType: p.pathType,
        backend: { service: { name: serviceName, port: { number: port } } },
      })),
    },
  });
  const spec = defined({
    ingressClassName: p.classInSpec ? p.class : undefined,
    tls: p.secretName === undefined ? undefined : [{ hosts: [p.domain], secretName: p.secretName }],
    rules: [rule],
  });
  outputs.push({
    resource: `ingress${suffix}`,
    traitType: 'gateway',
    // KubeVela picks networking.k8s.io/v1beta1 below Kubernetes 1.19; polis supports 1.25 and later only.
    obj: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata, spec },
  });
  return outputs;
}

export function exposeOutputs(component: string, p: ExposeProperties): Output[] {
  const ports = p.ports
    ? p.ports.map((v) =>
        defined({
          port: v.port,
          targetPort: v.port,
          name: v.name ?? portName(v.port, v.protocol),
          nodePort: p.type === 'NodePort' ? v.nodePort : undefined,
          protocol: v.protocol,
        }),
      )
    : (p.port ?? []).map((port) => ({ name: `port-${port}`, port, targetPort: port }));
  const metadata: Obj = { name: component };
  setIfAny(metadata, 'annotations', { ...p.annotations });
  const spec: Obj = { selector: p.matchLabels ? { ...p.matchLabels } : { 'app.oam.dev/component': component } };
  setIfAny(spec, 'ports', ports);
  spec.type = p.type;
  return [{ resource: 'service', traitType: 'expose', obj: { apiVersion: 'v1', kind: 'Service', metadata, spec } }];
}
