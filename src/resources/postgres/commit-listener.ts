import pg from 'pg';

/** The channel every polis replica on one database notifies after a commit that advanced the revision. */
export const COMMIT_CHANNEL = 'polis_commits';

export interface CommitListenerOptions {
  readonly url: string;
  /**
   * Called for each notification, with the revision it names, and after every (re)connection without one, since
   * commits may have been missed meanwhile.
   */
  readonly onCommit: (revision?: number) => void;
  /** Wait before reconnecting after the connection failed or ended (default 1000 ms). */
  readonly reconnectMs?: number;
}

/**
 * LISTEN on a connection of its own (a pooled one would be handed back and lose the subscription). When the server
 * goes away (restart, failover) it reconnects and calls `onCommit` once, so the change feed reads what it missed;
 * the change feed's polling covers the time it is disconnected. Returns a function that stops it.
 */
export function listenForCommits(opts: CommitListenerOptions): () => Promise<void> {
  const reconnectMs = opts.reconnectMs ?? 1000;
  let stopped = false;
  let client: pg.Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  const retry = (c: pg.Client): void => {
    if (stopped || client !== c) return;
    client = undefined;
    c.removeAllListeners();
    c.on('error', () => {});
    void c.end().catch(() => undefined);
    timer = setTimeout(() => void connect(), reconnectMs);
    timer.unref();
  };
  const connect = async (): Promise<void> => {
    if (stopped) return;
    const c = new pg.Client({ connectionString: opts.url });
    client = c;
    c.on('notification', (n) => {
      const revision = Number(n.payload);
      opts.onCommit(Number.isSafeInteger(revision) ? revision : undefined);
    });
    c.on('error', () => retry(c));
    c.on('end', () => retry(c));
    try {
      await c.connect();
      await c.query(`LISTEN ${COMMIT_CHANNEL}`);
      if (client === c) opts.onCommit();
    } catch {
      retry(c);
    }
  };
  void connect();
  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    const c = client;
    client = undefined;
    if (c) {
      c.removeAllListeners();
      c.on('error', () => {});
      await c.end().catch(() => undefined);
    }
  };
}
