/**
 * A polis server as a process of its own, for tests and benchmarks that need a real socket, a real pid (RSS, CPU
 * profiles) or a real crash (SIGKILL). Configured from the environment (loadConfig); prints one JSON line
 * `{"url", "pid", "adminTokenFile"}` to stdout once it listens, and stops cleanly (exit 0) on SIGTERM or SIGINT.
 * Run it as `node --import tsx test/support/serve-process.ts`; test/support/child-polis.ts does.
 */
import { loadConfig } from '../../src/kernel/config.ts';
import { startPolis } from '../../src/main.ts';

const polis = await startPolis(loadConfig(process.env), { listen: true });
let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
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
process.stdout.write(
  `${JSON.stringify({ url: polis.url, pid: process.pid, adminTokenFile: polis.adminTokenFile ?? null })}\n`,
);
