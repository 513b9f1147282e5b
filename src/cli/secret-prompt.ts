/** A terminal's input as the hidden prompt needs it: process.stdin when it is a TTY. */
export interface SecretInput {
  readonly isTTY?: boolean;
  setRawMode(raw: boolean): unknown;
  setEncoding(encoding: 'utf8'): unknown;
  on(event: 'data', listener: (chunk: string) => void): unknown;
  off(event: 'data', listener: (chunk: string) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

/** Why a hidden prompt ended without a value: Ctrl-C or Ctrl-D (end of input). */
export class PromptCancelled extends Error {
  readonly key: 'interrupt' | 'end';
  constructor(key: 'interrupt' | 'end') {
    super(key === 'interrupt' ? 'interrupted' : 'no input');
    this.key = key;
  }
}

/**
 * Asks for a secret on a terminal without echoing it: the prompt goes to `output` (standard error, so a pipe of
 * standard output stays clean), the terminal is put in raw mode, keys are read up to Enter (Backspace edits,
 * pasted text works, Ctrl-C and Ctrl-D cancel with PromptCancelled), and the mode is restored whatever happens.
 */
export function promptHidden(
  input: SecretInput,
  output: { write(chunk: string): unknown },
  prompt: string,
): Promise<string> {
  output.write(prompt);
  input.setRawMode(true);
  input.setEncoding('utf8');
  input.resume();
  return new Promise<string>((resolve, reject) => {
    let value = '';
    const finish = (error?: PromptCancelled) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      output.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003') return finish(new PromptCancelled('interrupt'));
        if (ch === '\u0004') return value === '' ? finish(new PromptCancelled('end')) : finish();
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else if (ch >= ' ') value += ch;
      }
    };
    input.on('data', onData);
  });
}
