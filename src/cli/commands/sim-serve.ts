import { CliError, EXIT } from '../cli-errors.ts';
import type { CliContext } from '../context.ts';
import { parseCount } from '../durations.ts';
import { eprintln, println } from '../io.ts';

/**
 * `polis sim serve`: runs the simulated cloud in this process, on loopback, until the io's signal aborts. Replicas
 * started with POLIS_SIM_URL set to the printed URL drive their sandbox clusters in it (docs/deploy.md), so several
 * replicas share one simulated cloud.
 */
export async function runSimServe(ctx: CliContext, opts: { port?: string; seed?: string }): Promise<number> {
  const io = ctx.io;
  const port = opts.port === undefined ? 8090 : parseCount(opts.port, '--port', 0, 65535);
  const seed = opts.seed === undefined ? 42 : parseCount(opts.seed, '--seed', 0, 2 ** 31 - 1);
  // Loaded on demand, like polis serve's modules.
  const { SimCloud } = await import('../../sim/index.ts');
  const { systemClock } = await import('../../kernel/clock.ts');
  const { startSimServer } = await import('../../clusters/drivers/remote-sim/sim-server.ts');
  const { seedDemoLoad } = await import('../../demo-city.ts');
  const sim = new SimCloud({ clock: systemClock, seed });
  // The demo city's daily load, as an embedded cloud gets it with POLIS_DEMO (inert while no replica seeds the demo).
  seedDemoLoad(sim);
  let server;
  try {
    server = await startSimServer({ sim, host: '127.0.0.1', port });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw new CliError(`127.0.0.1:${port} is already in use`, { hint: 'stop what runs there, or pass --port' });
    throw e;
  }
  sim.start(250);
  sim.startTelemetry();
  println(io, `simulated cloud serving on ${server.url}`);
  println(io, `next:        POLIS_SIM_URL=${server.url} polis serve (each replica)`);
  eprintln(io, 'press Ctrl-C to stop');
  await new Promise<void>((resolve) => {
    if (!io.signal) return;
    if (io.signal.aborted) resolve();
    io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  sim.stop();
  await server.close();
  eprintln(io, 'simulated cloud stopped');
  return EXIT.ok;
}
