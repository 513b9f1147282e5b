/**
 * A polis server as a process of its own, for tests and benchmarks that need a real socket, a real pid (RSS, CPU
 * profiles) or a real crash (SIGKILL). Configured from the environment (loadConfig); prints one JSON line
 * `{"url", "pid", "adminTokenFile"}` to stdout once it listens, and stops cleanly (exit 0) on SIGTERM or SIGINT.
 * With POLIS_CPU_PROFILE=<file>, SIGUSR2 starts a CPU profile and the next SIGUSR2 writes it to that file, so a
 * benchmark profiles just its load phase. With POLIS_TRACE_FILE=<file>, the phases of every change (src/kernel/change-trace.ts)
 * are kept in memory and written to that file, one JSON array of marks, when the server stops; with
 * POLIS_BATCH_TRACE_FILE=<file>, the phases of every group-commit batch and the GC pauses likewise. Run it as `node test/support/serve-process.ts`;
 * test/support/child-polis.ts does.
 */
import { subscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadConfig } from '../../src/kernel/config.ts';
import { startPolis } from '../../src/main.ts';
import { PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import {
  BATCH_TRACE_CHANNEL,
  CHANGE_TRACE_CHANNEL,
  type BatchPhaseMark,
  type ChangePhaseMark,
} from '../../src/kernel/change-trace.ts';

const traceFile = process.env.POLIS_TRACE_FILE;
const marks: ChangePhaseMark[] = [];
if (traceFile) subscribe(CHANGE_TRACE_CHANNEL, (mark) => void marks.push(mark as ChangePhaseMark));

// POLIS_BATCH_TRACE_FILE=<file>: the phases of every group-commit batch, and every GC pause, written as
// `{"batches": [...], "gc": [{"at", "ms", "kind"}]}` when the server stops (bench/writes reads them).
const batchTraceFile = process.env.POLIS_BATCH_TRACE_FILE;
const batches: BatchPhaseMark[] = [];
const gcPauses: Array<{ at: number; ms: number; kind: number | undefined }> = [];
if (batchTraceFile) {
  subscribe(BATCH_TRACE_CHANNEL, (mark) => void batches.push(mark as BatchPhaseMark));
  new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      gcPauses.push({
        at: performance.timeOrigin + e.startTime,
        ms: e.duration,
        kind: (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind,
      });
  }).observe({ entryTypes: ['gc'] });
}

const polis = await startPolis(loadConfig(process.env), { listen: true });
let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  if (traceFile) writeFileSync(traceFile, JSON.stringify(marks));
  if (batchTraceFile) writeFileSync(batchTraceFile, JSON.stringify({ batches, gc: gcPauses }));
  polis.stop().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error('polis did not stop cleanly:', e);
      process.exit(1);
    },
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

const profileFile = process.env.POLIS_CPU_PROFILE;
if (profileFile) {
  let session: Session | undefined;
  process.on('SIGUSR2', () => {
    void (async () => {
      if (!session) {
        session = new Session();
        session.connect();
        await session.post('Profiler.enable');
        await session.post('Profiler.setSamplingInterval', { interval: 500 });
        await session.post('Profiler.start');
        process.stdout.write(`${JSON.stringify({ profiling: 'started' })}\n`);
      } else {
        const { profile } = await session.post('Profiler.stop');
        session.disconnect();
        session = undefined;
        writeFileSync(profileFile, JSON.stringify(profile));
        process.stdout.write(`${JSON.stringify({ profiling: 'written', file: profileFile })}\n`);
      }
    })();
  });
}

process.stdout.write(
  `${JSON.stringify({ url: polis.url, pid: process.pid, adminTokenFile: polis.adminTokenFile ?? null })}\n`,
);
