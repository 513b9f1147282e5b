/**
 * A polis server as a process of its own, for tests and benchmarks that need a real socket, a real pid (RSS, CPU
 * profiles) or a real crash (SIGKILL). Configured from the environment (loadConfig); prints one JSON line
 * `{"url", "pid", "adminTokenFile"}` to stdout once it listens, and stops cleanly (exit 0) on SIGTERM or SIGINT.
 * With POLIS_CPU_PROFILE=<file>, SIGUSR2 starts a CPU profile and the next SIGUSR2 writes it to that file, so a
 * benchmark profiles just its load phase. With POLIS_TRACE_FILE=<file>, the phases of every change (src/kernel/change-trace.ts)
 * are kept in memory and written to that file, one JSON array of marks, when the server stops. Run it as `node test/support/serve-process.ts`;
 * test/support/child-polis.ts does.
 */
import { subscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadConfig } from '../../src/kernel/config.ts';
import { startPolis } from '../../src/main.ts';
import { CHANGE_TRACE_CHANNEL, type ChangePhaseMark } from '../../src/kernel/change-trace.ts';

const traceFile = process.env.POLIS_TRACE_FILE;
const marks: ChangePhaseMark[] = [];
if (traceFile) subscribe(CHANGE_TRACE_CHANNEL, (mark) => void marks.push(mark as ChangePhaseMark));

const polis = await startPolis(loadConfig(process.env), { listen: true });
let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  if (traceFile) writeFileSync(traceFile, JSON.stringify(marks));
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
