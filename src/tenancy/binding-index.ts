import type { ChangeFeed, Subscription } from '../resources/change-feed.ts';
import type { StoredObject } from '../resources/envelope.ts';
import type { Store } from '../resources/store.ts';
import type { Binding, Principal, Role } from './authorization.ts';

interface UserState {
  disabled: boolean;
}

const KINDS = ['User', 'RoleBinding', 'PlatformRoleBinding'] as const;

/**
 * An in-memory index of users and their role bindings, loaded once and kept current from the change feed, so
 * that authorizing a request costs no store read. Local writes reach it before their response is sent (callers
 * await `feed.idle()`); writes on another replica arrive within the feed's poll interval.
 */
export class BindingIndex {
  private readonly users = new Map<string, UserState>();
  /** binding object key → (user, binding) */
  private readonly bindings = new Map<string, { user: string; binding: Binding }>();
  private readonly byUser = new Map<string, Map<string, Binding>>();
  private subs: Subscription[] = [];

  private readonly deps: { store: Store; feed: ChangeFeed };
  constructor(deps: { store: Store; feed: ChangeFeed }) {
    this.deps = deps;
  }

  async start(): Promise<void> {
    const from = await this.deps.store.currentRevision();
    for (const kind of KINDS) {
      const page = await this.deps.store.list({ kind });
      for (const o of page.items) this.apply(o, false);
    }
    for (const kind of KINDS) {
      this.subs.push(
        this.deps.feed.subscribe({
          from,
          filter: { kind },
          onEvent: (e) => this.apply(e.object, e.type === 'DELETED'),
          onError: () => void this.restart(),
        }),
      );
    }
  }

  stop(): void {
    for (const s of this.subs) s.close();
    this.subs = [];
  }

  /**
   * The principal for `user`, or undefined when no such user exists or it is disabled. `granted` are bindings an
   * identity provider's groups grant (src/tenancy/oidc-groups.ts): they are added to the user's own, and they admit
   * a user polis has no User object for (the data bureau mapped the group, so its members may sign in); a
   * disabled User is refused all the same.
   */
  principal(user: string, granted: readonly Binding[] = []): Principal | undefined {
    const u = this.users.get(user);
    if (u?.disabled) return undefined;
    if (!u && granted.length === 0) return undefined;
    const own = [...(this.byUser.get(user)?.values() ?? [])];
    const extra = granted.filter((g) => !own.some((b) => b.role === g.role && b.tenant === g.tenant));
    return { user, bindings: [...own, ...extra] };
  }

  private async restart(): Promise<void> {
    this.stop();
    this.users.clear();
    this.bindings.clear();
    this.byUser.clear();
    await this.start();
  }

  private apply(o: StoredObject, deleted: boolean): void {
    if (o.kind === 'User') {
      if (deleted) this.users.delete(o.metadata.name);
      else this.users.set(o.metadata.name, { disabled: (o.spec as { disabled?: boolean }).disabled === true });
      return;
    }
    const key = `${o.kind}/${o.metadata.tenant ?? ''}/${o.metadata.name}`;
    const prev = this.bindings.get(key);
    if (prev) {
      this.byUser.get(prev.user)?.delete(key);
      this.bindings.delete(key);
    }
    if (deleted) return;
    const spec = o.spec as { user: string; role: Role };
    const binding: Binding =
      o.kind === 'RoleBinding' ? { role: spec.role, tenant: o.metadata.tenant } : { role: spec.role };
    this.bindings.set(key, { user: spec.user, binding });
    let m = this.byUser.get(spec.user);
    if (!m) this.byUser.set(spec.user, (m = new Map()));
    m.set(key, binding);
  }
}
