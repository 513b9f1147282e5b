import { createHash } from 'node:crypto';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { applicationKind } from '../apps/application-kind.ts';
import type { ErrorCause } from '../kernel/errors.ts';
import { codedCause } from '../kernel/errors.ts';
import type { Message } from '../kernel/messages/index.ts';
import { msg } from '../kernel/messages/index.ts';

/**
 * Parameters reach a template as data: a string that is exactly `${parameters.x}` becomes the value (a number stays
 * a number), a placeholder inside a longer string becomes its text. Nothing is evaluated: a placeholder is a path
 * into the parameters, looked up, never code.
 */
const WHOLE = /^\$\{(parameters|context)\.([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\}$/;
const INSIDE = /\$\{(parameters|context)\.([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\}/g;

/**
 * What a template may name besides parameters: `${context.name}` (the application), `${context.namespace}` and
 * `${context.adminSecret}` (the Secret holding the instance's administrator `username` and `password`).
 */
export interface TemplateContext {
  readonly name: string;
  readonly namespace: string;
  readonly adminSecret: string;
}

// One validator for all schemas: the 2020-12 dialect, strict (unknown keywords are errors), defaults filled in.
const ajv = new Ajv2020({ allErrors: true, strict: true, useDefaults: true, validateFormats: false });
// Chinese labels for the parameter form the console generates (annotations only; they validate nothing).
ajv.addVocabulary(['x-title-zh', 'x-description-zh']);
const compiled = new Map<string, ValidateFunction>();
const MAX_SCHEMA_BYTES = 64 * 1024;

type CompileResult = { ok: true; validate: ValidateFunction } | { ok: false; problems: Message[] };

function compile(schema: Record<string, unknown>): CompileResult {
  const text = JSON.stringify(schema);
  if (text.length > MAX_SCHEMA_BYTES)
    return {
      ok: false,
      problems: [msg('MarketSchemaProblem', { path: '(root)', problem: `larger than ${MAX_SCHEMA_BYTES} bytes` })],
    };
  const key = createHash('sha256').update(text).digest('hex');
  const hit = compiled.get(key);
  if (hit) return { ok: true, validate: hit };
  if (!ajv.validateSchema(schema)) return { ok: false, problems: ajvProblems(ajv.errors ?? []) };
  if (schema.type !== 'object')
    return { ok: false, problems: [msg('MarketSchemaProblem', { path: 'type', problem: 'must be "object"' })] };
  try {
    const validate = ajv.compile(schema);
    if (compiled.size > 500) compiled.clear();
    compiled.set(key, validate);
    return { ok: true, validate };
  } catch (e) {
    return { ok: false, problems: [msg('MarketSchemaProblem', { path: '(root)', problem: (e as Error).message })] };
  } finally {
    ajv.removeSchema(schema);
  }
}

function ajvProblems(errors: readonly ErrorObject[]): Message[] {
  return errors.map((e) =>
    msg('MarketSchemaProblem', {
      path: e.instancePath === '' ? '(root)' : e.instancePath.slice(1).replaceAll('/', '.'),
      problem: e.message ?? e.keyword,
    }),
  );
}

/** Problems with a parameter schema (not draft 2020-12, not an object schema, unknown keywords), at `path`. */
export function schemaCauses(schema: Record<string, unknown>, path: string): ErrorCause[] {
  const r = compile(schema);
  return r.ok ? [] : [codedCause(path, msg('MarketSchemaInvalid', { problems: r.problems }))];
}

export type ParameterResult =
  | { readonly ok: true; readonly values: Record<string, unknown> }
  | { readonly ok: false; readonly problems: readonly Message[] };

/** The parameters with the schema's defaults filled in, or what is wrong with them (each with its path). */
export function resolveParameters(schema: Record<string, unknown>, given: unknown): ParameterResult {
  const r = compile(schema);
  if (!r.ok) return { ok: false, problems: r.problems };
  const values = structuredClone(given ?? {}) as Record<string, unknown>;
  if (r.validate(values)) return { ok: true, values };
  return { ok: false, problems: ajvProblems(r.validate.errors ?? []) };
}

/**
 * What is wrong with an instance's parameters, one coded cause per field at `<at>.<field path>` (a missing required
 * field at its own path, not its parent's), so a form puts each problem under its field. Empty when they are valid.
 * A schema that does not compile gives one cause at `at`.
 */
export function parameterCauses(schema: Record<string, unknown>, given: unknown, at: string): ErrorCause[] {
  const r = compile(schema);
  if (!r.ok) return [codedCause(at, msg('MarketSchemaInvalid', { problems: r.problems }))];
  if (r.validate(structuredClone(given ?? {}))) return [];
  return (r.validate.errors ?? []).map((e) => {
    const parts = e.instancePath === '' ? [] : e.instancePath.slice(1).split('/');
    const p = e.params as Record<string, unknown>;
    const child = (k: unknown) => [...parts, String(k)].join('.');
    const own = parts.join('.');
    const cause = (path: string, m: Message) => codedCause(path ? `${at}.${path}` : at, m);
    switch (e.keyword) {
      case 'required':
        return cause(child(p.missingProperty), msg('MarketParameterRequired', { parameter: child(p.missingProperty) }));
      case 'additionalProperties':
        return cause(
          child(p.additionalProperty),
          msg('MarketParameterUnknown', { parameter: child(p.additionalProperty) }),
        );
      case 'type':
        return cause(own, msg('MarketParameterType', { parameter: own, type: String(p.type) }));
      case 'minimum':
      case 'exclusiveMinimum':
        return cause(
          own,
          msg('MarketParameterMinimum', { parameter: own, comparison: String(p.comparison), limit: Number(p.limit) }),
        );
      case 'maximum':
      case 'exclusiveMaximum':
        return cause(
          own,
          msg('MarketParameterMaximum', { parameter: own, comparison: String(p.comparison), limit: Number(p.limit) }),
        );
      case 'enum':
        return cause(
          own,
          msg('MarketParameterEnum', {
            parameter: own,
            allowed: ((p.allowedValues as unknown[]) ?? []).map((v) => JSON.stringify(v)).join(', '),
          }),
        );
      case 'minLength':
        return cause(own, msg('MarketParameterMinLength', { parameter: own, limit: Number(p.limit) }));
      case 'maxLength':
        return cause(own, msg('MarketParameterMaxLength', { parameter: own, limit: Number(p.limit) }));
      case 'pattern':
        return cause(own, msg('MarketParameterPattern', { parameter: own, pattern: String(p.pattern) }));
      default:
        return cause(
          own,
          msg('MarketParameterInvalid', { parameter: own || '(root)', problem: e.message ?? e.keyword }),
        );
    }
  });
}

function lookup(root: Record<string, unknown>, path: string): { found: boolean; value?: unknown } {
  let at: unknown = root;
  for (const part of path.split('.')) {
    if (typeof at !== 'object' || at === null || !Object.hasOwn(at, part)) return { found: false };
    at = (at as Record<string, unknown>)[part];
  }
  return { found: true, value: at };
}

/** Every placeholder of a template, with where it is (for the check that the schema defines each). */
export function placeholdersOf(template: unknown, path = ''): Array<{ scope: string; name: string; path: string }> {
  if (typeof template === 'string')
    return [...template.matchAll(INSIDE)].map((m) => ({ scope: m[1]!, name: m[2]!, path }));
  if (Array.isArray(template)) return template.flatMap((v, i) => placeholdersOf(v, `${path}[${i}]`));
  if (typeof template === 'object' && template !== null)
    return Object.entries(template).flatMap(([k, v]) => placeholdersOf(v, path ? `${path}.${k}` : k));
  return [];
}

/**
 * The template with every placeholder replaced (pure). A placeholder naming nothing is left as it is; the
 * review's checks refuse such a template before it is ever released.
 */
export function substitute(template: unknown, parameters: Record<string, unknown>, context: TemplateContext): unknown {
  const scopes: Record<string, Record<string, unknown>> = { parameters, context: { ...context } };
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const whole = WHOLE.exec(v);
      if (whole) {
        const hit = lookup(scopes[whole[1]!]!, whole[2]!);
        return hit.found ? structuredClone(hit.value) : v;
      }
      return v.replace(INSIDE, (all, scope: string, name: string) => {
        const hit = lookup(scopes[scope]!, name);
        if (!hit.found) return all;
        return typeof hit.value === 'object' ? JSON.stringify(hit.value) : String(hit.value);
      });
    }
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(template);
}

/** Placeholders the schema does not define, as causes at their paths. */
function unknownPlaceholders(template: Record<string, unknown>, schema: Record<string, unknown>, at: string) {
  const props = (schema.properties ?? {}) as Record<string, unknown>;
  return placeholdersOf(template)
    .filter((p) => p.scope === 'parameters' && !Object.hasOwn(props, p.name.split('.')[0]!))
    .map((p) => codedCause(`${at}.${p.path}`, msg('MarketTemplateUnknownParameter', { name: p.name, path: p.path })));
}

/** Problems of an Application spec, as the Application kind reports them. */
export function applicationSpecProblems(spec: unknown): Message[] {
  const parsed = applicationKind.schema.safeParse({
    apiVersion: 'core.oam.dev/v1beta1',
    kind: 'Application',
    spec,
  });
  if (!parsed.success)
    return parsed.error.issues.map((i) => msg('MarketSchemaProblem', { path: i.path.join('.'), problem: i.message }));
  const causes =
    applicationKind.validate?.({
      apiVersion: 'core.oam.dev/v1beta1',
      kind: 'Application',
      metadata: { name: 'template-check', tenant: 'template-check' },
      spec: (parsed.data as { spec: unknown }).spec,
    } as never) ?? [];
  return causes.map((c) => msg('MarketSchemaProblem', { path: c.path, problem: c.message }));
}

/** Values a reviewer's check tries besides the defaults: each property's other end (enum's last, max, examples). */
export function generatedParameters(schema: Record<string, unknown>): Record<string, unknown> {
  const props = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  const out: Record<string, unknown> = {};
  for (const [name, p] of Object.entries(props)) {
    const alt = alternative(p);
    if (alt !== undefined) out[name] = alt;
  }
  // Keep only the values the schema accepts one by one (a generated value must not break another constraint).
  const accepted: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(out)) {
    const trial = resolveParameters(schema, { ...accepted, [name]: v });
    if (trial.ok) accepted[name] = v;
  }
  return accepted;
}

function alternative(p: Record<string, unknown>): unknown {
  if (Array.isArray(p.examples) && p.examples.length > 0) return p.examples[p.examples.length - 1];
  if (Array.isArray(p.enum) && p.enum.length > 0) return p.enum[p.enum.length - 1];
  if (p.type === 'boolean') return p.default === undefined ? true : !p.default;
  if (p.type === 'integer' || p.type === 'number') {
    if (typeof p.maximum === 'number') return p.maximum;
    if (typeof p.minimum === 'number') return p.minimum;
    return typeof p.default === 'number' ? p.default + 1 : 1;
  }
  if (p.type === 'string') {
    const min = typeof p.minLength === 'number' ? p.minLength : 1;
    return p.pattern === undefined ? 'x'.repeat(Math.max(1, min)) : undefined;
  }
  return undefined;
}

/** The template is well formed: each placeholder is a defined parameter and the defaults render an Application. */
export function templateCauses(
  template: Record<string, unknown>,
  schema: Record<string, unknown>,
  at: string,
): ErrorCause[] {
  const unknown = unknownPlaceholders(template, schema, at);
  if (unknown.length > 0) return unknown;
  const defaults = resolveParameters(schema, {});
  if (!defaults.ok) return [codedCause('spec.parameters', msg('MarketSchemaInvalid', { problems: defaults.problems }))];
  return [];
}

/** A template rendered with parameters: the Application spec, or what is wrong. */
export function renderTemplate(
  template: Record<string, unknown>,
  schema: Record<string, unknown>,
  given: unknown,
  context: TemplateContext,
):
  | { ok: true; spec: Record<string, unknown>; parameters: Record<string, unknown> }
  | { ok: false; problems: Message[] } {
  const params = resolveParameters(schema, given);
  if (!params.ok) return { ok: false, problems: [...params.problems] };
  const spec = substitute(template, params.values, context) as Record<string, unknown>;
  const problems = applicationSpecProblems(spec);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, spec, parameters: params.values };
}
