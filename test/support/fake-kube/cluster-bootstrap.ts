/** The objects a new cluster starts with: system namespaces and the nodes. */
import { type Any, NODES, def } from './controller-kit.ts';
import { type Registry, nowTime } from './registry.ts';
import type { FakeKubeOptions } from './types.ts';

const NAMESPACES = def('v1', 'Namespace');
const SYSTEM_NAMESPACES = ['default', 'kube-node-lease', 'kube-public', 'kube-system'];

export function bootstrapCluster(registry: Registry, opts: FakeKubeOptions): void {
  for (const name of SYSTEM_NAMESPACES)
    registry.create(
      NAMESPACES,
      undefined,
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
      { manager: 'kube-apiserver' },
    );
  const nodes =
    opts.nodes ?? [1, 2, 3].map((i) => ({ name: `node-${i}`, cpu: '8', memory: '32Gi', pods: 110, ready: true }));
  const gitVersion = opts.version?.gitVersion ?? 'v1.31.4';
  nodes.forEach((n, i) => {
    const node = registry.create(
      NODES,
      undefined,
      {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {
          name: n.name,
          labels: {
            'beta.kubernetes.io/arch': 'amd64',
            'beta.kubernetes.io/os': 'linux',
            'kubernetes.io/arch': 'amd64',
            'kubernetes.io/hostname': n.name,
            'kubernetes.io/os': 'linux',
          },
        },
        spec: { podCIDR: `10.244.${i + 10}.0/24`, podCIDRs: [`10.244.${i + 10}.0/24`] },
      },
      { manager: 'kubelet' },
    ) as Any;
    const resources = { cpu: n.cpu, memory: n.memory, pods: String(n.pods), 'ephemeral-storage': '100Gi' };
    const now = nowTime();
    const ready = n.ready ?? true;
    const cond = (type: string, status: string, reason: string, message: string): Any => ({
      type,
      status,
      lastHeartbeatTime: now,
      lastTransitionTime: now,
      reason,
      message,
    });
    node.status = {
      capacity: resources,
      allocatable: resources,
      conditions: [
        cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        ready
          ? cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status')
          : cond('Ready', 'Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.'),
      ],
      addresses: [
        { type: 'InternalIP', address: `10.0.0.${i + 10}` },
        { type: 'Hostname', address: n.name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        architecture: 'amd64',
        operatingSystem: 'linux',
        osImage: 'Debian GNU/Linux 12 (bookworm)',
        kernelVersion: '6.1.0-28-amd64',
        containerRuntimeVersion: 'containerd://1.7.24',
        kubeletVersion: gitVersion,
        kubeProxyVersion: gitVersion,
        machineID: '',
        systemUUID: '',
        bootID: '',
      },
    };
    registry.update(NODES, undefined, n.name, node, { manager: 'kubelet', subresource: 'status' });
  });
}
