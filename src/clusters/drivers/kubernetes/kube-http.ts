import http from 'node:http';
import https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import { ClusterUnreachableError } from '../../driver.ts';

/** One answer of the API server. `body` is the parsed JSON, or undefined when the answer was not JSON. */
export interface KubeResponse {
  readonly status: number;
  readonly body: unknown;
  readonly text: string;
}

export interface RequestOptions {
  readonly body?: unknown;
  readonly contentType?: string;
  readonly timeoutMs?: number;
}

/** One line of a watch: ADDED, MODIFIED, DELETED, BOOKMARK or ERROR with its object. */
export interface WatchEvent {
  readonly type: string;
  readonly object: Record<string, unknown>;
}

export interface WatchHandlers {
  /** The server accepted the watch (200): events follow. */
  onOpen(): void;
  onEvent(event: WatchEvent): void;
  /** The stream ended: normally (undefined), refused (a response), or broken (ClusterUnreachableError). */
  onEnd(end: KubeResponse | ClusterUnreachableError | undefined): void;
}

/** What the transport tells its owner about the cluster's reachability, for the watch cache's trust. */
export interface ContactListener {
  heard(): void;
  lost(error: ClusterUnreachableError): void;
}

const IDLE_SOCKET_MS = 4000;
const CREDENTIALS_REFUSED = 'credentials refused (401): renew the token';

/**
 * HTTP to one cluster's API server. @kubernetes/client-node reads the kubeconfig and turns it into TLS options
 * and an Authorization header (token, client certificate or basic); the requests themselves go through Node's
 * http(s) with keep-alive, so that every request can be timed out, counted and mapped the same way. Timeouts,
 * connection failures, 401 and a gateway or API server that cannot serve (502–504) throw ClusterUnreachableError
 * naming this cluster; every other answer is returned for the caller to judge.
 */
export class KubeHttp {
  readonly cluster: string;
  readonly server: string;
  private readonly timeoutMs: number;
  private readonly lib: typeof http | typeof https;
  private readonly agent: http.Agent;
  private readonly headers: Record<string, string>;
  private readonly auth: string | undefined;
  private readonly contact: ContactListener;

