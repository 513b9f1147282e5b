import { stdSerializers } from 'pino';
import type { Config } from './config.ts';

const REDACTED = '[redacted]';

/** Query parameters that carry credentials (OAuth, OIDC, signed URLs, API keys); their values never reach a log. */
const CREDENTIAL_PARAMS = new Set([
  'access_token',
  'id_token',
  'refresh_token',
  'token',
  'code',
  'password',
  'passwd',
  'secret',
  'client_secret',
  'api_key',
  'apikey',
  'key',
  'auth',
  'authorization',
  'jwt',
  'session',
  'sig',
  'signature',
  'x-amz-signature',
  'x-amz-credential',
  'x-amz-security-token',
]);

/**
 * Credentials recognised by their shape wherever they appear in logged text: polis API tokens, JWTs, and the value
 * after `Bearer` or `Basic`.
 */
const CREDENTIAL_SHAPES: readonly RegExp[] = [
  /polis_[A-Za-z0-9_-]{8,}/g,
  /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g,
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi,
];

/** `text` with every credential-shaped substring replaced. */
export function scrubCredentials(text: string): string {
  let out = text;
  for (const shape of CREDENTIAL_SHAPES)
    out = out.replace(shape, (m) => (/^(Bearer|Basic)\s/i.test(m) ? `${m.split(/\s+/)[0]} ${REDACTED}` : REDACTED));
  return out;
}

/**
 * A request URL fit for a log: the values of credential parameters (`?access_token=…`, `token`, `password` …) and
 * anything shaped like a credential are replaced; the path and other parameters stay readable.
 */
export function sanitizeUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return scrubCredentials(url);
  const hashAt = url.indexOf('#', q);
  const query = url.slice(q + 1, hashAt < 0 ? undefined : hashAt);
  const params = query.split('&').map((pair) => {
    const eq = pair.indexOf('=');
    if (eq < 0) return pair;
    let name: string;
    try {
      name = decodeURIComponent(pair.slice(0, eq).replace(/\+/g, ' ')).toLowerCase();
    } catch {
      name = pair.slice(0, eq).toLowerCase();
    }
    return CREDENTIAL_PARAMS.has(name) ? `${pair.slice(0, eq)}=${REDACTED}` : pair;
  });
  return scrubCredentials(`${url.slice(0, q)}?${params.join('&')}${hashAt < 0 ? '' : url.slice(hashAt)}`);
}

/** Header names whose values are credentials, lower case as Node gives them. */
const SECRET_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'x-auth-token'];
/** Field names that hold credentials in logged objects (bodies, errors' details), one level below any key. */
const SECRET_FIELDS = [
  'password',
  'token',
  'accessToken',
  'access_token',
  'idToken',
  'id_token',
  'refreshToken',
  'secret',
  'secretHash',
  'clientSecret',
  'stringData',
  'kubeconfig',
  'privateKey',
];

/** The redact paths handed to pino: headers wherever a request or response is logged, and secret-named fields. */
export const REDACT_PATHS: readonly string[] = [
  ...SECRET_HEADERS.flatMap((h) => [`req.headers["${h}"]`, `res.headers["${h}"]`, `headers["${h}"]`]),
  ...SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `body.*.${f}`, `req.body.${f}`]),
  'req.body.data',
  'body.data',
];

interface LoggedRequest {
  readonly method?: string;
  readonly url?: string;
  readonly host?: string;
  readonly hostname?: string;
  readonly ip?: string;
  readonly headers?: Record<string, unknown>;
  readonly socket?: { readonly remotePort?: number };
}

/**
 * Fastify/pino logger options: JSON lines, request ids, and credentials never written. Requests are logged with
 * the URL sanitised (query-string tokens), headers and secret-named fields are redacted by pino, and error messages
 * and stacks are scrubbed of anything shaped like a token.
 */
export function loggerOptions(level: Config['logLevel']) {
  return {
    level,
    redact: { paths: [...REDACT_PATHS], censor: REDACTED },
    serializers: {
      req(req: LoggedRequest) {
        return {
          method: req.method,
          url: req.url === undefined ? undefined : sanitizeUrl(req.url),
          host: req.host ?? req.hostname,
          remoteAddress: req.ip,
          remotePort: req.socket?.remotePort,
        };
      },
      err(err: Error) {
        // pino's own serializer keeps code, errno, syscall and the cause chain (an I/O cause stays visible).
        const out = stdSerializers.err(err);
        return { ...out, message: scrubCredentials(out.message ?? ''), stack: scrubCredentials(out.stack ?? '') };
      },
    },
  };
}
