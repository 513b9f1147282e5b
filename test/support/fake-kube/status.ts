/** metav1.Status errors with the API server's own reasons, codes and messages. */
import { type ResourceDef, qualifiedKind, qualifiedResource } from './resources.ts';

export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
}

/** An error the server answers as a `Status` object. */
export class KubeError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly details: StatusDetails | undefined;
  constructor(code: number, reason: string, message: string, details?: StatusDetails) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.details = details;
  }
  toStatus(): Record<string, unknown> {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

const detailsOf = (def: ResourceDef, name?: string): StatusDetails => ({
  ...(name !== undefined ? { name } : {}),
  ...(def.group ? { group: def.group } : {}),
  kind: def.resource,
});

export const notFound = (def: ResourceDef, name: string): KubeError =>
  new KubeError(404, 'NotFound', `${qualifiedResource(def)} "${name}" not found`, detailsOf(def, name));

export const alreadyExists = (def: ResourceDef, name: string): KubeError =>
  new KubeError(409, 'AlreadyExists', `${qualifiedResource(def)} "${name}" already exists`, detailsOf(def, name));

export const conflict = (def: ResourceDef, name: string, why: string): KubeError =>
  new KubeError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(def)} "${name}": ${why}`,
    detailsOf(def, name),
  );

export const modifiedConflict = (def: ResourceDef, name: string): KubeError =>
  conflict(def, name, 'the object has been modified; please apply your changes to the latest version and try again');

export const badRequest = (message: string): KubeError => new KubeError(400, 'BadRequest', message);

export const gone = (message: string): KubeError => new KubeError(410, 'Expired', message);

export const methodNotAllowed = (): KubeError =>
  new KubeError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');

/** The answer for a path no API serves. */
export const pathNotFound = (): KubeError =>
  new KubeError(404, 'NotFound', 'the server could not find the requested resource', {
    causes: [{ reason: 'UnexpectedServerResponse', message: '404 page not found' }],
  });

/** One field error, as k8s.io/apimachinery/pkg/util/validation/field renders it. */
export interface FieldError {
  field: string;
  reason: 'FieldValueRequired' | 'FieldValueInvalid' | 'FieldValueNotSupported' | 'FieldValueForbidden';
  /** e.g. `Required value` or `Invalid value: 70000: must be between 1 and 65535, inclusive`. */
  message: string;
}

export const invalid = (def: ResourceDef, name: string, errors: FieldError[]): KubeError => {
  const parts = errors.map((e) => `${e.field}: ${e.message}`);
  const list = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
  return new KubeError(422, 'Invalid', `${qualifiedKind(def)} "${name}" is invalid: ${list}`, {
    name,
    ...(def.group ? { group: def.group } : {}),
    kind: def.kind,
    causes: errors.map((e) => ({ reason: e.reason, message: e.message, field: e.field })),
  });
};

/** Go's %#v-ish rendering of a value in `Invalid value: …` messages. */
export const goValue = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v ?? null));
