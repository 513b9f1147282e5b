// Builds the console (web/ → web/dist) with Vite. With --if-stale, only when web/dist is missing or older than
// the console's sources (web/, package-lock.json): `npm start` and the test command run it that way, so a fresh
// clone or a changed console is built once and an unchanged one costs a few file stats. Concurrent runs (test
// workers) wait for one another through a lock folder.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const web = join(root, 'web');
const stamp = join(web, 'dist', '.build-stamp');
const lock = join(web, '.build-lock');

function newest(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'dist' || entry === 'node_modules' || entry.startsWith('.build')) continue;
    max = Math.max(max, newest(join(path, entry)));
  }
  return max;
}

function stale() {
  if (!existsSync(stamp) || !existsSync(join(web, 'dist', 'index.html'))) return true;
  const built = statSync(stamp).mtimeMs;
  const sources = Math.max(newest(web), statSync(join(root, 'package-lock.json')).mtimeMs);
  return sources > built;
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function acquire() {
  for (let waited = 0; ; waited += 250) {
    try {
      mkdirSync(lock);
      return;
    } catch {
      // Someone else builds; a lock older than five minutes was left by a killed build.
      if (Date.now() - statSync(lock, { throwIfNoEntry: false })?.mtimeMs > 300_000)
        rmSync(lock, { recursive: true, force: true });
      if (waited > 600_000) throw new Error(`timed out waiting for ${lock}`);
      sleep(250);
    }
  }
}

const ifStale = process.argv.includes('--if-stale');
if (ifStale && !stale()) process.exit(0);
acquire();
try {
  if (ifStale && !stale()) process.exit(0);
  console.log('polis: building the console (web/ → web/dist) …');
  const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  const r = spawnSync(
    process.execPath,
    [vite, 'build', '--config', join(web, 'vite.config.ts'), '--logLevel', 'warn'],
    // A production build whatever the caller's NODE_ENV (vitest sets it to "test", which would give React's
    // development build: twice the size, and slower).
    { stdio: 'inherit', cwd: root, env: { ...process.env, NODE_ENV: 'production' } },
  );
  if (r.status !== 0) {
    console.error('polis: the console build failed');
    process.exit(r.status ?? 1);
  }
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
} finally {
  rmSync(lock, { recursive: true, force: true });
}
