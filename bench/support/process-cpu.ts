import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on Linux everywhere polis runs). */
const TICKS_PER_SECOND = 100;

/**
 * CPU time a process has used so far (user + system, every thread), in ms, from /proc/<pid>/stat. CPU per unit of
 * work is steadier than a rate on a shared machine: other processes take turns on the cores, not instructions.
 */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / TICKS_PER_SECOND;
}
