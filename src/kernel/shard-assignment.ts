/**
 * Which live replica owns which application: rendezvous (highest random weight) hashing, the pure part of sharding
 * the controllers (docs/deploy.md, Several replicas). Every member scores every key; the highest score owns it.
 * Properties that hold without any shared state beyond the member list:
 * - deterministic: the same key and members give the same owner in every replica, in any member order;
 * - minimal movement: when a member leaves only its keys move (each to its runner-up); when one joins, only the keys
 *   it now wins move, all to it;
 * - balance: each member's share is close to 1/n of the keys (tested within a bound in shard-assignment.test.ts).
 * No I/O, no clock, no randomness.
 */

/** 32-bit FNV-1a of a string's UTF-16 code units. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** murmur3's finalizer: spreads every input bit over the whole word (FNV alone clusters similar names). */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A member's weight for a key; ties (2^-32) go to the smaller member name. */
function score(keyHash: number, memberHash: number): number {
  return mix((mix((keyHash ^ memberHash) >>> 0) + memberHash) >>> 0);
}

/** Members with their hashes computed once, for scoring many keys. */
export interface MemberSet {
  readonly names: readonly string[];
  readonly hashes: readonly number[];
}

/** The live members, sorted and deduplicated, ready to score keys. */
export function memberSet(members: readonly string[]): MemberSet {
  const names = [...new Set(members)].sort();
  return { names, hashes: names.map((m) => mix(fnv1a(m))) };
}

/** The member that owns `key` (undefined when there is no member). */
export function ownerOf(key: string, members: MemberSet | readonly string[]): string | undefined {
  const set = 'hashes' in members ? members : memberSet(members);
  const k = mix(fnv1a(key));
  let best: string | undefined;
  let bestScore = -1;
  for (let i = 0; i < set.names.length; i++) {
    const s = score(k, set.hashes[i]!);
    if (s > bestScore) {
      bestScore = s;
      best = set.names[i];
    }
  }
  return best;
}

/** The owner of every key. */
export function assign(keys: Iterable<string>, members: readonly string[]): Map<string, string> {
  const set = memberSet(members);
  const out = new Map<string, string>();
  if (set.names.length === 0) return out;
  for (const key of keys) out.set(key, ownerOf(key, set)!);
  return out;
}

export interface Move {
  readonly key: string;
  /** The owner before (undefined when there was no member). */
  readonly from: string | undefined;
  /** The owner after (undefined when no member is left). */
  readonly to: string | undefined;
}

/** The rebalance diff: the keys whose owner differs between the two member sets, and where each goes. */
export function rebalance(keys: Iterable<string>, before: readonly string[], after: readonly string[]): Move[] {
  const b = memberSet(before);
  const a = memberSet(after);
  const moves: Move[] = [];
  for (const key of keys) {
    const from = ownerOf(key, b);
    const to = ownerOf(key, a);
    if (from !== to) moves.push({ key, from, to });
  }
  return moves;
}

/** What one member gains and loses when the live set changes from `before` to `after`. */
export function shardChange(
  keys: Iterable<string>,
  member: string,
  before: readonly string[],
  after: readonly string[],
): { gained: string[]; lost: string[] } {
  const gained: string[] = [];
  const lost: string[] = [];
  for (const m of rebalance(keys, before, after)) {
    if (m.to === member) gained.push(m.key);
    else if (m.from === member) lost.push(m.key);
  }
  return { gained, lost };
}

/** The shard key of an application: its department and name. */
export function applicationShardKey(tenant: string, name: string): string {
  return `${tenant}/${name}`;
}
