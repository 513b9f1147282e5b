/**
 * A parameter form from a version's JSON Schema (draft 2020-12): which fields, their labels in zh and en, their
 * constraints and defaults; the form's values coerced back to what the schema asks for; and the server's causes
 * (`spec.parameters.<field>`) mapped onto fields. Pure: the page renders what this returns.
 */
import type { Cause } from '../../api/api-error.ts';

export type FieldKind = 'string' | 'number' | 'integer' | 'boolean' | 'enum' | 'object' | 'json';

export interface FormField {
  /** The path of the field in the parameters (`['db', 'size']`). */
  readonly path: readonly string[];
  readonly kind: FieldKind;
  readonly title: { readonly zh: string; readonly en: string };
  readonly description?: { readonly zh: string; readonly en: string };
  readonly required: boolean;
  readonly default?: unknown;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  /** The enum's values, in the schema's order. */
  readonly options?: readonly unknown[];
  /** The fields of a nested object. */
  readonly children?: readonly FormField[];
}

type Schema = Record<string, unknown>;

/** Nested objects are rendered as groups down to this depth; deeper ones as JSON text. */
const MAX_DEPTH = 3;

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function typeOf(s: Schema): string | undefined {
  const t = s.type;
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) return t.find((x): x is string => typeof x === 'string' && x !== 'null');
  return undefined;
}

function kindOf(s: Schema, depth: number): FieldKind {
  if (Array.isArray(s.enum) && s.enum.length > 0) return 'enum';
  switch (typeOf(s)) {
    case 'string':
      return 'string';
    case 'integer':
      return 'integer';
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'object':
      return s.properties && typeof s.properties === 'object' && depth < MAX_DEPTH ? 'object' : 'json';
    default:
      return 'json';
  }
}

/** The fields of an object schema, in the order of its `properties`. */
export function fieldsOf(schema: unknown, at: readonly string[] = [], depth = 1): FormField[] {
  const s = (schema ?? {}) as Schema;
  const props = (s.properties ?? {}) as Record<string, unknown>;
  const required = new Set(Array.isArray(s.required) ? (s.required as unknown[]).map(String) : []);
  return Object.entries(props).map(([key, raw]) => {
    const p = (raw && typeof raw === 'object' ? raw : {}) as Schema;
    const path = [...at, key];
    const kind = kindOf(p, depth);
    const title = str(p.title) ?? key;
    const description = str(p.description);
    const descriptionZh = str(p['x-description-zh']);
    const field: FormField = {
      path,
      kind,
      title: { zh: str(p['x-title-zh']) ?? title, en: title },
      ...(description || descriptionZh
        ? { description: { zh: descriptionZh ?? description!, en: description ?? descriptionZh! } }
        : {}),
      required: required.has(key),
      ...(p.default !== undefined ? { default: p.default } : {}),
      ...(num(p.minimum) !== undefined ? { minimum: num(p.minimum) } : {}),
      ...(num(p.maximum) !== undefined ? { maximum: num(p.maximum) } : {}),
      ...(num(p.exclusiveMinimum) !== undefined ? { exclusiveMinimum: num(p.exclusiveMinimum) } : {}),
      ...(num(p.exclusiveMaximum) !== undefined ? { exclusiveMaximum: num(p.exclusiveMaximum) } : {}),
      ...(num(p.minLength) !== undefined ? { minLength: num(p.minLength) } : {}),
      ...(num(p.maxLength) !== undefined ? { maxLength: num(p.maxLength) } : {}),
      ...(str(p.pattern) ? { pattern: str(p.pattern) } : {}),
      ...(kind === 'enum' ? { options: p.enum as unknown[] } : {}),
      ...(kind === 'object' ? { children: fieldsOf(p, path, depth + 1) } : {}),
    };
    return field;
  });
}

/** Every leaf field (nested objects flattened), depth first. */
export function leaves(fields: readonly FormField[]): FormField[] {
  return fields.flatMap((f) => (f.kind === 'object' ? leaves(f.children ?? []) : [f]));
}

