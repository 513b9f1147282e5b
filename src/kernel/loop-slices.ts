/**
 * Long computations on the event loop in slices, so that requests interleave with them: a controller that would
 * otherwise hold the loop for a hundred milliseconds (an alert round over ten thousand applications) gives it back
 * every few milliseconds. Timing here is the runtime's (performance.now), never the domain clock: it decides only
 * when to let other callbacks run, nothing the computation returns.
 */

/** How long a slice may hold the event loop before it yields (ms). */
export const SLICE_MS = 4;

/** Resolves on a later turn of the event loop (setImmediate): I/O already waiting (API requests) runs first. */
export function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A checkpoint to call inside a long loop: `await slice()` yields to the event loop once the current slice has run
 * `sliceMs`, and otherwise returns at once (an already-resolved promise: no turn of the loop is spent).
 */
export function slicer(sliceMs = SLICE_MS): () => Promise<void> | undefined {
  let since = performance.now();
  return () => {
    if (performance.now() - since < sliceMs) return undefined;
    return yieldToLoop().then(() => {
      since = performance.now();
    });
  };
}

/** Runs a computation written as a generator of steps (pure), yielding to the event loop between slices of them. */
export async function runInSlices<T>(steps: Generator<void, T>, sliceMs = SLICE_MS): Promise<T> {
  const slice = slicer(sliceMs);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    const pause = slice();
    if (pause) await pause;
  }
}
