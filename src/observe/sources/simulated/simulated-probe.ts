import type { SimCloud } from '../../../sim/index.ts';
import { componentLabels, type ComponentTarget, type HistoryProbe } from '../../history/history-probe.ts';
import type { Sample } from '../../history/signals.ts';

/**
 * The simulated cloud read for history: per component the load model's golden signals (the sim models neither p95
 * nor memory use: those series are absent), restarts of its pods; per cluster and node, allocatable, requested and
 * used resources. A cluster that is down answers nothing, as its exporters would not.
 */
export class SimulatedHistoryProbe implements HistoryProbe {
  private readonly sim: SimCloud;
  constructor(sim: SimCloud) {
    this.sim = sim;
  }

  async sample(targets: readonly ComponentTarget[], pause?: () => Promise<void> | undefined): Promise<Sample[]> {
    const out: Sample[] = [];
    const push = (labels: Record<string, string>, value: number) => {
      if (Number.isFinite(value)) out.push({ labels, value });
    };
    for (const t of targets) {
      const wait = pause?.();
      if (wait) await wait;
      const m = this.sim.componentMetrics(t.namespace, t.component);
      const serving = Object.values(m.clusters).filter((c) => c.serving);
      if (serving.length === 0) continue;
      const l = (name: string) => componentLabels(name, t);
      const total = m.total;
      push(l('polis_component_requests_per_second'), total.rps);
      push(l('polis_component_ready_pods'), total.readyPods);
      push(l('polis_component_cpu_used_cores'), total.cpuUsedMilli / 1000);
      if (total.readyPods > 0) push(l('polis_component_cpu_request_utilization'), total.cpuUtilization);
      if (total.rps > 0) {
        push(l('polis_component_error_ratio'), total.errorRate);
        push(l('polis_component_latency_p50_ms'), total.latencyP50Ms);
        push(l('polis_component_latency_p99_ms'), total.latencyP99Ms);
      }
      let restarts = 0;
      for (const c of serving) {
        const cluster = this.sim.cluster(c.cluster);
        if (cluster === undefined || !cluster.reachable) continue;
        for (const p of cluster.pods(t.namespace, { 'app.oam.dev/component': t.component })) restarts += p.restarts;
      }
      push(l('polis_component_restarts'), restarts);
    }
    for (const c of this.sim.clusters()) {
      if (!c.reachable) continue;
      const cap = c.capacity();
      const cl = (name: string) => ({ __name__: name, cluster: c.name });
      push(cl('polis_cluster_cpu_allocatable_cores'), cap.allocatable.cpuMilli / 1000);
      push(cl('polis_cluster_cpu_requested_cores'), cap.requested.cpuMilli / 1000);
      if (cap.used) push(cl('polis_cluster_cpu_used_cores'), cap.used.cpuMilli / 1000);
      push(cl('polis_cluster_memory_allocatable_bytes'), cap.allocatable.memoryBytes);
      push(cl('polis_cluster_memory_requested_bytes'), cap.requested.memoryBytes);
      push(cl('polis_cluster_pods'), cap.requested.pods);
      for (const n of cap.nodes) {
        const nl = (name: string) => ({ __name__: name, cluster: c.name, node: n.name });
        push(nl('polis_node_cpu_allocatable_cores'), n.allocatable.cpuMilli / 1000);
        push(nl('polis_node_cpu_requested_cores'), n.requested.cpuMilli / 1000);
        push(nl('polis_node_memory_allocatable_bytes'), n.allocatable.memoryBytes);
        push(nl('polis_node_memory_requested_bytes'), n.requested.memoryBytes);
        push(nl('polis_node_pods'), n.requested.pods);
        push(nl('polis_node_ready'), n.ready ? 1 : 0);
      }
    }
    return out;
  }
}
