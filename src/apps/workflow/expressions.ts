/**
 * The part of KubeVela's CUE expressions that workflow steps use in `if` and `outputs[].valueFrom`, evaluated
 * without CUE: paths (`status.deploy.phase`, `status["apply-db"].failed`, `inputs.version`, `parameter.data.url`,
 * `list[0]`), string, number and boolean literals, `==`, `!=`, `!`, `&&`, `||`, parentheses and the keyword `always`.
 * Anything else is refused when the application is checked (WorkflowExpressionUnsupported), never guessed at.
 */

type Token =
  | { t: 'path'; v: (string | number)[] }
  | { t: 'lit'; v: string | number | boolean }
  | { t: 'op'; v: '==' | '!=' | '&&' | '||' | '!' | '(' | ')' };

export type Expr =
  | { kind: 'path'; path: (string | number)[] }
  | { kind: 'lit'; value: string | number | boolean }
  | { kind: 'always' }
  | { kind: 'not'; of: Expr }
  | { kind: 'bin'; op: '==' | '!=' | '&&' | '||'; left: Expr; right: Expr };

export type ParsedExpr = { ok: true; expr: Expr } | { ok: false; problem: string };

function tokenize(src: string): Token[] | string {
  const out: Token[] = [];
  let i = 0;
  const ident = /[A-Za-z_$][A-Za-z0-9_$-]*/y;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (two === '==' || two === '!=' || two === '&&' || two === '||') {
      out.push({ t: 'op', v: two });
      i += 2;
      continue;
    }
    if (c === '!' || c === '(' || c === ')') {
      out.push({ t: 'op', v: c });
      i++;
      continue;
    }
    if (c === '"') {
      const end = src.indexOf('"', i + 1);
      if (end < 0) return 'an unterminated string';
      out.push({ t: 'lit', v: src.slice(i + 1, end) });
      i = end + 1;
      continue;
    }
    const num = /-?\d+(\.\d+)?/y;
    num.lastIndex = i;
    const n = num.exec(src);
    if (n) {
      out.push({ t: 'lit', v: Number(n[0]) });
      i += n[0].length;
      continue;
    }
    ident.lastIndex = i;
    const id = ident.exec(src);
    if (!id) return `"${src.slice(i, i + 12)}"`;
    i += id[0].length;
    if (id[0] === 'true' || id[0] === 'false') {
      out.push({ t: 'lit', v: id[0] === 'true' });
      continue;
    }
    const path: (string | number)[] = [id[0]];
    for (;;) {
      if (src[i] === '.') {
        ident.lastIndex = i + 1;
        const next = ident.exec(src);
        if (!next) return `a path ending in "."`;
        path.push(next[0]);
        i += 1 + next[0].length;
      } else if (src[i] === '[') {
        const m = /\[\s*(?:"([^"]*)"|(\d+))\s*\]/y;
        m.lastIndex = i;
        const r = m.exec(src);
        if (!r) return `an index other than ["name"] or [number]`;
        path.push(r[1] !== undefined ? r[1] : Number(r[2]));
        i += r[0].length;
      } else break;
    }
    out.push({ t: 'path', v: path });
  }
  return out;
}

/** Parses `src`; a problem names what polis does not evaluate. */
export function parseExpr(src: string): ParsedExpr {
  const tokens = tokenize(src);
  if (typeof tokens === 'string') return { ok: false, problem: `cannot read ${tokens}` };
  let k = 0;
  const peek = () => tokens[k];
  const isOp = (v: string) => {
    const t = peek();
    return t?.t === 'op' && t.v === v;
  };
  const primary = (): Expr | string => {
    const t = tokens[k++];
    if (!t) return 'an unfinished expression';
    if (t.t === 'lit') return { kind: 'lit', value: t.v };
    if (t.t === 'path')
      return t.v.length === 1 && t.v[0] === 'always' ? { kind: 'always' } : { kind: 'path', path: t.v };
    if (t.v === '!') {
      const of = primary();
      return typeof of === 'string' ? of : { kind: 'not', of };
    }
    if (t.v === '(') {
      const e = or();
      if (typeof e === 'string') return e;
      if (!isOp(')')) return 'a missing ")"';
      k++;
      return e;
    }
    return `"${t.v}" where a value belongs`;
  };
  const cmp = (): Expr | string => {
    const left = primary();
    if (typeof left === 'string') return left;
    if (isOp('==') || isOp('!=')) {
      const op = (tokens[k++] as { v: '==' | '!=' }).v;
      const right = primary();
      if (typeof right === 'string') return right;
      return { kind: 'bin', op, left, right };
    }
    return left;
  };
  const and = (): Expr | string => {
    let left = cmp();
    while (typeof left !== 'string' && isOp('&&')) {
      k++;
      const right = cmp();
      if (typeof right === 'string') return right;
      left = { kind: 'bin', op: '&&', left, right };
    }
    return left;
  };
  const or = (): Expr | string => {
    let left = and();
    while (typeof left !== 'string' && isOp('||')) {
      k++;
      const right = and();
      if (typeof right === 'string') return right;
      left = { kind: 'bin', op: '||', left, right };
    }
    return left;
  };
  const e = or();
  if (typeof e === 'string') return { ok: false, problem: `cannot read ${e}` };
  if (k < tokens.length) return { ok: false, problem: 'cannot read what follows the first expression' };
  return { ok: true, expr: e };
}

/** A path's value in `env`, or undefined. */
export function lookup(env: unknown, path: readonly (string | number)[]): unknown {
  let v: unknown = env;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}

/** The value of an expression; a path that leads nowhere is undefined (never equal to a literal). */
export function evaluate(e: Expr, env: unknown): unknown {
  switch (e.kind) {
    case 'lit':
      return e.value;
    case 'always':
      return true;
    case 'path':
      return lookup(env, e.path);
    case 'not':
      return !truthy(evaluate(e.of, env));
    case 'bin': {
      if (e.op === '&&') return truthy(evaluate(e.left, env)) && truthy(evaluate(e.right, env));
      if (e.op === '||') return truthy(evaluate(e.left, env)) || truthy(evaluate(e.right, env));
      const l = evaluate(e.left, env);
      const r = evaluate(e.right, env);
      return e.op === '==' ? l !== undefined && l === r : l === undefined || l !== r;
    }
  }
}

export function truthy(v: unknown): boolean {
  return v === true;
}

/** Every path an expression reads, for checking that the steps it names exist. */
export function pathsOf(e: Expr): (string | number)[][] {
  switch (e.kind) {
    case 'path':
      return [e.path];
    case 'not':
      return pathsOf(e.of);
    case 'bin':
      return [...pathsOf(e.left), ...pathsOf(e.right)];
    default:
      return [];
  }
}
