import { ApiError, apiErrorFrom } from './api-error.ts';

/** Where the console keeps its credential; the session module owns reading and writing it. */
export interface TokenSource {
  token(): string | undefined;
  /** Called when the server refuses the credential (401): the session ends and the login page shows why. */
  onUnauthorized(error: ApiError): void;
}

let source: TokenSource = { token: () => undefined, onUnauthorized: () => {} };

/** Installs the session's token source (once, at start; tests install their own). */
export function setTokenSource(s: TokenSource): void {
  source = s;
}

/** Ends the session after a 401 seen outside `api()` (a watch refused because the token was revoked or expired). */
export function reportUnauthorized(error: ApiError): void {
  source.onUnauthorized(error);
}

export function authHeaders(token = source.token()): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

export interface RequestOptions {
  readonly method?: string;
  /** JSON-encoded unless a string (sent as YAML with `contentType`). */
  readonly body?: unknown;
  readonly contentType?: string;
  readonly signal?: AbortSignal;
  /** A token other than the session's (the login page checks one before keeping it). */
  readonly token?: string;
}

/**
 * One API call with the session's bearer token. Resolves with the parsed JSON body; rejects with an ApiError built
 * from the Status body (code, reason, message, causes), and tells the session when the token is refused.
 */
export async function api<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...authHeaders(opts.token ?? source.token()) };
  let body: string | undefined;
  if (opts.body !== undefined) {
    const raw = typeof opts.body === 'string';
    headers['content-type'] = opts.contentType ?? (raw ? 'application/yaml' : 'application/json');
    body = raw ? (opts.body as string) : JSON.stringify(opts.body);
  }
  let res: Response;
  try {
    res = await fetch(path, {
      method: opts.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      body,
      signal: opts.signal,
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'NetworkError', (e as Error).message);
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const error = apiErrorFrom(res.status, json, text);
    if (res.status === 401 && opts.token === undefined) source.onUnauthorized(error);
    throw error;
  }
  return json as T;
}

/** Query string from the defined, non-empty values. */
export function query(params: Record<string, string | number | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
