import type { FastifyReply, FastifyRequest } from 'fastify';
import { RequestTimeoutError } from '../kernel/errors.ts';
import { sendError } from './error-body.ts';

/**
 * Answers 408 and closes the connection when a request's body has not fully arrived `ms` after its headers, so a
 * client dribbling a body cannot hold a connection (and the memory of a half-read body) for ever. Called from the
 * first onRequest hook, before authentication, so it covers every route; a request without a body is untouched.
 */
export function armBodyTimeout(req: FastifyRequest, reply: FastifyReply, ms: number): void {
  const raw = req.raw;
  const length = raw.headers['content-length'];
  const hasBody = (length !== undefined && length !== '0') || raw.headers['transfer-encoding'] !== undefined;
  if (!hasBody || raw.complete) return;
  const timer = setTimeout(() => {
    if (raw.complete || reply.sent) return;
    reply.header('connection', 'close');
    sendError(
      reply,
      new RequestTimeoutError(`the request body did not arrive within ${ms} ms`, [
        { path: '(body)', message: `send the whole body within ${ms} ms of the headers (POLIS_REQUEST_TIMEOUT_MS)` },
      ]),
    );
    // The rest of the body is not waited for: the connection closes once the answer is written.
    reply.raw.once('finish', () => raw.socket?.destroy());
  }, ms);
  timer.unref();
  const clear = () => clearTimeout(timer);
  raw.once('end', clear);
  reply.raw.once('close', clear);
  reply.raw.once('finish', clear);
}
