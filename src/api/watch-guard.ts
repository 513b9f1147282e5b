import type { Clock } from '../kernel/clock.ts';
import type { PolisError } from '../kernel/errors.ts';
import { AuthenticationError, TooManyRequestsError } from '../kernel/errors.ts';
import type { ChangeFeed, Subscription } from '../resources/change-feed.ts';
import type { ChangeEvent } from '../resources/store.ts';
import type { Principal } from '../tenancy/authorization.ts';
import type { Identity } from '../tenancy/identity.ts';

/** The limits every watch stream runs under (docs/api.md "Watch", docs/security.md). */
export interface WatchLimits {
  /** Each watch ends after a random time between this and twice this (seconds), like kube-apiserver's --min-request-timeout. */
  readonly timeoutSeconds: number;
  /** Concurrent watches one user may hold open; the next gets 429. */
  readonly perUser: number;
  /** Bytes a watcher may leave unread; past them it is dropped instead of buffered. */
  readonly bufferBytes: number;
  /** How often every open watch's credential and rights are checked again (ms), besides on change events. */
  readonly recheckMs: number;
}

export const DEFAULT_WATCH_LIMITS: WatchLimits = {
  timeoutSeconds: 1800,
  perUser: 100,
  bufferBytes: 1024 * 1024,
  recheckMs: 5000,
};

/** What the guard needs of one open watch. */
export interface WatchRegistration {
  readonly identity: Identity;
  /** Throws (NotAllowedError) when the principal may no longer watch what the stream shows. */
  readonly recheck: (principal: Principal) => void;
  /** Ends the stream: with an ERROR event carrying `error`, or cleanly without one. */
  readonly end: (error?: PolisError) => void;
}

export interface OpenWatch {
  /** When the stream ends by itself (ms from now), jittered between the limit and twice it. */
  readonly lifetimeMs: number;
  /** Bytes the watcher may leave unread. */
  readonly bufferBytes: number;
  /** True (and counted as a drop) when `unsent` bytes already wait: the watcher must be dropped. */
  overLimit(unsent: number): boolean;
  /** Records that the stream holds `bytes` unsent after a write. */
  buffered(bytes: number): void;
  /** Forget the watch (idempotent). */
  close(): void;
}

export interface WatchGuardStats {
  readonly open: number;
  /** Watchers dropped because they left more than bufferBytes unread. */
  readonly droppedSlow: number;
  /** Watches ended because the token, the user or a role binding no longer allowed them. */
  readonly revoked: number;
  /** Watches refused because their user held the most allowed. */
  readonly refused: number;
  /** The most bytes any watch held unsent (bounded by bufferBytes plus one event). */
  readonly maxBufferedBytes: number;
}

interface Entry extends WatchRegistration {
  ended: boolean;
}

const ACCESS_KINDS = ['Token', 'User', 'RoleBinding', 'PlatformRoleBinding'] as const;

/**
 * Keeps open watches honest. Each is checked again when a Token, User or role binding changes (from the change
 * feed, so a revocation on another replica counts too) and every `recheckMs`; both checks read only memory (the
 * binding index), so thousands of watches cost microseconds. It also counts watches per user and records how much
 * each leaves unread.
 */
export class WatchGuard {
  private readonly byUser = new Map<string, Set<Entry>>();
  private readonly deps: {
    feed: ChangeFeed;
    principal: (user: string, granted?: Identity['groupBindings']) => Principal | undefined;
    clock: Clock;
    limits: WatchLimits;
    random: () => number;
  };
  private subs: Subscription[] = [];
  private timer: NodeJS.Timeout | undefined;
  private pendingUsers = new Set<string>();
  private pendingTokens = new Set<string>();
  private scheduled = false;
  private stat = { droppedSlow: 0, revoked: 0, refused: 0, maxBufferedBytes: 0 };

  constructor(deps: {
    feed: ChangeFeed;
    /** The current principal of a user (with its credential's group bindings); undefined when gone or disabled. */
    principal: (user: string, granted?: Identity['groupBindings']) => Principal | undefined;
    clock: Clock;
    limits?: Partial<WatchLimits>;
    /** For the jitter of the maximum duration; Math.random by default. */
    random?: () => number;
  }) {
    this.deps = {
      ...deps,
      limits: { ...DEFAULT_WATCH_LIMITS, ...deps.limits },
      random: deps.random ?? Math.random,
    };
  }

  get limits(): WatchLimits {
    return this.deps.limits;
  }

