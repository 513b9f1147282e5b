import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CliError, EXIT, usageError } from './cli-errors.ts';
import type { CliIo } from './io.ts';
import { readAll } from './io.ts';
import { PromptCancelled } from './secret-prompt.ts';

/** Where `polis login` takes the token from: exactly one of these, or none for the hidden prompt. */
export interface TokenSource {
  readonly token?: string;
  readonly tokenFile?: string;
  readonly tokenStdin?: boolean;
}

const WAYS = '--token-stdin (pipe it in), --token-file F, or no flag on a terminal to be asked for it';

/**
 * The token `polis login` was given: from standard input (--token-stdin, or --token-file -), a file, the command
 * line (--token), or, with none of them and a terminal, a prompt that does not echo.
 */
export async function loginToken(io: CliIo, server: string, opts: TokenSource): Promise<string> {
  const given = [opts.token !== undefined, opts.tokenFile !== undefined, opts.tokenStdin === true].filter(Boolean);
  if (given.length > 1)
    throw usageError('give the token one way: --token, --token-file or --token-stdin', `one of ${WAYS}`);
  let token: string;
  let from: string;
  if (opts.tokenStdin) {
    token = await readAll(io.stdin);
    from = 'standard input (--token-stdin)';
  } else if (opts.tokenFile !== undefined) {
    token = await readTokenFile(io, opts.tokenFile);
    from = opts.tokenFile === '-' ? 'standard input (--token-file -)' : `the token file ${opts.tokenFile}`;
  } else if (opts.token !== undefined) {
    token = opts.token;
    from = '--token';
  } else if (io.readSecret) {
    token = await askForToken(io.readSecret, server);
    from = 'the prompt';
  } else {
    throw usageError(
      'give the token: standard input is not a terminal to ask on',
      `${WAYS}; polis serve writes the first admin token to data/admin.token`,
    );
  }
  token = token.trim();
  if (token === '') throw usageError(`the token from ${from} is empty`, `give a token with ${WAYS}`);
  return token;
}

async function askForToken(readSecret: NonNullable<CliIo['readSecret']>, server: string): Promise<string> {
  try {
    return await readSecret(`token for ${server} (not shown): `);
  } catch (e) {
    if (!(e instanceof PromptCancelled)) throw e;
    if (e.key === 'interrupt') throw new CliError('login cancelled', { exitCode: EXIT.interrupted });
    throw usageError('no token given at the prompt', `give a token with ${WAYS}`);
  }
}

async function readTokenFile(io: CliIo, file: string): Promise<string> {
  if (file === '-') return readAll(io.stdin);
  try {
    return await readFile(resolve(io.cwd ?? process.cwd(), file), 'utf8');
  } catch (e) {
    throw usageError(
      `cannot read the token file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      'polis serve prints where it wrote the admin token (data/admin.token by default)',
    );
  }
}
