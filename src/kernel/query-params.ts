import { InputError } from './errors.ts';

/** Query parameters as Fastify hands them over. */
export type Query = Record<string, string | string[] | undefined>;

function bad(name: string, value: string, accepted: string): InputError {
  return new InputError(`query parameter ${name}="${value}" is not valid`, [
    { path: `query.${name}`, message: `expected ${accepted}` },
  ]);
}

/** The parameter's one value; a parameter given twice is an error rather than a silent pick. */
export function stringParam(q: Query, name: string): string | undefined {
  const v = q[name];
  if (Array.isArray(v))
    throw new InputError(`query parameter ${name} is given ${v.length} times`, [
      { path: `query.${name}`, message: 'give it once' },
    ]);
  return v === '' ? undefined : v;
}

/** true/1, false/0 or absent; `dryRun` also takes Kubernetes' `All`. */
export function boolParam(q: Query, name: string): boolean {
  const v = stringParam(q, name);
  if (v === undefined || v === 'false' || v === '0') return false;
  if (v === 'true' || v === '1' || (name === 'dryRun' && v === 'All')) return true;
  throw bad(name, v, name === 'dryRun' ? 'All or true' : 'true or false');
}

export function intParam(q: Query, name: string, min: number, max: number): number | undefined {
  const v = stringParam(q, name);
  if (v === undefined) return undefined;
  const n = /^\d+$/.test(v) ? Number(v) : NaN;
  if (!(n >= min && n <= max)) throw bad(name, v, `a whole number from ${min} to ${max}`);
  return n;
}

/** An ISO-8601 timestamp parameter, returned normalized. */
export function timeParam(q: Query, name: string): string | undefined {
  const v = stringParam(q, name);
  if (v === undefined) return undefined;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw bad(name, v, 'an ISO-8601 time such as 2026-11-24T09:00:00Z');
  return new Date(t).toISOString();
}

/** `fieldSelector=metadata.name=X` is the one field selector served (kubectl uses it to watch one object). */
export function nameFromFieldSelector(q: Query): string | undefined {
  const v = stringParam(q, 'fieldSelector');
  if (!v) return undefined;
  const m = /^metadata\.name(==|=)([a-z0-9.-]+)$/.exec(v);
  if (!m)
    throw new InputError(`fieldSelector "${v}" is not supported`, [
      { path: 'query.fieldSelector', message: 'only metadata.name=NAME is supported; use labelSelector for the rest' },
    ]);
  return m[2];
}