  start(): void {
    const from = this.deps.feed.revision;
    for (const kind of ACCESS_KINDS) {
      this.subs.push(
        this.deps.feed.subscribe({
          from,
          filter: { kind },
          onEvent: (e) => this.changed(e),
          // The periodic check still runs; resubscribe from now so change events resume.
          onError: () => {
            this.stopSubscriptions();
            this.start();
          },
        }),
      );
    }
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.sweep(), this.deps.limits.recheckMs);
      this.timer.unref();
    }
  }

  stop(): void {
    this.stopSubscriptions();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  stats(): WatchGuardStats {
    let open = 0;
    for (const set of this.byUser.values()) open += set.size;
    return { open, ...this.stat };
  }

  /** Watches `user` holds open now. */
  openBy(user: string): number {
    return this.byUser.get(user)?.size ?? 0;
  }

  /** Registers a watch, or throws TooManyRequestsError when its user holds `perUser` already. */
  open(reg: WatchRegistration): OpenWatch {
    const { limits } = this.deps;
    const user = reg.identity.user;
    let set = this.byUser.get(user);
    if (set && set.size >= limits.perUser) {
      this.stat.refused++;
      throw new TooManyRequestsError(
        `user "${user}" has ${set.size} watches open, the most allowed (POLIS_WATCH_MAX_PER_USER=${limits.perUser}); close one or try again later`,
        [{ path: 'query.watch', message: `at most ${limits.perUser} concurrent watches per user` }],
      );
    }
    if (!set) this.byUser.set(user, (set = new Set()));
    const entry: Entry = { ...reg, ended: false };
    set.add(entry);
    const close = () => {
      if (entry.ended) return;
      entry.ended = true;
      const s = this.byUser.get(user);
      s?.delete(entry);
      if (s?.size === 0) this.byUser.delete(user);
    };
    return {
      lifetimeMs: Math.round(limits.timeoutSeconds * 1000 * (1 + this.deps.random())),
      bufferBytes: limits.bufferBytes,
      overLimit: (unsent) => {
        if (unsent <= limits.bufferBytes) return false;
        this.stat.droppedSlow++;
        return true;
      },
      buffered: (bytes) => {
        if (bytes > this.stat.maxBufferedBytes) this.stat.maxBufferedBytes = bytes;
      },
      close,
    };
  }

  /** Checks every open watch now (also run every recheckMs). */
  sweep(): void {
    for (const user of [...this.byUser.keys()]) this.checkUser(user);
  }

  private changed(e: ChangeEvent): void {
    const o = e.object;
    if (o.kind === 'Token') {
      if (e.type === 'DELETED') this.pendingTokens.add(o.metadata.name);
      this.pendingUsers.add((o.spec as { user?: string } | undefined)?.user ?? '');
    } else if (o.kind === 'User') this.pendingUsers.add(o.metadata.name);
    else this.pendingUsers.add((o.spec as { user?: string } | undefined)?.user ?? '');
    // The binding index applies the same events; check once the whole batch has reached it.
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const tokens = this.pendingTokens;
      const users = this.pendingUsers;
      this.pendingTokens = new Set();
      this.pendingUsers = new Set();
      for (const set of this.byUser.values())
        for (const w of [...set])
          if (w.identity.tokenId !== undefined && tokens.has(w.identity.tokenId))
            this.revoke(w, new AuthenticationError(`the token ${w.identity.tokenId} has been revoked`));
      for (const user of users) this.checkUser(user);
    });
  }

  private checkUser(user: string): void {
    const set = this.byUser.get(user);
    if (!set) return;
    const now = this.deps.clock.now().getTime();
    for (const w of [...set]) {
      const principal = this.deps.principal(user, w.identity.groupBindings);
      if (!principal) {
        this.revoke(w, new AuthenticationError(`user "${user}" does not exist or is disabled`));
        continue;
      }
      if (w.identity.expiresAt !== undefined && w.identity.expiresAt <= now) {
        this.revoke(
          w,
          new AuthenticationError(`the credential expired at ${new Date(w.identity.expiresAt).toISOString()}`),
        );
        continue;
      }
      try {
        w.recheck(principal);
      } catch (e) {
        this.revoke(w, e as PolisError);
      }
    }
  }

  private revoke(w: Entry, error: PolisError): void {
    if (w.ended) return;
    this.stat.revoked++;
    w.end(error);
  }

  private stopSubscriptions(): void {
    for (const s of this.subs) s.close();
    this.subs = [];
  }
}
