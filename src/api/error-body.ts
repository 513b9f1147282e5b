import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorCause, ErrorReason } from '../kernel/errors.ts';
import { isPolisError } from '../kernel/errors.ts';
import type { Params } from '../kernel/messages/index.ts';
import { kubeStatusFields } from './kube/kube-status.ts';

/** The one error body every route returns. */
export interface StatusBody {
  readonly kind: 'Status';
  readonly code: number;
  readonly reason: ErrorReason;
  readonly message: string;
  readonly causes: readonly ErrorCause[];
  /** The message's code in the catalogue (src/kernel/messages) and its params, for clients that word it themselves. */
  readonly details?: { readonly code: string; readonly params?: Params };
  readonly requestId: string;
}

const FASTIFY_CODES: Record<
  string,
  { status: number; reason: ErrorReason; message: (e: FastifyError) => string; path?: string }
> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413,
    reason: 'RequestEntityTooLarge',
    message: () => 'the request body is larger than the limit (POLIS_BODY_LIMIT, 1 MiB by default)',
    path: '(body)',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    reason: 'UnsupportedMediaType',
    message: (e) => `${e.message}; send application/json, application/merge-patch+json (PATCH) or application/yaml`,
    path: '(content-type)',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: 400,
    reason: 'BadRequest',
    message: () => 'the body is empty; send a JSON or YAML document',
    path: '(body)',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    reason: 'BadRequest',
    message: () => 'Content-Length does not match the body',
    path: '(body)',
  },
  FST_ERR_NOT_FOUND: { status: 404, reason: 'NotFound', message: () => 'no such route' },
};

/** Maps any error to the uniform Status body; unexpected errors are logged and hidden behind a request id. */
export function errorBody(error: unknown, request: FastifyRequest): StatusBody {
  const requestId = String(request.id);
  if (isPolisError(error)) {
    // A 5xx is the server's fault: the log keeps the whole error, its I/O cause included (code, errno, cause).
    if (error.status >= 500) request.log.error({ err: error, causes: error.causes }, error.message);
    return {
      kind: 'Status',
      code: error.status,
      reason: error.reason,
      message: error.message,
      causes: error.causes,
      ...(error.detail
        ? { details: { code: error.detail.code, ...(error.detail.params ? { params: error.detail.params } : {}) } }
        : {}),
      requestId,
    };
  }
  const fe = error as FastifyError;
  const known = fe.code ? FASTIFY_CODES[fe.code] : undefined;
  if (known) {
    return {
      kind: 'Status',
      code: known.status,
      reason: known.reason,
      message: known.message(fe),
      causes: known.path ? [{ path: known.path, message: known.message(fe) }] : [],
      requestId,
    };
  }
  if (fe.validation) {
    const causes = fe.validation.map((v) => ({
      path: `${fe.validationContext ?? 'body'}${v.instancePath.replace(/\//g, '.')}`,
      message: v.message ?? 'invalid',
    }));
    return {
      kind: 'Status',
      code: 400,
      reason: 'BadRequest',
      message: `invalid request: ${causes.map((c) => `${c.path}: ${c.message}`).join('; ')}`,
      causes,
      requestId,
    };
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { kind: 'Status', code: fe.statusCode, reason: 'BadRequest', message: fe.message, causes: [], requestId };
  }
  request.log.error({ err: error }, 'unexpected error');
  return {
    kind: 'Status',
    code: 500,
    reason: 'InternalError',
    message: `internal error; the server log has details under request id ${requestId}`,
    causes: [],
    requestId,
  };
}

export function sendError(reply: FastifyReply, error: unknown): FastifyReply {
  const body = errorBody(error, reply.request);
  // The same body read as a Kubernetes meta/v1 Status (kubectl and client libraries print it).
  return reply
    .code(body.code)
    .type('application/json')
    .send({ ...body, ...kubeStatusFields(body) });
}