/** The form's starting values: each field's default (a nested object's from its own fields); JSON fields as text. */
export function initialValues(fields: readonly FormField[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const key = f.path[f.path.length - 1]!;
    if (f.kind === 'object') out[key] = initialValues(f.children ?? []);
    else if (f.default !== undefined) out[key] = f.kind === 'json' ? JSON.stringify(f.default) : f.default;
  }
  return out;
}

/**
 * The parameters to send, from the form's values: numbers and integers from text, booleans from "true"/"false",
 * enum values back to the schema's own value (a Select may hand back its text), JSON fields parsed. An empty value
 * is left out, so the server fills the default or says the field is required; a value that cannot be coerced is sent
 * as it is, so the server names the field and what it accepts.
 */
export function coerce(
  fields: readonly FormField[],
  values: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const key = f.path[f.path.length - 1]!;
    const v = values?.[key];
    if (f.kind === 'object') {
      const inner = coerce(f.children ?? [], (v ?? {}) as Record<string, unknown>);
      if (Object.keys(inner).length > 0 || f.required) out[key] = inner;
      continue;
    }
    const c = coerceValue(f, v);
    if (c !== undefined) out[key] = c;
  }
  return out;
}

/** One value as its field's kind asks; undefined for an empty one. */
export function coerceValue(f: FormField, v: unknown): unknown {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string' && v.trim() === '' && f.kind !== 'string') return undefined;
  switch (f.kind) {
    case 'integer':
    case 'number': {
      if (typeof v === 'number') return v;
      const n = Number(String(v).trim());
      return Number.isFinite(n) ? n : v;
    }
    case 'boolean':
      if (typeof v === 'boolean') return v;
      if (v === 'true') return true;
      if (v === 'false') return false;
      return v;
    case 'enum': {
      const options = f.options ?? [];
      if (options.some((o) => o === v)) return v;
      const same = options.find((o) => String(o) === String(v));
      return same === undefined ? v : same;
    }
    case 'json':
      if (typeof v !== 'string') return v;
      try {
        return JSON.parse(v) as unknown;
      } catch {
        return v;
      }
    case 'string':
      if (typeof v !== 'string') return String(v);
      return v === '' ? undefined : v;
    default:
      return v;
  }
}

/** A server cause on a field of the form: the field's path and the cause. */
export interface FieldError {
  readonly path: readonly string[];
  readonly cause: Cause;
}

/**
 * The server's causes split: those at a field of the form (`spec.parameters.db.size` → `['db', 'size']`; a cause
 * inside a JSON field goes to that field), and the rest, to show above the form.
 */
export function fieldErrors(
  fields: readonly FormField[],
  causes: readonly Cause[],
  prefix = 'spec.parameters',
): { readonly fields: FieldError[]; readonly other: Cause[] } {
  const known = leaves(fields).map((f) => f.path);
  const out: FieldError[] = [];
  const other: Cause[] = [];
  for (const c of causes) {
    const rest = c.path === prefix ? '' : c.path.startsWith(`${prefix}.`) ? c.path.slice(prefix.length + 1) : undefined;
    const parts = rest ? rest.split('.') : [];
    // The longest known field the path starts with.
    const match = known
      .filter((k) => k.length <= parts.length && k.every((p, i) => parts[i] === p))
      .sort((a, b) => b.length - a.length)[0];
    if (match) out.push({ path: match, cause: c });
    else other.push(c);
  }
  return { fields: out, other };
}

/** The leaf paths whose value differs between two value trees (to clear a field's server error once it changes). */
export function changedPaths(fields: readonly FormField[], changed: Record<string, unknown>): string[][] {
  const out: string[][] = [];
  for (const f of leaves(fields)) {
    let at: unknown = changed;
    for (const p of f.path) at = at && typeof at === 'object' ? (at as Record<string, unknown>)[p] : undefined;
    if (at !== undefined || hasPath(changed, f.path)) out.push([...f.path]);
  }
  return out;
}

function hasPath(obj: Record<string, unknown>, path: readonly string[]): boolean {
  let at: unknown = obj;
  for (const p of path) {
    if (!at || typeof at !== 'object' || !Object.hasOwn(at, p)) return false;
    at = (at as Record<string, unknown>)[p];
  }
  return true;
}
