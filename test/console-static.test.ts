import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isServerPath, registerConsole } from '../src/api/console-static.ts';

/** How polis serves the built console (src/api/console-static.ts), on a folder of its own. */
let dir: string;
let app: FastifyInstance;
const BIG = `console.log(${JSON.stringify('x'.repeat(4000))});`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'polis-console-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), BIG);
  writeFileSync(join(dir, 'favicon.svg'), '<svg/>');
  app = Fastify();
  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ kind: 'Status', code: 404 }));
  registerConsole(app, { dir, version: 'test' });
  app.get('/apis/polis.io/v1/clusters', async () => ({ kind: 'ClusterList' }));
  await app.ready();
});

afterAll(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the console served by polis', () => {
  it('serves index.html at / without caching, so that a new build shows at the next load', async () => {
    const r = await app.inject({ method: 'GET', url: '/' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('text/html');
    expect(r.headers['cache-control']).toBe('no-cache');
    // Its own scripts only, polis only, never in a frame.
    expect(r.headers['content-security-policy']).toContain("script-src 'self'");
    expect(r.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(r.headers['x-frame-options']).toBe('DENY');
  });

  it('serves hashed assets for a year, gzipped for browsers that accept it', async () => {
    const r = await app.inject({
      method: 'GET',
      url: '/assets/index-abc123.js',
      headers: { 'accept-encoding': 'gzip, br' },
    });
    expect(r.statusCode).toBe(200);
    expect(r.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(r.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(r.rawPayload).toString()).toBe(BIG);
    const plain = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(BIG);
  });

  it('answers any console path with index.html (the console routes in the browser)', async () => {
    for (const url of ['/applications', '/applications/edu/portal?tab=yaml', '/clusters/gov-east']) {
      const r = await app.inject({ method: 'GET', url });
      expect(r.statusCode, url).toBe(200);
      expect(r.body).toContain('<div id="root">');
    }
  });

  it('leaves API, health and docs paths to the API: a wrong one is the API’s 404, never the console', async () => {
    expect((await app.inject({ method: 'GET', url: '/apis/polis.io/v1/clusters' })).json()).toEqual({
      kind: 'ClusterList',
    });
    for (const url of ['/apis/nope', '/api/v1/nothing', '/healthz/x', '/docs/x', '/assets/missing-123.js']) {
      const r = await app.inject({ method: 'GET', url });
      expect(r.statusCode, url).toBe(404);
      expect(r.json(), url).toEqual({ kind: 'Status', code: 404 });
    }
    expect(isServerPath('/apis')).toBe(true);
    expect(isServerPath('/application')).toBe(false);
    expect(isServerPath('/apiserver')).toBe(false);
  });

  it('never serves a file outside the console folder', async () => {
    const r = await app.inject({ method: 'GET', url: '/..%2f..%2fetc%2fpasswd' });
    expect(r.body).not.toContain('root:');
  });

  it('keeps the landing page, saying how to build the console, when it has not been built', async () => {
    const bare = Fastify();
    registerConsole(bare, { dir: join(dir, 'nothing-here'), version: '9.9.9' });
    const r = await bare.inject({ method: 'GET', url: '/' });
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('npm run build:web');
    expect(r.body).toContain('9.9.9');
    await bare.close();
  });
});
