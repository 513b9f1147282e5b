import type { Message } from './messages/index.ts';
import { isKnownCode, msg } from './messages/index.ts';

/**
 * Named errors. Domains throw these; one edge mapper (api/error-handler.ts) turns them into the uniform body
 * `{kind: 'Status', status, reason, message, details}`. A `cause` (field path and problem) is attached wherever
 * the fault lies in the input, so a person can find and fix it.
 */
export interface ErrorCause {
  /** Dotted path into the input, e.g. `spec.quota.cpu` or `metadata.name`. */
  readonly path: string;
  /** A stable code for the problem (e.g. `MaxDepthExceeded`), for clients that render their own message. */
  readonly code?: string;
  /** The code's parameters (limits, names), so a client can word the message itself. */
  readonly params?: Readonly<Record<string, string | number>>;
  /** The English fallback. */
  readonly message: string;
}

/**
 * A cause as one coded message: "{path}: {detail}", the detail its own code where it has one (an External text
 * where it has none yet).
 */
export function causeDetail(c: ErrorCause): Message {
  const detail: Message =
    c.code && isKnownCode(c.code)
      ? { code: c.code, ...(c.params ? { params: c.params } : {}), message: c.message }
      : msg('External', { text: c.message });
  return c.path ? msg('AtPath', { path: c.path, detail }) : detail;
}

export type ErrorReason =
  | 'BadRequest'
  | 'Invalid'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Forbidden'
  | 'Unauthorized'
  | 'Gone'
  | 'Expired'
  | 'ResourceVersionTooLarge'
  | 'TooManyRequests'
  | 'Timeout'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'MethodNotAllowed'
  | 'QuotaExceeded'
  | 'ServiceUnavailable'
  | 'InternalError';

/**
 * Every named error. Given a coded message (`msg('QuotaWouldExceed', {…})`), it carries the code and params so a
 * client renders it in its reader's language; given a string, the English is all there is (to be coded).
 */
export abstract class PolisError extends Error {
  abstract readonly status: number;
  abstract readonly reason: ErrorReason;
  readonly causes: readonly ErrorCause[];
  /** The message, coded (absent for an error still thrown with English only). */
  readonly detail?: Message;
  constructor(message: string | Message, causes: readonly ErrorCause[] = []) {
    super(typeof message === 'string' ? message : message.message);
    this.name = new.target.name;
    this.causes = causes;
    if (typeof message !== 'string') this.detail = message;
  }
}

/** A cause as a message (to name it inside a sentence): its code when it has one, else its English as it came. */
export function causeMessage(c: ErrorCause): Message {
  return c.code
    ? { code: c.code, ...(c.params ? { params: c.params } : {}), message: c.message }
    : msg('External', { text: c.message });
}

/** A cause from a coded message: its code, params and English at `path`. */
export function codedCause(path: string, m: Message): ErrorCause {
  return {
    path,
    code: m.code,
    ...(m.params ? { params: m.params as Readonly<Record<string, string | number>> } : {}),
    message: m.message,
  };
}

/** The request is malformed or a field is wrong (400; 422 when the document parsed but is invalid). */
export class InputError extends PolisError {
  readonly status: number;
  readonly reason: ErrorReason;
  constructor(message: string | Message, causes: readonly ErrorCause[] = [], opts: { invalid?: boolean } = {}) {
    super(message, causes);
    this.status = opts.invalid ? 422 : 400;
    this.reason = opts.invalid ? 'Invalid' : 'BadRequest';
  }
}

export class NotFoundError extends PolisError {
  readonly status = 404;
  readonly reason = 'NotFound' as const;
}

export class AlreadyExistsError extends PolisError {
  readonly status = 409;
  readonly reason = 'AlreadyExists' as const;
}

/** A write based on a stale resourceVersion, or a state that forbids the change. */
export class ConflictError extends PolisError {
  readonly status = 409;
  readonly reason = 'Conflict' as const;
}

export class NotAllowedError extends PolisError {
  readonly status = 403;
  readonly reason = 'Forbidden' as const;
}

export class QuotaExceededError extends PolisError {
  readonly status = 403;
  readonly reason = 'QuotaExceeded' as const;
}

export class AuthenticationError extends PolisError {
  readonly status = 401;
  readonly reason = 'Unauthorized' as const;
}

/** A watch or continue token refers to history that has been compacted away. */
export class GoneError extends PolisError {
  readonly status = 410;
  readonly reason = 'Gone' as const;
}

/**
 * A list's continue token is older than the change history the store keeps (Kubernetes: 410 with reason Expired,
 * which client-go's pager answers by listing again from the start).
 */
export class ExpiredError extends PolisError {
  readonly status = 410;
  readonly reason = 'Expired' as const;
}

/**
 * A watch asked to start after a revision the store has not reached (Kubernetes: "Too large resource version").
 * Kubernetes answers 504 because its watch cache may lag; polis checks the store itself, so the revision is the
 * client's mistake (a revision from another server, or from before a restore): list again and watch from its revision.
 */
export class ResourceVersionTooLargeError extends PolisError {
  readonly status = 400;
  readonly reason = 'ResourceVersionTooLarge' as const;
}

/** A per-user limit is reached (concurrent watches); try again when one ends. */
export class TooManyRequestsError extends PolisError {
  readonly status = 429;
  readonly reason = 'TooManyRequests' as const;
}

/** The client took too long to send its request (a body arriving slowly). */
export class RequestTimeoutError extends PolisError {
  readonly status = 408;
  readonly reason = 'Timeout' as const;
}

export class PayloadTooLargeError extends PolisError {
  readonly status = 413;
  readonly reason = 'RequestEntityTooLarge' as const;
}

export class UnsupportedMediaTypeError extends PolisError {
  readonly status = 415;
  readonly reason = 'UnsupportedMediaType' as const;
}

export class MethodNotAllowedError extends PolisError {
  readonly status = 405;
  readonly reason = 'MethodNotAllowed' as const;
}

export class UnavailableError extends PolisError {
  readonly status = 503;
  readonly reason = 'ServiceUnavailable' as const;
}

export function isPolisError(e: unknown): e is PolisError {
  return e instanceof PolisError;
}
