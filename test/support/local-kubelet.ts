import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ContainerRun } from './fake-kube/types.ts';

/**
 * A kubelet hook for the fake API server that runs a container's command on this machine: its mounted files are
 * written under a throwaway root (a file at /polis/x goes to <root>/polis/x), its working directory is the same path
 * under that root, its env is the container's (with PATH, so psql, mariadb and redis-cli from Debian's packages are
 * found in place of the image's). The image is not pulled: the client tools on the machine stand in for it.
 * `before` may answer instead of running (a crash, a lost node) to inject a failure.
 */
export function localKubelet(
  opts: {
    before?: (run: ContainerRun) => { exitCode: number; output: string } | undefined;
    runs?: ContainerRun[];
  } = {},
): (run: ContainerRun) => Promise<{ exitCode: number; output: string }> {
  return (run) => {
    opts.runs?.push(run);
    const injected = opts.before?.(run);
    if (injected) return Promise.resolve(injected);
    const root = mkdtempSync(join(tmpdir(), 'fake-kubelet-'));
    for (const [path, content] of Object.entries(run.files)) {
      const file = join(root, path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content, { mode: 0o600 });
    }
    const cwd = join(root, run.workingDir ?? '/');
    mkdirSync(cwd, { recursive: true });
    const [cmd, ...args] = run.command;
    return new Promise((resolve) => {
      const child = spawn(cmd!, args, { cwd, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...run.env } });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      const done = (exitCode: number) => {
        rmSync(root, { recursive: true, force: true });
        resolve({ exitCode, output });
      };
      child.on('error', (e) => ((output += String(e)), done(127)));
      child.on('close', (code) => done(code ?? 128));
    });
  };
}
