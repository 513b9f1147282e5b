import type { Sender } from './channel.ts';
import { httpSend, withQuery } from './channel.ts';

/** WeCom's markdown content is at most 4096 bytes (UTF-8). */
export const WECOM_MAX_BYTES = 4096;

/** Cut `text` to at most `max` bytes of UTF-8 without splitting a character. */
export function cutBytes(text: string, max: number): string {
  const buf = Buffer.from(text, 'utf8');
  if (buf.length <= max) return text;
  let end = max;
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString('utf8');
}

/**
 * A WeCom (企业微信) group robot: `{"msgtype": "markdown", "markdown": {"content": …}}` to its webhook
 * (`https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…`); `secrets.key`, if given, is added as `key`.
 */
export const wecomSender: Sender = (ctx) => {
  const spec = ctx.spec.wecom!;
  const url = ctx.secrets.key ? withQuery(spec.url, { key: ctx.secrets.key }) : spec.url;
  return httpSend(ctx, url, {
    body: JSON.stringify({
      msgtype: 'markdown',
      markdown: { content: cutBytes(ctx.rendered.markdown, WECOM_MAX_BYTES) },
    }),
  });
};
