/** What a CLI run touches of the outside world, passed in so tests run `runCli` in-process. */
export interface CliIo {
  /** `isTTY` (as process.stdout has it) turns on colour where a command offers it; NO_COLOR turns it off. */
  readonly stdout: { write(chunk: string): unknown; readonly isTTY?: boolean };
  readonly stderr: { write(chunk: string): unknown };
  /** Read for `-f -` and `--token-file -`. */
  readonly stdin: AsyncIterable<string | Uint8Array>;
  /**
   * Asks for a secret without echoing it; present only when standard input is a terminal (`polis login` without a
   * token flag). Rejects with PromptCancelled (src/cli/secret-prompt.ts) on Ctrl-C or Ctrl-D.
   */
  readonly readSecret?: (prompt: string) => Promise<string>;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Aborting it ends long-running commands (`get -w`, `serve`) cleanly: Ctrl-C in a terminal. */
  readonly signal?: AbortSignal;
  /** Base for relative file names (default: the process's working folder). */
  readonly cwd?: string;
  /** The clock for AGE columns (default: the system clock). */
  readonly now?: () => Date;
}

/** Writes `text` and a newline to standard output. */
export function println(io: CliIo, text = ''): void {
  io.stdout.write(`${text}\n`);
}

/** Writes `text` and a newline to standard error (notes, warnings, hints). */
export function eprintln(io: CliIo, text = ''): void {
  io.stderr.write(`${text}\n`);
}

export async function readAll(input: AsyncIterable<string | Uint8Array>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of input) chunks.push(typeof c === 'string' ? Buffer.from(c) : Buffer.from(c));
  return Buffer.concat(chunks).toString('utf8');
}

/** Whether to colour standard output: a terminal, and NO_COLOR (no-color.org) not set. */
export function useColour(io: CliIo): boolean {
  return io.stdout.isTTY === true && !io.env.NO_COLOR;
}
