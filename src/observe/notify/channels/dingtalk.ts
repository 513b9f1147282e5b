import { createHmac } from 'node:crypto';
import type { Sender } from './channel.ts';
import { httpSend, withQuery } from './channel.ts';

/**
 * DingTalk's signature of a custom robot's request ("加签"): base64 of HMAC-SHA256, keyed by the secret, of
 * `timestamp + "\n" + secret`, where timestamp is epoch milliseconds; sent URL-encoded as `sign` beside `timestamp`.
 */
export function dingtalkSign(timestamp: number, secret: string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`, 'utf8').digest('base64');
}

/**
 * A DingTalk custom robot: a Markdown message to its webhook (`https://oapi.dingtalk.com/robot/send?access_token=…`).
 * `secrets.accessToken`, if given, is added to the URL; `secrets.secret` signs the request.
 */
export const dingtalkSender: Sender = (ctx) => {
  const spec = ctx.spec.dingtalk!;
  const query: Record<string, string> = {};
  if (ctx.secrets.accessToken) query.access_token = ctx.secrets.accessToken;
  if (ctx.secrets.secret) {
    query.timestamp = String(ctx.now);
    query.sign = dingtalkSign(ctx.now, ctx.secrets.secret);
  }
  // URLSearchParams percent-encodes the signature's "+", "/" and "=" as DingTalk requires.
  const url = Object.keys(query).length ? withQuery(spec.url, query) : spec.url;
  return httpSend(ctx, url, {
    body: JSON.stringify({ msgtype: 'markdown', markdown: { title: ctx.rendered.title, text: ctx.rendered.markdown } }),
  });
};
