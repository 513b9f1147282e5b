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

/** A label name, and a label value when not empty (Kubernetes: at most 63 characters each). */
const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
/** The optional key prefix: a DNS subdomain of at most 253 characters. */
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const VALUE_FORM = 'at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit (or empty)';

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
    const key = checkKey(m[1]!, bad);
    return { op: m[2] === 'in' ? 'in' : 'notin', key, values: values.map((v) => checkValue(v, bad)) };
  }
  m = /^([^\s!=()]+)\s*(==|=|!=)\s*([^\s!=(),]*)$/.exec(term);
  if (m) {
    const key = checkKey(m[1]!, bad);
    const value = checkValue(m[3]!, bad);
    return m[2] === '!=' ? { op: 'neq', key, value } : { op: 'eq', key, value };
  }
  m = /^!\s*([^\s!=()]+)$/.exec(term);
  if (m) return { op: 'notexists', key: checkKey(m[1]!, bad) };
  m = /^([^\s!=()]+)$/.exec(term);
  if (m) return { op: 'exists', key: checkKey(m[1]!, bad) };
  throw bad('not a selector term');
}

/** A label key as Kubernetes accepts it: `[prefix/]name`, the name at most 63 characters. */
function checkKey(key: string, bad: (why: string) => Error): string {
  const slash = key.indexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  const nameOk = name.length <= 63 && NAME.test(name);
  const prefixOk = prefix === undefined || (prefix.length <= 253 && PREFIX.test(prefix));
  if (!nameOk || !prefixOk)
    throw bad(
      `'${key}' is not a valid label key (an optional DNS-subdomain prefix and "/", then a name of ${VALUE_FORM.replace(' (or empty)', '')})`,
    );
  return key;
}

function checkValue(value: string, bad: (why: string) => Error): string {
  if (value !== '' && (value.length > 63 || !NAME.test(value)))
    throw bad(`'${value.length > 80 ? `${value.slice(0, 80)}…` : value}' is not a valid label value (${VALUE_FORM})`);
  return value;
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