  private constructor(
    cluster: string,
    server: string,
    timeoutMs: number,
    tls: https.RequestOptions,
    contact: ContactListener,
  ) {
    this.cluster = cluster;
    this.server = server;
    this.timeoutMs = timeoutMs;
    this.contact = contact;
    const secure = server.startsWith('https:');
    this.lib = secure ? https : http;
    // A keep-alive agent of our own: the one the library builds does not keep connections, and a reconcile of
    // many applications would otherwise open a connection per request. Idle connections are closed after 4 s,
    // before a server's own idle timeout (Node's 5 s) can close one just as it is reused.
    this.agent = secure
      ? new https.Agent({
          keepAlive: true,
          timeout: IDLE_SOCKET_MS,
          maxSockets: 32,
          ca: tls.ca,
          cert: tls.cert,
          key: tls.key,
          servername: tls.servername,
          rejectUnauthorized: tls.rejectUnauthorized,
        })
      : new http.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS, maxSockets: 32 });
    const headers: Record<string, string> = { Accept: 'application/json' };
    for (const [k, v] of Object.entries(tls.headers ?? {})) if (typeof v === 'string') headers[k] = v;
    this.headers = headers;
    this.auth = typeof tls.auth === 'string' ? tls.auth : undefined;
  }

  /** Builds the transport from a kubeconfig already checked by parseKubeconfig (one context). */
  static async create(
    cluster: string,
    kubeconfig: string,
    timeoutMs: number,
    contact: ContactListener,
  ): Promise<KubeHttp> {
    const loaded = new KubeConfig();
    loaded.loadFromString(kubeconfig);
    const current = loaded.getCurrentCluster();
    if (!current) throw new ClusterUnreachableError(cluster, 'the kubeconfig names no cluster');
    const kc = new KubeConfig();
    // Plain http is for local API servers (and tests): the library refuses it unless TLS checks are off.
    kc.loadFromClusterAndUser(
      { ...current, skipTLSVerify: current.skipTLSVerify || current.server.startsWith('http:') },
      loaded.getCurrentUser()!,
    );
    const tls: https.RequestOptions = {};
    await kc.applyToHTTPSOptions(tls);
    return new KubeHttp(cluster, current.server.replace(/\/+$/, ''), timeoutMs, tls, contact);
  }

  /** One request; resolves with any answer but 401 and 502–504, which throw like a lost connection. */
  request(method: string, path: string, opts: RequestOptions = {}): Promise<KubeResponse> {
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    const payload =
      opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    const headers: Record<string, string> = { ...this.headers };
    if (payload !== undefined) {
      headers['Content-Type'] = opts.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    const what = `${method} ${path.split('?')[0]}`;
    return new Promise<KubeResponse>((resolve, reject) => {
      let settled = false;
      const fail = (message: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const e = new ClusterUnreachableError(this.cluster, message);
        this.contact.lost(e);
        reject(e);
      };
      const send = (attempt: number) => {
        const req = this.lib.request(
          `${this.server}${path}`,
          { method, headers, agent: this.agent, ...(this.auth ? { auth: this.auth } : {}) },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('error', (e) => fail(`${e.message} (${what})`));
            res.on('end', () => {
              if (settled) return;
              const text = Buffer.concat(chunks).toString('utf8');
              const answer = { status: res.statusCode ?? 0, body: parseJson(text), text };
              const refused = unusable(answer);
              if (refused !== undefined) return fail(refused);
              settled = true;
              clearTimeout(timer);
              this.contact.heard();
              resolve(answer);
            });
          },
        );
        current = req;
        req.on('error', (e: NodeJS.ErrnoException) => {
          // A kept-alive connection the server closed just as it was reused: every request polis makes is
          // idempotent (GET, server-side apply, DELETE), so it is sent again (on another connection).
          if (attempt < 3 && !settled && req.reusedSocket && e.code === 'ECONNRESET') return send(attempt + 1);
          fail(
            `${e.message || String(e)} (${what}${req.reusedSocket ? `, kept-alive connection, attempt ${attempt + 1}` : ''})`,
          );
        });
        req.end(payload);
      };
      let current: http.ClientRequest | undefined;
      const timer = setTimeout(() => {
        current?.destroy();
        fail(`no answer within ${timeoutMs} ms (${what})`);
      }, timeoutMs);
      send(0);
    });
  }

  /**
   * A watch: a GET whose answer is a stream of JSON lines. A stream that says nothing for `idleMs` is ended
   * quietly (onEnd with undefined), not as a fault: a real API server sends bookmarks only on resource types that
   * had events, so a quiet type's watch is silent for good. The caller opens it again from its last version; a
   * connection that hangs is caught then, when the new watch gets no answer within the request timeout. Returns a
   * function that stops the watch; onEnd is not called after it.
   */
  watch(path: string, idleMs: number, handlers: WatchHandlers): () => void {
    let done = false;
    let opened = false;
    let idle: NodeJS.Timeout | undefined;
    const end = (why: KubeResponse | ClusterUnreachableError | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(idle);
      req.destroy();
      if (why instanceof ClusterUnreachableError) this.contact.lost(why);
      handlers.onEnd(why);
    };
    const arm = (ms: number, message: string | undefined) => {
      clearTimeout(idle);
      idle = setTimeout(
        () => end(message === undefined ? undefined : new ClusterUnreachableError(this.cluster, message)),
        ms,
      );
    };
    const req = this.lib.request(
      `${this.server}${path}`,
      { method: 'GET', headers: this.headers, agent: this.agent, ...(this.auth ? { auth: this.auth } : {}) },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status !== 200) {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const answer = { status, body: parseJson(text), text };
            const refused = unusable(answer);
            end(refused !== undefined ? new ClusterUnreachableError(this.cluster, refused) : answer);
          });
          return;
        }
        opened = true;
        this.contact.heard();
        handlers.onOpen();
        arm(idleMs, undefined);
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (done) return;
          this.contact.heard();
          arm(idleMs, undefined);
          buffer += chunk;
          let nl: number;
          while ((nl = buffer.indexOf('\n')) >= 0 && !done) {
            const line = buffer.slice(0, nl).trim();
            buffer = buffer.slice(nl + 1);
            const event = line === '' ? undefined : parseJson(line);
            if (isEvent(event)) handlers.onEvent(event);
          }
        });
        res.on('end', () => end(undefined));
        res.on('error', (e) => end(new ClusterUnreachableError(this.cluster, e.message)));
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) => {
      // A kept-alive connection closed by the server as it was reused: the watch simply ends and is opened again.
      if (!opened && req.reusedSocket && e.code === 'ECONNRESET') return end(undefined);
      end(new ClusterUnreachableError(this.cluster, e.message || String(e)));
    });
    arm(this.timeoutMs, `no answer within ${this.timeoutMs} ms (watch ${path.split('?')[0]})`);
    req.end();
    return () => {
      done = true;
      clearTimeout(idle);
      req.destroy();
    };
  }

  /**
   * A GET whose answer is a text stream (a followed pod log): resolves once the server answers, with a function
   * that stops it when it answered 200 (then `onLine` gets each line, `onEnd` once when the stream ends by itself),
   * else with the answer. No idle limit: a quiet log is not a fault.
   */
  streamLines(
    path: string,
    onLine: (line: string) => void,
    onEnd: () => void,
  ): Promise<{ stop: () => void } | KubeResponse> {
    return new Promise((resolve, reject) => {
      let done = false;
      const timer = setTimeout(() => {
        req.destroy();
        reject(
          new ClusterUnreachableError(
            this.cluster,
            `no answer within ${this.timeoutMs} ms (GET ${path.split('?')[0]})`,
          ),
        );
      }, this.timeoutMs);
      const req = this.lib.request(
        `${this.server}${path}`,
        { method: 'GET', headers: { ...this.headers, Accept: '*/*' }, ...(this.auth ? { auth: this.auth } : {}) },
        (res) => {
          clearTimeout(timer);
          const status = res.statusCode ?? 0;
          if (status !== 200) {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              const answer = { status, body: parseJson(text), text };
              const refused = unusable(answer);
              if (refused !== undefined) reject(new ClusterUnreachableError(this.cluster, refused));
              else resolve(answer);
            });
            return;
          }
          this.contact.heard();
          let buffer = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            buffer += chunk;
            let nl: number;
            while ((nl = buffer.indexOf('\n')) >= 0 && !done) {
              onLine(buffer.slice(0, nl));
              buffer = buffer.slice(nl + 1);
            }
          });
          const finish = () => {
            if (done) return;
            done = true;
            onEnd();
          };
          res.on('end', finish);
          res.on('error', finish);
          resolve({
            stop: () => {
              done = true;
              req.destroy();
            },
          });
        },
      );
      req.on('error', (e) => {
        clearTimeout(timer);
        if (!done) reject(new ClusterUnreachableError(this.cluster, e.message || String(e)));
      });
      req.end();
    });
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.agent.destroy();
  }
}

/** Why an answer means the cluster cannot be used right now, or undefined when it is the caller's to judge. */
function unusable(answer: KubeResponse): string | undefined {
  if (answer.status === 401) return CREDENTIALS_REFUSED;
  if (answer.status >= 502 && answer.status <= 504) {
    const message = statusMessage(answer);
    return `the API server answered ${answer.status}${message ? `: ${message}` : ''}`;
  }
  return undefined;
}

/** The message of a Kubernetes Status answer, else the text. */
export function statusMessage(answer: KubeResponse): string {
  const body = answer.body as { message?: unknown } | undefined;
  if (body && typeof body.message === 'string' && body.message !== '') return body.message;
  return answer.text.trim().slice(0, 500);
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isEvent(v: unknown): v is WatchEvent {
  const e = v as { type?: unknown; object?: unknown } | undefined;
  return !!e && typeof e.type === 'string' && typeof e.object === 'object' && e.object !== null;
}
