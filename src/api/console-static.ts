import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { landingPage } from './landing-page.ts';

const gzipAsync = promisify(gzip);

/** Where `npm run build:web` writes the console. */
export const CONSOLE_DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/**
 * Paths that belong to the API and the server itself: never answered with the console's index.html, so that a
 * mistyped API path still gets the API's 404 Status.
 */
const SERVER_PREFIXES = ['/api', '/apis', '/healthz', '/readyz', '/metrics', '/version', '/openapi.json', '/docs'];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.svg', '.json', '.txt', '.map']);

/**
 * The console's page may run only its own scripts and talk only to polis; it may not be framed (clickjacking).
 * Inline styles are allowed: Ant Design, CodeMirror and xyflow write them.
 */
const PAGE_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Built files under `assets/` carry a content hash in their names: cached for a year, never revalidated. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

interface Cached {
  readonly mtimeMs: number;
  readonly size: number;
  readonly body: Buffer;
  readonly gzipped?: Buffer;
}

export interface ConsoleOptions {
  /** The built console (default web/dist). */
  readonly dir?: string;
  readonly version: string;
}

export function isServerPath(path: string): boolean {
  return SERVER_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`));
}

/**
 * Serves the console (web/dist) at `/`: hashed assets with a long cache, `index.html` with `no-cache` (so a new
 * build is picked up at the next load), and index.html for any other GET path that is not an API, health or docs
 * route (the console's own routes, such as /applications/edu/portal). Text files are gzipped once and kept in
 * memory, keyed by the file's mtime and size, so a rebuild while polis runs is served without a restart. When the
 * console has not been built, `/` keeps the landing page, with a line saying how to build it.
 */
export function registerConsole(app: FastifyInstance, opts: ConsoleOptions): void {
  const dir = normalize(opts.dir ?? CONSOLE_DIST);
  const cache = new Map<string, Cached>();
  const route = { config: { public: true }, schema: { hide: true } };

  const load = async (file: string): Promise<Cached | undefined> => {
    let st;
    try {
      st = await stat(file);
    } catch {
      return undefined;
    }
    if (!st.isFile()) return undefined;
    const held = cache.get(file);
    if (held && held.mtimeMs === st.mtimeMs && held.size === st.size) return held;
    const body = await readFile(file);
    const ext = extname(file);
    const gzipped = COMPRESSIBLE.has(ext) && body.length > 1024 ? await gzipAsync(body, { level: 9 }) : undefined;
    const entry: Cached = { mtimeMs: st.mtimeMs, size: st.size, body, ...(gzipped ? { gzipped } : {}) };
    cache.set(file, entry);
    return entry;
  };

  const send = (req: FastifyRequest, reply: FastifyReply, file: string, entry: Cached, cacheControl: string) => {
    reply.header('cache-control', cacheControl);
    reply.header('vary', 'accept-encoding');
    reply.header('x-content-type-options', 'nosniff');
    reply.type(TYPES[extname(file)] ?? 'application/octet-stream');
    const accepts = String(req.headers['accept-encoding'] ?? '');
    if (entry.gzipped && /\bgzip\b/.test(accepts)) {
      reply.header('content-encoding', 'gzip');
      return reply.send(entry.gzipped);
    }
    return reply.send(entry.body);
  };

  const serveIndex = async (req: FastifyRequest, reply: FastifyReply) => {
    const index = join(dir, 'index.html');
    const entry = await load(index);
    if (!entry) {
      return reply
        .header('cache-control', 'no-cache')
        .type('text/html; charset=utf-8')
        .send(landingPage(opts.version, { consoleMissing: true }));
    }
    reply.header('content-security-policy', PAGE_POLICY);
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'same-origin');
    return send(req, reply, index, entry, 'no-cache');
  };

  app.get('/', route, serveIndex);
  app.get('/*', route, async (req, reply) => {
    let path: string;
    try {
      path = decodeURIComponent(req.url.split('?')[0]!);
    } catch {
      return reply.callNotFound();
    }
    if (isServerPath(path)) return reply.callNotFound();
    const file = normalize(join(dir, path));
    if (file.startsWith(dir.endsWith(sep) ? dir : dir + sep) && extname(path) !== '') {
      const entry = await load(file);
      if (entry) return send(req, reply, file, entry, path.startsWith('/assets/') ? IMMUTABLE : 'public, max-age=3600');
      // A missing asset is a 404, not the console (a stale index.html asking for an old chunk must fail visibly).
      return reply.callNotFound();
    }
    return serveIndex(req, reply);
  });
}

/** True when the console has been built (the composition root says so at start). */
export function consoleBuilt(dir: string = CONSOLE_DIST): boolean {
  return existsSync(join(dir, 'index.html'));
}
