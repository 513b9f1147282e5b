/**
 * The English text of the reason codes `polis describe` derives from an application's status (the CLI has no
 * zh-CN catalogue yet: the console's is web/src/i18n). A line shows the code first, so a person can look it up and
 * a script can match it whatever the wording: `ClusterUnhealthy: …`.
 */
export type StatusReason = 'ClusterUnhealthy' | 'AwaitingReplacements' | 'Bursting' | 'BurstLimited' | 'BurstClosed';

type Params = Readonly<Record<string, string | number>>;

const ENGLISH: Record<StatusReason, (p: Params) => string> = {
  ClusterUnhealthy: () =>
    'the cluster is not healthy: nothing there is deleted while it is unreachable; the leftovers are removed once it is back',
  AwaitingReplacements: () => 'removed once the application is healthy on the clusters it moved to (make-before-break)',
  Bursting: (p) => `${p.replicas} replica(s) on public-cloud burst clusters (${p.clusters}), ¥${p.cost} per hour`,
  BurstLimited: (p) => `${p.heldBack} replica(s) a burst cluster had room for were held back by the burst limits`,
  BurstClosed: (p) => `bursting is not allowed now: ${p.why}`,
};

/** `CODE: text` for a reason code and its parameters. */
export function statusMessage(reason: StatusReason, params: Params = {}): string {
  return `${reason}: ${ENGLISH[reason](params)}`;
}
