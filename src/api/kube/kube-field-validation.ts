import { codedCause, InputError } from '../../kernel/errors.ts';
import { msg } from '../../kernel/messages/index.ts';
import type { Query } from '../../kernel/query-params.ts';
import { stringParam } from '../../kernel/query-params.ts';
import { objectMetaInput } from '../../resources/envelope.ts';
import type { KindDefinition } from '../../resources/registry.ts';
import { formatPath } from '../../resources/validation.ts';

/**
 * Kubernetes' `fieldValidation` (pure): what a write does with fields its kind does not define and with keys given
 * twice. `Strict` refuses them (400, each field a cause), `Warn` drops them and answers a `Warning` header per field
 * (kubectl prints `Warning: unknown field "spec.foo"`), `Ignore` drops them silently.
 */
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

const MODES: readonly string[] = ['Strict', 'Warn', 'Ignore'];

/**
 * The directive of a request: the `fieldValidation` query parameter, or the default of the path. On the Kubernetes
 * paths (`namespaces/…`, `/api/v1/…`) the default is the API server's, `Warn`; on polis's own paths it is polis's
 * rule since its first release (unknown fields refused by the resource service, 422), reported as `undefined`.
 */
export function fieldValidationOf(q: Query, kubePath: boolean): FieldValidation | undefined {
  const value = stringParam(q, 'fieldValidation');
  if (value === undefined) return kubePath ? 'Warn' : undefined;
  if (!MODES.includes(value)) {
    const m = msg('QueryValueInvalid', { param: 'fieldValidation', value, accepted: 'Strict, Warn or Ignore' });
    throw new InputError(m, [codedCause('query.fieldValidation', m)]);
  }
  return value as FieldValidation;
}

/** Whether a request path is one of the Kubernetes layouts (where `Warn` is the default). */
export function isKubePath(url: string): boolean {
  return /^\/apis\/[^/]+\/[^/]+\/namespaces\//.test(url) || /^\/api\/v1\/namespaces\/[^/]+\//.test(url);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The paths of the fields `obj` carries that its kind does not define (metadata included), as zod finds them. */
export function unknownFields(def: Pick<KindDefinition, 'schema' | 'group' | 'version' | 'kind'>, obj: unknown) {
  const out: PropertyKey[][] = [];
  if (!isRecord(obj)) return out;
  const { metadata, ...rest } = obj;
  const collect = (
    error: { issues: readonly { code: string; path: PropertyKey[]; keys?: string[] }[] },
    at: PropertyKey[],
  ) => {
    for (const issue of error.issues)
      if (issue.code === 'unrecognized_keys') for (const k of issue.keys ?? []) out.push([...at, ...issue.path, k]);
  };
  const body = def.schema.safeParse({ ...rest, apiVersion: `${def.group}/${def.version}`, kind: def.kind });
  if (!body.success) collect(body.error as never, []);
  if (isRecord(metadata)) {
    const meta = objectMetaInput.safeParse(metadata);
    if (!meta.success) collect(meta.error as never, ['metadata']);
  }
  return out;
}

/** A copy of `obj` without the fields at `paths`. */
export function withoutFields(obj: unknown, paths: readonly (readonly PropertyKey[])[]): unknown {
  let out = obj;
  for (const path of paths) out = removeAt(out, path);
  return out;
}

function removeAt(value: unknown, path: readonly PropertyKey[]): unknown {
  if (path.length === 0) return value;
  const [head, ...tail] = path;
  if (Array.isArray(value) && typeof head === 'number' && head < value.length) {
    const copy = [...value];
    copy[head] = removeAt(copy[head], tail);
    return copy;
  }
  if (!isRecord(value) || typeof head !== 'string' || !(head in value)) return value;
  if (tail.length === 0) {
    const { [head]: _dropped, ...rest } = value;
    return rest;
  }
  return { ...value, [head]: removeAt(value[head], tail) };
}

/**
 * One write's object under a directive: refused (`Strict`, 400 with a cause per unknown field, code `UnknownField`),
 * or returned without the unknown fields with the warnings to send (`Warn`: one per unknown field and per duplicate
 * key the body parser let through; `Ignore`: none).
 */
export function validateFields(
  def: Pick<KindDefinition, 'schema' | 'group' | 'version' | 'kind'>,
  obj: unknown,
  mode: FieldValidation,
): { obj: unknown; warnings: string[] } {
  const unknown = unknownFields(def, obj);
  if (unknown.length === 0) return { obj, warnings: [] };
  const fields = unknown.map((p) => formatPath(p));
  if (mode === 'Strict') {
    const m = msg('UnknownFields', { kind: def.kind, fields: fields.map((f) => `"${f}"`).join(', ') });
    throw new InputError(
      m,
      fields.map((f) => codedCause(f, msg('UnknownField', { field: f }))),
    );
  }
  return {
    obj: withoutFields(obj, unknown),
    warnings: mode === 'Warn' ? fields.map((f) => msg('UnknownField', { field: f }).message) : [],
  };
}

/** The warnings for keys a body gave twice (the last one kept, as JSON.parse keeps it). */
export function duplicateWarnings(paths: readonly string[], mode: FieldValidation): string[] {
  return mode === 'Warn' ? paths.map((p) => msg('DuplicateField', { field: p }).message) : [];
}

/**
 * `Warning` header values (RFC 7234 warn-code 299, as Kubernetes sends them); the text keeps printable ASCII only,
 * escaped as a quoted string.
 */
export function warningHeaders(warnings: readonly string[]): string[] {
  return [...new Set(warnings)].map(
    (w) => `299 - "${w.replace(/[^\x20-\x7e]/g, '?').replace(/["\\]/g, (c) => `\\${c}`)}"`,
  );
}
