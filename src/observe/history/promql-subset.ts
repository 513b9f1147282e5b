import type { Matcher } from './history-backend.ts';

/** The part of PromQL the Prometheus-compatible endpoint evaluates: a selector, optionally aggregated. */
export interface SubsetQuery {
  readonly matchers: readonly Matcher[];
  readonly aggregate?: {
    readonly op: 'sum' | 'avg' | 'max' | 'min' | 'count';
    /** `by` keeps only these labels; `without` drops them. */
    readonly mode: 'by' | 'without';
    readonly labels: readonly string[];
  };
}

export type ParseResult = { ok: true; query: SubsetQuery } | { ok: false; problem: string };

const AGGREGATES = new Set(['sum', 'avg', 'max', 'min', 'count']);

/**
 * Parses `metric{label="v", label=~"re"}`, `{__name__=~"polis_.*"}`, and one aggregation around it:
 * `sum(sel)`, `sum by (a, b) (sel)`, `sum(sel) by (a)`, `avg without (pod) (sel)` (sum, avg, max, min, count).
 * Anything else (functions, arithmetic, range vectors) is refused with what is accepted.
 */
export function parseSubset(text: string): ParseResult {
  try {
    const p = new Parser(text);
    const query = p.expression();
    p.skipSpace();
    if (!p.done()) return { ok: false, problem: p.unexpected() };
    if (query.matchers.length === 0) return { ok: false, problem: 'a selector needs a metric name or a matcher' };
    return { ok: true, query };
  } catch (e) {
    return { ok: false, problem: (e as Error).message };
  }
}

class Parser {
  private i = 0;
  private readonly s: string;
  constructor(s: string) {
    this.s = s;
  }

  done(): boolean {
    return this.i >= this.s.length;
  }

  unexpected(): string {
    return `unexpected "${this.s.slice(this.i, this.i + 20)}" at character ${this.i + 1}; this endpoint evaluates a selector such as polis_component_requests_per_second{app="web"}, optionally inside sum/avg/max/min/count with by (…) or without (…)`;
  }

  skipSpace(): void {
    while (/\s/.test(this.s[this.i] ?? '')) this.i++;
  }

  expression(): SubsetQuery {
    this.skipSpace();
    const word = this.peekIdent();
    if (word !== undefined && AGGREGATES.has(word)) {
      const after = this.s.slice(this.i + word.length).trimStart();
      if (after.startsWith('(') || after.startsWith('by') || after.startsWith('without')) {
        this.i += word.length;
        let grouping = this.grouping();
        this.expect('(');
        const inner = this.selector();
        this.expect(')');
        grouping ??= this.grouping();
        return {
          matchers: inner,
          aggregate: {
            op: word as NonNullable<SubsetQuery['aggregate']>['op'],
            mode: grouping?.mode ?? 'by',
            labels: grouping?.labels ?? [],
          },
        };
      }
    }
    return { matchers: this.selector() };
  }

  private grouping(): { mode: 'by' | 'without'; labels: string[] } | undefined {
    this.skipSpace();
    const word = this.peekIdent();
    if (word !== 'by' && word !== 'without') return undefined;
    this.i += word.length;
    this.expect('(');
    const labels: string[] = [];
    this.skipSpace();
    while (this.s[this.i] !== ')') {
      labels.push(this.ident());
      this.skipSpace();
      if (this.s[this.i] === ',') this.i++;
      this.skipSpace();
      if (this.done()) throw new Error(this.unexpected());
    }
    this.i++;
    return { mode: word, labels };
  }

  private selector(): Matcher[] {
    this.skipSpace();
    const matchers: Matcher[] = [];
    if (this.s[this.i] !== '{') matchers.push({ label: '__name__', op: '=', value: this.ident(true) });
    this.skipSpace();
    if (this.s[this.i] === '{') {
      this.i++;
      this.skipSpace();
      while (this.s[this.i] !== '}') {
        const label = this.ident();
        this.skipSpace();
        const op = /^(=~|!~|!=|=)/.exec(this.s.slice(this.i))?.[1] as Matcher['op'] | undefined;
        if (op === undefined) throw new Error(this.unexpected());
        this.i += op.length;
        this.skipSpace();
        matchers.push({ label, op, value: this.string() });
        if (op === '=~' || op === '!~') {
          try {
            new RegExp(matchers[matchers.length - 1]!.value);
          } catch {
            throw new Error(
              `label ${label}: "${matchers[matchers.length - 1]!.value}" is not a valid regular expression`,
            );
          }
        }
        this.skipSpace();
        if (this.s[this.i] === ',') this.i++;
        this.skipSpace();
        if (this.done()) throw new Error('a selector is missing its closing }');
      }
      this.i++;
    }
    this.skipSpace();
    if (this.s[this.i] === '[')
      throw new Error('range vectors ([5m]) and functions are not evaluated here: ' + this.unexpected());
    return matchers;
  }

  private peekIdent(): string | undefined {
    return /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(this.s.slice(this.i))?.[0];
  }

  private ident(metric = false): string {
    const m = (metric ? /^[a-zA-Z_:][a-zA-Z0-9_:]*/ : /^[a-zA-Z_][a-zA-Z0-9_]*/).exec(this.s.slice(this.i));
    if (m === null) throw new Error(this.unexpected());
    this.i += m[0].length;
    return m[0];
  }

  private string(): string {
    const quote = this.s[this.i];
    if (quote !== '"' && quote !== "'" && quote !== '`') throw new Error(this.unexpected());
    let out = '';
    this.i++;
    while (this.s[this.i] !== quote) {
      const c = this.s[this.i];
      if (c === undefined) throw new Error('a string is missing its closing quote');
      if (c === '\\' && quote !== '`') {
        const n = this.s[this.i + 1];
        out += n === 'n' ? '\n' : n === 't' ? '\t' : (n ?? '');
        this.i += 2;
      } else {
        out += c;
        this.i++;
      }
    }
    this.i++;
    return out;
  }

  private expect(c: string): void {
    this.skipSpace();
    if (this.s[this.i] !== c) throw new Error(this.unexpected());
    this.i++;
  }
}
