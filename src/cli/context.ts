import { CliError, EXIT } from './cli-errors.ts';
import type { Connection } from './cli-config.ts';
import { resolveConnection } from './cli-config.ts';
import { PolisClient } from './client.ts';
import type { CliIo } from './io.ts';

/** What every command gets: the io, and a client for the configured server (made on first use). */
export interface CliContext {
  readonly io: CliIo;
  now(): Date;
  connection(): Promise<Connection>;
  /** A client for the logged-in server; not logged in is exit 3 with the command to run. */
  connect(): Promise<PolisClient>;
}

export const LOGIN_HINT =
  'run polis login SERVER --token-file data/admin.token (polis serve prints both), or set POLIS_SERVER and POLIS_TOKEN';

export function createContext(io: CliIo): CliContext {
  let conn: Promise<Connection> | undefined;
  const connection = () => (conn ??= resolveConnection(io.env));
  return {
    io,
    now: () => io.now?.() ?? new Date(),
    connection,
    async connect() {
      const c = await connection();
      if (!c.server || !c.token) {
        throw new CliError(c.server ? `no token for ${c.server}` : 'not logged in', {
          exitCode: EXIT.denied,
          hint: LOGIN_HINT,
        });
      }
      return new PolisClient(c.server, c.token, io.signal);
    },
  };
}
