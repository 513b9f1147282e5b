#!/usr/bin/env node
// The installed `polis` command: runs the TypeScript sources through tsx (no build step). polis needs Node 24
// (node:sqlite); when an older system Node runs this file, it hands over to the Node 24 the project pins.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { URL, fileURLToPath } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
const pinned = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url));

if (major < 24 && existsSync(pinned)) {
  const child = spawn(pinned, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + (signal === 'SIGINT' ? 2 : 15) : 1)));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
