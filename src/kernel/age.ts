/** Shared by the CLI's tables and the Kubernetes API's Tables (kubectl's AGE column). */

/** `5s`, `3m`, `2h`, `4d`, `2y`: the age since `timestamp`, as kubectl prints it. */
export function age(timestamp: string | undefined, now: Date): string {
  if (!timestamp) return '<unknown>';
  const t = Date.parse(timestamp);
  if (Number.isNaN(t)) return '<invalid>';
  const seconds = Math.floor((now.getTime() - t) / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 60) return `${Math.max(seconds, 0)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (days < 365) return `${days}d`;
  return `${Math.floor(days / 365)}y`;
}
