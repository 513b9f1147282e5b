/** One problem of a refused request, at a path such as `spec.components[0].type` (a Status body's cause). */
export interface Cause {
  readonly path: string;
  readonly message: string;
}

/**
 * A refused or failed API call, from the uniform Status body polis answers with (docs/api.md, "Errors"): HTTP
 * code, reason (`Invalid`, `Forbidden`, `QuotaExceeded` …), the server's message and every cause with its path.
 */
export class ApiError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly causes: readonly Cause[];
  readonly requestId?: string;

  constructor(code: number, reason: string, message: string, causes: readonly Cause[] = [], requestId?: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.reason = reason;
    this.causes = causes;
    this.requestId = requestId;
  }
}

interface StatusBody {
  kind?: unknown;
  code?: unknown;
  reason?: unknown;
  message?: unknown;
  causes?: unknown;
  details?: { causes?: unknown };
  requestId?: unknown;
}

function causesOf(raw: unknown): Cause[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((c: { path?: unknown; field?: unknown; message?: unknown }) => {
    const path = typeof c?.path === 'string' ? c.path : typeof c?.field === 'string' ? c.field : '';
    const message = typeof c?.message === 'string' ? c.message : '';
    return path || message ? [{ path, message }] : [];
  });
}

/** The ApiError a response body describes; a body that is not a Status still gives the HTTP code and its text. */
export function apiErrorFrom(httpStatus: number, body: unknown, fallbackText = ''): ApiError {
  const s = (typeof body === 'object' && body !== null ? body : {}) as StatusBody;
  const code = typeof s.code === 'number' ? s.code : httpStatus;
  const reason = typeof s.reason === 'string' ? s.reason : httpReason(httpStatus);
  const message =
    typeof s.message === 'string' && s.message !== ''
      ? s.message
      : fallbackText.trim().slice(0, 500) || `${httpStatus} ${reason}`;
  const causes = causesOf(s.causes ?? s.details?.causes);
  return new ApiError(code, reason, message, causes, typeof s.requestId === 'string' ? s.requestId : undefined);
}

function httpReason(status: number): string {
  if (status === 0) return 'NetworkError';
  if (status === 401) return 'Unauthorized';
  if (status === 403) return 'Forbidden';
  if (status === 404) return 'NotFound';
  if (status === 409) return 'Conflict';
  if (status === 410) return 'Gone';
  if (status === 422) return 'Invalid';
  if (status >= 500) return 'InternalError';
  return 'BadRequest';
}

/** Any thrown value as an ApiError (network failures become code 0, `NetworkError`). */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new ApiError(0, 'NetworkError', message);
}
