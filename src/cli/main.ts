import { runCli } from './run-cli.ts';
import { promptHidden } from './secret-prompt.ts';

// The `polis` executable: Ctrl-C (or SIGTERM) aborts the signal, which ends watches and stops `serve` cleanly;
// a second one exits at once.
const controller = new AbortController();
let interrupts = 0;
const onSignal = () => {
  interrupts += 1;
  if (interrupts > 1) process.exit(130);
  controller.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
// Started by bin/polis.js with an IPC channel (`serve`, or an older system Node handing over): when that parent
// goes away, however it died, stop as on SIGTERM instead of running on orphaned. The channel keeps nothing alive.
if (process.channel) {
  process.channel.unref();
  process.once('disconnect', () => controller.abort());
}

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  ...(process.stdin.isTTY
    ? { readSecret: (prompt: string) => promptHidden(process.stdin, process.stderr, prompt) }
    : {}),
  env: process.env,
  signal: controller.signal,
});
process.exitCode = code;
await flush();
process.exit(code);

/** Waits until stdout has drained, so piped output is not cut off by process.exit. */
function flush(): Promise<void> {
  return new Promise((resolve) => (process.stdout.write('') ? resolve() : process.stdout.once('drain', resolve)));
}
