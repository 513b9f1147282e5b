import type { Params } from '../../../src/kernel/messages/index.ts';

/** One problem of a refused request, at a path such as `spec.components[0].type` (a Status body's cause). */
export interface Cause {
  readonly path: string;
  readonly message: string;
  /** The problem's code in the catalogue (src/kernel/messages) and its params, when the server coded it. */
  readonly code?: string;
  readonly params?: Params;
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
  /** The message's code and params (the Status body's `details`), when the server coded it. */
  readonly details?: { readonly code: string; readonly params?: Params };

  constructor(
    code: number,
    reason: string,
    message: string,
    causes: readonly Cause[] = [],
    requestId?: string,
    details?: { readonly code: string; readonly params?: Params },
  ) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.reason = reason;
    this.causes = causes;
    this.requestId = requestId;
    if (details) this.details = details;
  }
}

interface StatusBody {
  kind?: unknown;
  code?: unknown;
  reason?: unknown;
  message?: unknown;
  causes?: unknown;
  details?: { causes?: unknown; code?: unknown; params?: unknown };
  requestId?: unknown;
}

function causesOf(raw: unknown): Cause[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((c: { path?: unknown; field?: unknown; message?: unknown; code?: unknown; params?: unknown }) => {
    const path = typeof c?.path === 'string' ? c.path : typeof c?.field === 'string' ? c.field : '';
    const message = typeof c?.message === 'string' ? c.message : '';
    const coded = typeof c?.code === 'string' ? { code: c.code, ...paramsOf(c.params) } : {};
    return path || message ? [{ path, message, ...coded }] : [];
  });
}

function paramsOf(raw: unknown): { params?: Params } {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? { params: raw as Params } : {};
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
  const details =
    typeof s.details?.code === 'string' ? { code: s.details.code, ...paramsOf(s.details.params) } : undefined;
  return new ApiError(
    code,
    reason,
    message,
    causes,
    typeof s.requestId === 'string' ? s.requestId : undefined,
    details,
  );
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

/** The ApiError of a failed response, from its Status body when it has one (the body is read). */
export async function responseError(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return apiErrorFrom(res.status, body, text);
}
