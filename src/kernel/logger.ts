import type { Config } from './config.ts';

/** Fastify/pino logger options: JSON lines, request ids, and credentials never written. */
export function loggerOptions(level: Config['logLevel']) {
  return {
    level,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization'],
      censor: '[redacted]',
    },
  };
}
