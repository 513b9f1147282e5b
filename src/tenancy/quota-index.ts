import type { ChangeFeed, Subscription } from '../resources/change-feed.ts';
import type { StoredObject } from '../resources/envelope.ts';
import type { Store, TxChange } from '../resources/store.ts';
import type { UsageFunction } from './admission.ts';
import type { ResourceUsage } from './quota.ts';
import { addUsage, subtractUsage, ZERO_USAGE } from './quota.ts';

const PAGE = 1000;
/** Stored texts whose usage is remembered (changes read back by admission, several times each under load). */
const MEMO_SIZE = 4096;

/** A department's quota use as the index holds it at `position` (see QuotaIndex.view). */
export interface QuotaView {
  /** Every change up to this revision is counted (later ones may be too). */
  readonly position: number;
  /** What the department's quota-bearing objects use, together. */
  readonly total: ResourceUsage;
  /** What one object (`kind`, `name`) uses; zero when the index holds no such object. */
  usageOf(kind: string, name: string): ResourceUsage;
}

/**
 * Running quota totals per department, loaded once and kept from the change feed, so that quota admission sums no
 * department's objects on a write (it listed and parsed every one of them before). The index alone lags the store:
 * admission adds the changes after its position that the write transaction sees (StoreTx.changesAfter), which
 * keeps the check exact under concurrent writes (quotaAdmission).
 */
export class QuotaIndex {
  readonly #deps: { store: Store; feed: ChangeFeed; usageByKind: ReadonlyMap<string, UsageFunction> };
  /** `kind\0tenant\0name` → the object's department, generation and usage. */
  readonly #byKey = new Map<
    string,
    { readonly tenant: string; readonly generation: number; readonly usage: ResourceUsage }
  >();
  readonly #totals = new Map<string, ResourceUsage>();
  readonly #memo = new Map<string, ResourceUsage>();
  #subs: Subscription[] = [];
  #loading: Promise<void> | undefined;
  #ready = false;

  constructor(deps: { store: Store; feed: ChangeFeed; usageByKind: ReadonlyMap<string, UsageFunction> }) {
    this.#deps = deps;
  }

  /** The quota-bearing kinds. */
  get kinds(): readonly string[] {
    return [...this.#deps.usageByKind.keys()];
  }

  /** Loads the index (once; later calls wait for the same load). Until it is loaded, `view` answers undefined. */
  start(): Promise<void> {
    this.#loading ??= this.#load().catch((e: unknown) => {
      this.#loading = undefined;
      throw e;
    });
    return this.#loading;
  }

  stop(): void {
    for (const s of this.#subs) s.close();
    this.#subs = [];
    this.#loading = undefined;
    this.#ready = false;
    this.#byKey.clear();
    this.#totals.clear();
  }

  /**
   * The department's use as of now, or undefined while the index is not loaded (admission then sums the objects
   * itself). Read it synchronously after any await: the index moves on between turns of the event loop.
   */
  view(tenant: string): QuotaView | undefined {
    if (!this.#ready || this.#subs.length === 0) return undefined;
    const byKey = this.#byKey;
    return {
      position: Math.min(...this.#subs.map((s) => s.position())),
      total: this.#totals.get(tenant) ?? ZERO_USAGE,
      usageOf: (kind, name) => byKey.get(`${kind}\u0000${tenant}\u0000${name}`)?.usage ?? ZERO_USAGE,
    };
  }

  /** The usage of a change read back from the store, remembered by its stored text (usage is a function of it). */
  usageOfChange(change: TxChange): ResourceUsage {
    if (change.type === 'DELETED') return ZERO_USAGE;
    const hit = this.#memo.get(change.body);
    if (hit !== undefined) return hit;
    const usageOf = this.#deps.usageByKind.get(change.kind);
    const usage = usageOf ? usageOf(JSON.parse(change.body) as StoredObject) : ZERO_USAGE;
    if (this.#memo.size >= MEMO_SIZE) this.#memo.delete(this.#memo.keys().next().value!);
    this.#memo.set(change.body, usage);
    return usage;
  }

  async #load(): Promise<void> {
    const { store, feed, usageByKind } = this.#deps;
    const from = await store.currentRevision();
    for (const kind of usageByKind.keys()) {
      let cont: string | undefined;
      do {
        // Read at or after `from`: an object changed meanwhile is read newer here and its event applied again.
        const page = await store.list({ kind, limit: PAGE, continue: cont });
        for (const o of page.items) this.#apply(o, false);
        cont = page.continue;
      } while (cont);
    }
    this.#subs = [...usageByKind.keys()].map((kind) =>
      feed.subscribe({
        from,
        filter: { kind },
        onEvent: (e) => this.#apply(e.object, e.type === 'DELETED'),
        // Behind compaction: load again from the store (admission sums the objects itself meanwhile).
        onError: () => {
          this.stop();
          void this.start().catch(() => undefined);
        },
      }),
    );
    this.#ready = true;
  }

  #apply(o: StoredObject, deleted: boolean): void {
    const usageOf = this.#deps.usageByKind.get(o.kind);
    if (!usageOf) return;
    const tenant = o.metadata.tenant ?? '';
    const key = `${o.kind}\u0000${tenant}\u0000${o.metadata.name}`;
    const held = this.#byKey.get(key);
    const before = held?.usage ?? ZERO_USAGE;
    // Usage is a function of the spec (UsageFunction): a change that keeps the generation (status, labels) keeps it.
    const generation = o.metadata.generation;
    if (!deleted && held !== undefined && held.generation === generation) return;
    const after = deleted ? ZERO_USAGE : usageOf(o);
    if (deleted) this.#byKey.delete(key);
    else this.#byKey.set(key, { tenant, generation, usage: after });
    const total = this.#totals.get(tenant) ?? ZERO_USAGE;
    this.#totals.set(tenant, addUsage(subtractUsage(total, before), after));
  }
}
