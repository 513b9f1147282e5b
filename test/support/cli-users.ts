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
  const polis = async (user: string, args: string[]): Promise<CliRun> => {
    let stdout = '';
    let stderr = '';
    const code = await runCli(args, {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      stdin: Readable.from([]),
      env: { HOME: home, POLIS_CONFIG: join(home, user, 'config.json') },
      cwd: home,
    });
    return { code, stdout, stderr };
  };
  for (const user of users) {
    const file = join(home, `${user}.token`);
    writeFileSync(file, `${tokens[user]}\n`);
    const r = await polis(user, ['login', t.polis.url!, '--token-file', file]);
    if (r.code !== 0) throw new Error(`polis login as ${user}: ${r.stderr}`);
  }
  return { home, polis, remove: () => rmSync(home, { recursive: true, force: true }) };
}
