import { readFileSync } from 'node:fs';

/** Resident memory of a process from /proc/<pid>/status: now (VmRSS) and its peak so far (VmHWM), in MB. */
export function residentMemory(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => {
    const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
    if (!m) throw new Error(`no ${field} in /proc/${pid}/status`);
    return Number(m[1]) / 1024;
  };
  return { rssMb: kb('VmRSS'), peakMb: kb('VmHWM') };
}

/** A reader of the server's /metrics text (one scrape): the first sample of a metric by name, or undefined. */
export async function serverMetrics(
  url: string,
  token: string,
): Promise<((name: string) => number | undefined) | undefined> {
  const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) return undefined;
  const text = await res.text();
  return (name) => {
    const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([\\d.e+-]+)$`, 'm').exec(text);
    return m ? Number(m[1]) : undefined;
  };
}

/** The server's own V8 heap figures from /metrics (prom-client default metrics, prefix polis_), in MB. */
export async function serverHeap(
  url: string,
  token: string,
): Promise<{ heapUsedMb: number; heapTotalMb: number } | undefined> {
  const value = await serverMetrics(url, token);
  const used = value?.('polis_nodejs_heap_size_used_bytes');
  const total = value?.('polis_nodejs_heap_size_total_bytes');
  return used === undefined || total === undefined
    ? undefined
    : { heapUsedMb: used / 2 ** 20, heapTotalMb: total / 2 ** 20 };
}

/** CPU time (user + system, in seconds) a process has used so far, from /proc/<pid>/stat. */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The fields after the command name (which may hold spaces) start after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime and stime, fields 14 and 15 of stat(5)
  return ticks / 100; // USER_HZ, 100 on Linux
}
