import type { Lang } from './i18n.tsx';

/**
 * The reasons Kubernetes' own components (scheduler, kubelet, controllers, node lifecycle) give their events, said in
 * the reader's language. The console shows this beside the cluster's message, which stays as the cluster wrote it
 * (quoted, marked as the cluster's): Kubernetes' reasons are stable codes, its messages are not.
 */
const KUBE_REASONS: Readonly<Record<string, { readonly zh: string; readonly en: string }>> = {
  Scheduled: { zh: '已调度到节点', en: 'Scheduled to a node' },
  FailedScheduling: { zh: '无法调度：没有合适的节点', en: 'Could not be scheduled: no node fits' },
  Preempted: { zh: '被更高优先级的 Pod 抢占', en: 'Preempted by a higher-priority pod' },
  Pulling: { zh: '正在拉取镜像', en: 'Pulling the image' },
  Pulled: { zh: '镜像已拉取', en: 'Image pulled' },
  Failed: { zh: '失败（如镜像拉取失败）', en: 'Failed (an image pull, for example)' },
  ErrImagePull: { zh: '镜像拉取失败', en: 'Image pull failed' },
  BackOff: { zh: '退避重试（反复失败后等待再试）', en: 'Backing off after repeated failures' },
  Created: { zh: '已创建容器', en: 'Container created' },
  Started: { zh: '已启动容器', en: 'Container started' },
  Killing: { zh: '正在停止容器', en: 'Stopping the container' },
  Unhealthy: { zh: '健康检查未通过', en: 'Health probe failed' },
  ProbeWarning: { zh: '健康检查告警', en: 'Health probe warning' },
  OOMKilling: { zh: '内存不足，容器被终止', en: 'Out of memory: the container was killed' },
  Evicted: { zh: 'Pod 被驱逐', en: 'Pod evicted' },
  FailedMount: { zh: '存储卷挂载失败', en: 'Volume mount failed' },
  FailedAttachVolume: { zh: '存储卷挂接失败', en: 'Volume attach failed' },
  SuccessfulCreate: { zh: '已创建 Pod', en: 'Pod created' },
  SuccessfulDelete: { zh: '已删除 Pod', en: 'Pod deleted' },
  FailedCreate: { zh: '创建 Pod 失败', en: 'Pod creation failed' },
  ScalingReplicaSet: { zh: '副本集扩缩容', en: 'ReplicaSet scaled' },
  NodeNotReady: { zh: '节点未就绪', en: 'Node not ready' },
  NodeReady: { zh: '节点已就绪', en: 'Node ready' },
  Rebooted: { zh: '节点已重启', en: 'Node rebooted' },
};

/** Kubernetes' reason said in `lang`, when it is one of its components' well-known reasons. */
export function kubeReasonText(reason: string, lang: Lang): string | undefined {
  return KUBE_REASONS[reason]?.[lang];
}
