import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { SecretInput } from './secret-prompt.ts';
import { PromptCancelled, promptHidden } from './secret-prompt.ts';

/** A terminal stand-in: records raw mode, lets the test type keys. */
function terminal() {
  const emitter = new EventEmitter();
  const modes: boolean[] = [];
  const input: SecretInput = {
    isTTY: true,
    setRawMode: (raw) => modes.push(raw),
    setEncoding: () => undefined,
    on: (event, listener) => emitter.on(event, listener),
    off: (event, listener) => emitter.off(event, listener),
    resume: () => undefined,
    pause: () => undefined,
  };
  let shown = '';
  const output = { write: (s: string) => (shown += s) };
  return { input, output, modes, type: (keys: string) => emitter.emit('data', keys), shown: () => shown };
}

describe('promptHidden', () => {
  it('reads keys up to Enter without echoing them, with Backspace, and restores the terminal', async () => {
    const t = terminal();
    const answer = promptHidden(t.input, t.output, 'token: ');
    t.type('polis_abx');
    t.type('\u007f');
    t.type('c\r');
    await expect(answer).resolves.toBe('polis_abc');
    expect(t.shown()).toBe('token: \n');
    expect(t.modes).toEqual([true, false]);
  });

  it('takes a pasted token with its newline in one chunk', async () => {
    const t = terminal();
    const answer = promptHidden(t.input, t.output, 'token: ');
    t.type('polis_pasted\n');
    await expect(answer).resolves.toBe('polis_pasted');
  });

  it('cancels on Ctrl-C and on Ctrl-D at an empty line, restoring the terminal', async () => {
    for (const [key, why] of [
      ['\u0003', 'interrupt'],
      ['\u0004', 'end'],
    ] as const) {
      const t = terminal();
      const answer = promptHidden(t.input, t.output, 'token: ');
      t.type(key);
      await expect(answer).rejects.toEqual(new PromptCancelled(why));
      expect(t.modes).toEqual([true, false]);
    }
  });
});
