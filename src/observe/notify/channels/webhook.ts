import type { Sender } from './channel.ts';
import { httpSend } from './channel.ts';

/**
 * A generic webhook: the notice as JSON (coded title and message, with their English and Chinese renderings), and
 * `Authorization: Bearer <secrets.token>` when a token is given.
 */
export const webhookSender: Sender = (ctx) => {
  const spec = ctx.spec.webhook!;
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(spec.headers ?? {}) };
  if (ctx.secrets.token) headers.authorization = `Bearer ${ctx.secrets.token}`;
  const n = ctx.notice;
  return httpSend(ctx, spec.url, {
    headers,
    body: JSON.stringify({
      version: 'polis.notice/v1',
      kind: n.kind,
      id: n.id,
      status: n.status,
      ...(n.tenant !== undefined ? { department: n.tenant } : {}),
      severity: n.severity,
      owner: n.owner,
      ...(n.rule !== undefined ? { rule: n.rule } : {}),
      labels: n.labels,
      title: n.title,
      message: n.message,
      text: ctx.rendered.text,
      at: new Date(n.at).toISOString(),
    }),
  });
};
