import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { lazyRequestLogger } from './request-logger.ts';

function capture(level: string) {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  const logger = pino({ level, base: undefined, timestamp: false, redact: { paths: ['secret'], censor: 'x' } }, stream);
  return { logger, lines };
}

describe('request logger made on first use', () => {
  it('writes what the child logger writes, with the request id bound and redaction kept', () => {
    const lazy = capture('info');
    const real = capture('info');
    const a = lazyRequestLogger(lazy.logger, { reqId: 'r-1' }, {});
    const b = real.logger.child({ reqId: 'r-1' }, {});
    for (const l of [a, b]) {
      l.info({ secret: 's', n: 1 }, 'incoming request');
      l.warn('careful');
      l.child({ sub: true }).error('inner');
    }
    expect(lazy.lines).toEqual(real.lines);
    expect(lazy.lines[0]).toMatchObject({ reqId: 'r-1', secret: 'x', msg: 'incoming request' });
  });

  it('writes nothing below the server level, and the level still reads as the server level', () => {
    const { logger, lines } = capture('warn');
    const l = lazyRequestLogger(logger, { reqId: 'r-2' }, {});
    l.info('incoming request');
    l.debug('detail');
    expect(lines).toEqual([]);
    expect(l.level).toBe('warn');
    expect((l as unknown as { isLevelEnabled(level: string): boolean }).isLevelEnabled('info')).toBe(false);
    l.error('failed');
    expect(lines).toEqual([{ level: 50, reqId: 'r-2', msg: 'failed' }]);
  });

  it('gives a route with a level of its own its child at once', () => {
    const { logger, lines } = capture('warn');
    const l = lazyRequestLogger(logger, { reqId: 'r-3' }, { level: 'debug' });
    l.debug('shown');
    expect(lines).toEqual([{ level: 20, reqId: 'r-3', msg: 'shown' }]);
  });
});
