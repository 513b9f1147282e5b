import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { runCli } from '../../src/cli/run-cli.ts';
import type { TestPolis } from './test-polis.ts';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in-process with its output captured, `home` its HOME and working directory, `env` added. */
export async function runCaptured(args: string[], home: string, env: Record<string, string> = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    stdin: Readable.from([]),
    env: { HOME: home, POLIS_CONFIG: join(home, 'no-login.json'), ...env },
    cwd: home,
  });
  return { code, stdout, stderr };
}

/**
 * Runs the CLI once under a fresh temporary HOME with no saved login (removed after); `env` gives it the rest, for
 * example POLIS_SERVER and POLIS_TOKEN.
 */
export async function cliOnce(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const home = mkdtempSync(join(tmpdir(), 'polis-cli-'));
  try {
    return await runCaptured(args, home, env);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/**
 * CLI users of a served test polis: each logged in with its own token under one temporary HOME (its own config
 * file), so `polis(user, args)` runs the CLI as that user. `remove()` deletes the HOME.
 */
export async function cliUsers(
  t: TestPolis,
  users: readonly string[],
  prefix: string,
): Promise<{ home: string; polis(user: string, args: string[]): Promise<CliRun>; remove(): void }> {
  const home = mkdtempSync(join(tmpdir(), prefix));
  const tokens: Record<string, string | undefined> = { admin: t.adminToken, ...t.tokens };
  const polis = (user: string, args: string[]): Promise<CliRun> =>
    runCaptured(args, home, { POLIS_CONFIG: join(home, user, 'config.json') });
  for (const user of users) {
    const file = join(home, `${user}.token`);
    writeFileSync(file, `${tokens[user]}\n`);
    const r = await polis(user, ['login', t.polis.url!, '--token-file', file]);
    if (r.code !== 0) throw new Error(`polis login as ${user}: ${r.stderr}`);
  }
  return { home, polis, remove: () => rmSync(home, { recursive: true, force: true }) };
}
