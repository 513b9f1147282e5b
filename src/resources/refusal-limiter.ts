import type { AuditOutcome } from './audit-log.ts';

export interface RefusalLimits {
  /** Failed requests of one caller written to the audit chain in a burst. */
  readonly burst: number;
  /** Tokens regained per second after the burst. */
  readonly perSecond: number;
  /** How long suppressed refusals are gathered before one summary entry records them. */
  readonly windowMs: number;
}

export const DEFAULT_REFUSAL_LIMITS: RefusalLimits = { burst: 20, perSecond: 2, windowMs: 10_000 };

/** What one caller had suppressed in one window: the counts the summary entry keeps. */
export interface SuppressedRefusals {
  readonly caller: string;
  readonly actor: string;
  /** The scope the summary is recorded under (the caller's department, or '' for the platform). */
  readonly tenant: string;
  readonly count: number;
  readonly byOutcome: Readonly<Partial<Record<AuditOutcome, number>>>;
  /** Target `kind tenant/name` → count, for the platform auditor. */
  readonly byTarget: Readonly<Record<string, number>>;
  readonly firstMs: number;
  readonly lastMs: number;
}

interface Bucket {
  tokens: number;
  atMs: number;
  suppressed?: {
    actor: string;
    tenant: string;
    count: number;
    byOutcome: Partial<Record<AuditOutcome, number>>;
    byTarget: Record<string, number>;
    firstMs: number;
    lastMs: number;
  };
}

/** At most this many distinct targets are named in one summary; the rest are counted under "(others)". */
const MAX_TARGETS = 50;

/**
 * A token bucket per caller over failed requests, so no caller can flood the audit chain (or slow others' writes
 * with it). A refusal beyond the bucket is not written but counted; `due` hands back, once per window, one summary
 * per caller with the counts by outcome and target, so no evidence is lost. Pure: time is an argument.
 */
export class RefusalLimiter {
  readonly limits: RefusalLimits;
  readonly #buckets = new Map<string, Bucket>();
  #recorded = 0;
  #suppressed = 0;

  constructor(limits: Partial<RefusalLimits> = {}) {
    this.limits = { ...DEFAULT_REFUSAL_LIMITS, ...limits };
  }

  /** Failed requests written in full so far, and those only counted. */
  get counts(): { readonly recorded: number; readonly suppressed: number } {
    return { recorded: this.#recorded, suppressed: this.#suppressed };
  }

  /** True when this failure may be written in full; otherwise it is counted for the caller's next summary. */
  admit(
    caller: string,
    nowMs: number,
    what: { actor: string; tenant: string; outcome: AuditOutcome; target: string },
  ): boolean {
    const b = this.#buckets.get(caller) ?? { tokens: this.limits.burst, atMs: nowMs };
    b.tokens = Math.min(this.limits.burst, b.tokens + ((nowMs - b.atMs) / 1000) * this.limits.perSecond);
    b.atMs = nowMs;
    this.#buckets.set(caller, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      this.#recorded++;
      return true;
    }
    this.#suppressed++;
    const s = (b.suppressed ??= {
      actor: what.actor,
      tenant: what.tenant,
      count: 0,
      byOutcome: {},
      byTarget: {},
      firstMs: nowMs,
      lastMs: nowMs,
    });
    s.count++;
    s.lastMs = nowMs;
    s.byOutcome[what.outcome] = (s.byOutcome[what.outcome] ?? 0) + 1;
    const target = what.target in s.byTarget || Object.keys(s.byTarget).length < MAX_TARGETS ? what.target : '(others)';
    s.byTarget[target] = (s.byTarget[target] ?? 0) + 1;
    return false;
  }

  /**
   * Summaries whose window has ended (all of them with `all`), removed from the limiter; buckets that are full
   * again and hold nothing are forgotten, so memory follows active callers only.
   */
  due(nowMs: number, all = false): SuppressedRefusals[] {
    const out: SuppressedRefusals[] = [];
    for (const [caller, b] of this.#buckets) {
      const s = b.suppressed;
      if (s && (all || nowMs - s.firstMs >= this.limits.windowMs)) {
        out.push({ caller, ...s });
        b.suppressed = undefined;
      }
      const refilled = b.tokens + ((nowMs - b.atMs) / 1000) * this.limits.perSecond;
      if (!b.suppressed && refilled >= this.limits.burst) this.#buckets.delete(caller);
    }
    return out;
  }
}
