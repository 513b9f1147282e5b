/**
 * A fake API server in a child process, as a real kube-apiserver is another process: its CPU (storing, copying,
 * the simulated controllers, watch fan-out) does not run on the event loop of the program under test. Used by
 * bench/kubernetes; tests use startFakeKube in the same process, which also offers fault injection and edits.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FakeKubeOptions } from './types.ts';

type Request = { op: 'start'; options: FakeKubeOptions } | { op: 'counts' | 'resetCounts' | 'stop' };
export type ParentMessage = Request & { id: number };

type ChildMessage = { id: number; value: unknown } | { id: number; error: string };

export interface FakeKubeProcess {
  readonly url: string;
  readonly pid: number;
  /** The kubeconfig of the first token (as FakeKube.kubeconfig() gives it). */
  kubeconfig(): string;
  /** Resource requests since the last reset, and every request answered 403 since the start. */
  counts(): Promise<{ reads: number; writes: number; byVerb: Record<string, number>; refused: number }>;
  resetCounts(): Promise<void>;
  /** Stops the server and waits for the process to exit. */
  stop(): Promise<void>;
}

const ENTRY = fileURLToPath(new URL('./process-entry.ts', import.meta.url));

/** Starts a fake API server in a child process (the node binary running this one) and resolves once it listens. */
export async function startFakeKubeProcess(
  options: FakeKubeOptions,
  nodeArgs: readonly string[] = [],
): Promise<FakeKubeProcess> {
  const child = fork(ENTRY, [], { execPath: process.execPath, execArgv: [...nodeArgs], stdio: 'inherit' });
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let next = 0;
  child.on('message', (raw) => {
    const m = raw as ChildMessage;
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if ('error' in m) w?.reject(new Error(m.error));
    else w?.resolve(m.value);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => {
    for (const w of waiting.values()) w.reject(new Error(`fake-kube process ${child.pid} exited`));
    waiting.clear();
  });
  const call = <T>(m: Request): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ ...m, id });
    });
  const kill = () => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL');
  process.once('exit', kill);
  try {
    const started = await call<{ url: string; kubeconfig: string }>({ op: 'start', options });
    return {
      url: started.url,
      pid: child.pid as number,
      kubeconfig: () => started.kubeconfig,
      counts: () => call({ op: 'counts' }),
      resetCounts: () => call({ op: 'resetCounts' }),
      stop: async () => {
        await call({ op: 'stop' }).catch(() => undefined);
        const timer = setTimeout(kill, 10_000);
        await exited;
        clearTimeout(timer);
        process.off('exit', kill);
      },
    };
  } catch (e) {
    kill();
    throw e;
  }
}
