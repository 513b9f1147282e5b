import { InputError } from '../kernel/errors.ts';

/** One requirement of a Kubernetes label selector. */
export type Requirement =
  | { readonly op: 'eq'; readonly key: string; readonly value: string }
  | { readonly op: 'neq'; readonly key: string; readonly value: string }
  | { readonly op: 'in'; readonly key: string; readonly values: readonly string[] }
  | { readonly op: 'notin'; readonly key: string; readonly values: readonly string[] }
  | { readonly op: 'exists'; readonly key: string }
  | { readonly op: 'notexists'; readonly key: string };

export type LabelSelector = readonly Requirement[];

const KEY = /^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$/;

/**
 * Parses the Kubernetes selector syntax: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`,
 * joined by commas. Throws InputError naming `labelSelector` and the offending term.
 */
export function parseLabelSelector(text: string, param = 'labelSelector'): LabelSelector {
  const terms = splitTerms(text.trim());
  return terms.map((term) => parseTerm(term.trim(), param));
}

function splitTerms(text: string): string[] {
  if (text === '') return [];
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function parseTerm(term: string, param: string): Requirement {
  const bad = (why: string) =>
    new InputError(`invalid label selector term '${term}': ${why}`, [
      {
        path: param,
        message: `${why}; accepted forms: key=value, key!=value, key in (a,b), key notin (a,b), key, !key`,
      },
    ]);
  let m = /^([^\s!=()]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
  if (m) {
    const values = m[3]!
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
    if (values.length === 0) throw bad('a set needs at least one value');
    return { op: m[2] === 'in' ? 'in' : 'notin', key: checkKey(m[1]!, bad), values };
  }
  m = /^([^\s!=()]+)\s*(==|=|!=)\s*([^\s!=(),]*)$/.exec(term);
  if (m) {
    const key = checkKey(m[1]!, bad);
    return m[2] === '!=' ? { op: 'neq', key, value: m[3]! } : { op: 'eq', key, value: m[3]! };
  }
  m = /^!\s*([^\s!=()]+)$/.exec(term);
  if (m) return { op: 'notexists', key: checkKey(m[1]!, bad) };
  m = /^([^\s!=()]+)$/.exec(term);
  if (m) return { op: 'exists', key: checkKey(m[1]!, bad) };
  throw bad('not a selector term');
}

function checkKey(key: string, bad: (why: string) => Error): string {
  if (!KEY.test(key) || key.length > 317) throw bad(`'${key}' is not a valid label key`);
  return key;
}

/** True when `labels` satisfy every requirement. */
export function matchesSelector(
  selector: LabelSelector,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  const l = labels ?? {};
  return selector.every((r) => {
    const has = Object.hasOwn(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case 'eq':
        return v === r.value;
      case 'neq':
        return v !== r.value;
      case 'in':
        return has && r.values.includes(v!);
      case 'notin':
        return !has || !r.values.includes(v!);
      case 'exists':
        return has;
      case 'notexists':
        return !has;
    }
  });
}

/** The `labelSelector` query parameter, parsed; undefined when absent. */
export function selectorFromQuery(value: string | undefined): LabelSelector | undefined {
  return value ? parseLabelSelector(value, 'query.labelSelector') : undefined;
}
