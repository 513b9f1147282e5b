#!/usr/bin/env node
// The installed `polis` command: Node 24 runs the TypeScript sources directly (type stripping; no build step), and
// polis needs Node 24 (node:sqlite): when an older system Node runs this file, it hands over to the pinned Node 24.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { clearInterval, setInterval } from 'node:timers';
import { URL, fileURLToPath } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
const pinned = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url));
// The server's V8 flags (src/kernel/server-runtime.json; docs/configuration.md, "Memory"), by POLIS_FOOTPRINT.
const runtime = JSON.parse(readFileSync(new URL('../src/kernel/server-runtime.json', import.meta.url), 'utf8'));
const heap = Number(process.env.POLIS_HEAP_MB);
const SERVER_FLAGS = [
  ...runtime.flags,
  ...(runtime.footprints[process.env.POLIS_FOOTPRINT || 'default'] ?? []),
  `--max-old-space-size=${Number.isInteger(heap) && heap >= 128 ? heap : runtime.heapMb}`,
];
const serving = process.argv[2] === 'serve' && !SERVER_FLAGS.every((f) => process.execArgv.includes(f));

if ((major < 24 && existsSync(pinned)) || serving) {
  const node = major < 24 ? pinned : process.execPath;
  const flags = process.argv[2] === 'serve' ? SERVER_FLAGS : [];
  // The child gets an IPC channel besides the inherited stdio: if this process dies (even by SIGKILL) the channel
  // closes and the child stops itself (src/cli/main.ts), so a server is never left running without its parent.
  const child = spawn(node, [...flags, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  // `npm start` runs this under `sh -c`; npm forwards SIGTERM/SIGINT to the shell only, and the shell dies without
  // passing it on. Our parent dying re-parents us: stop the child then, as if we had been signalled ourselves.
  const parent = process.ppid;
  const orphaned = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(orphaned);
      child.kill('SIGTERM');
    }
  }, 500);
  orphaned.unref();
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + (signal === 'SIGINT' ? 2 : 15) : 1)));
} else {
  await import('../src/cli/main.ts');
}
