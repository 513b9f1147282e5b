import { CommanderError } from 'commander';
import { CliError, EXIT, formatError, usageError } from './cli-errors.ts';
import { langFlag, langFrom, setCliLang, validLang } from './cli-lang.ts';
import { createContext } from './context.ts';
import type { CliIo } from './io.ts';
import { buildProgram } from './program.ts';

/**
 * Runs one `polis` command line (without the program name) and returns its exit code; never exits the process.
 * Output goes to io.stdout, notes and errors to io.stderr. See docs/cli.md for the exit codes.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const ctx = createContext(io);
  const flag = langFlag(argv);
  setCliLang(langFrom(flag, io.env));
  if (flag !== undefined && !validLang(flag))
    return reportError(
      io,
      usageError(`--lang ${JSON.stringify(flag)} is not a language polis speaks`, 'use --lang zh or --lang en'),
    );
  let code: number = EXIT.ok;
  const program = buildProgram(ctx, (c) => {
    code = c;
  });
  if (argv.length === 0) {
    io.stdout.write(program.helpInformation());
    return EXIT.ok;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (e) {
    return reportError(io, e);
  }
}

function reportError(io: CliIo, e: unknown): number {
  if (e instanceof CommanderError) {
    // Commander has printed its message already.
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return EXIT.ok;
    return EXIT.usage;
  }
  if (e instanceof CliError) {
    io.stderr.write(formatError(e));
    return e.exitCode;
  }
  const err = e as Error;
  io.stderr.write(`error: ${err?.message ?? String(e)}\n`);
  if (err?.stack && io.env.POLIS_DEBUG) io.stderr.write(`${err.stack}\n`);
  return EXIT.failure;
}
