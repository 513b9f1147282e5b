import { isIP } from 'node:net';
import type { Message } from '../../../kernel/messages/index.ts';
import { msg } from '../../../kernel/messages/index.ts';
import type { Notice } from '../notice.ts';
import type { ChannelSpec } from '../notify-kinds.ts';

/** A notice rendered for one channel (render.ts): a title, plain text, and Markdown for robots. */
export interface Rendered {
  readonly title: string;
  readonly text: string;
  readonly markdown: string;
}

export interface SendContext {
  /** `tenant/name` of the channel. */
  readonly channel: string;
  readonly spec: ChannelSpec;
  readonly secrets: Readonly<Record<string, string>>;
  readonly rendered: Rendered;
  readonly notice: Notice;
  /** Epoch ms (the injected clock): DingTalk's signature timestamp. */
  readonly now: number;
  /** Loopback and private addresses may be sent to (a government cloud's gateways often are private). */
  readonly allowPrivate: boolean;
  readonly timeoutMs: number;
}

/** One attempt's outcome: delivered, or why not and whether another attempt may succeed. */
export type SendResult =
  { readonly ok: true } | { readonly ok: false; readonly retry: boolean; readonly detail: Message };

export type Sender = (ctx: SendContext) => Promise<SendResult>;

/** Hosts never sent to: link-local and cloud metadata; loopback and private ones unless allowed. */
export function forbiddenHost(host: string, allowPrivate: boolean): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  if (/^169\.254\./.test(h) || /^fe80:/i.test(h) || h === 'metadata.google.internal' || h === '100.100.100.200')
    return true;
  if (allowPrivate) return false;
  if (h === 'localhost' || h === '::1' || /^127\./.test(h)) return true;
  return isIP(h) === 4 && (/^10\./.test(h) || /^192\.168\./.test(h) || /^172\.(1[6-9]|2\d|3[01])\./.test(h));
}

/**
 * Posts (or gets) over HTTP and reads a robot's JSON answer: a 2xx with `errcode` 0 or absent is delivered; 429, 5xx
 * and network errors may be retried; other answers are refusals (a wrong key, a bad signature) not worth repeating.
 */
export async function httpSend(
  ctx: SendContext,
  target: string,
  init: { method?: string; headers?: Record<string, string>; body?: string },
): Promise<SendResult> {
  let u: URL;
  try {
    u = new URL(target);
  } catch {
    return {
      ok: false,
      retry: false,
      detail: msg('NotifyChannelUnreachable', {
        target: '(url)',
        detail: msg('External', { text: 'not an absolute URL' }),
      }),
    };
  }
  const type = ctx.spec.type;
  if (forbiddenHost(u.hostname, ctx.allowPrivate))
    return { ok: false, retry: false, detail: msg('NotifyHostForbidden', { host: u.hostname }) };
  const shown = `${u.protocol}//${u.host}${u.pathname}`;
  try {
    const r = await fetch(u, {
      method: init.method ?? 'POST',
      headers: init.headers ?? { 'content-type': 'application/json' },
      ...(init.body !== undefined ? { body: init.body } : {}),
      redirect: 'error',
      signal: AbortSignal.timeout(ctx.timeoutMs),
    });
    const text = (await r.text()).slice(0, 2000);
    if (!r.ok)
      return {
        ok: false,
        retry: r.status === 429 || r.status >= 500,
        detail: msg('NotifyChannelRefused', {
          type,
          status: r.status,
          detail: msg('External', { text: text.slice(0, 300) }),
        }),
      };
    let errcode: unknown;
    try {
      errcode = (JSON.parse(text) as { errcode?: unknown }).errcode;
    } catch {
      errcode = undefined;
    }
    if (errcode !== undefined && errcode !== 0)
      return {
        ok: false,
        // DingTalk's and WeCom's "too many messages" (130101, 45009) pass; the rest are configuration errors.
        retry: errcode === 130101 || errcode === 45009,
        detail: msg('NotifyChannelRefused', {
          type,
          status: `errcode ${String(errcode)}`,
          detail: msg('External', { text: text.slice(0, 300) }),
        }),
      };
    return { ok: true };
  } catch (e) {
    return {
      ok: false,
      retry: true,
      detail: msg('NotifyChannelUnreachable', {
        target: shown,
        detail: msg('External', { text: (e as Error).message }),
      }),
    };
  }
}

/** `url` with `params` added to its query. */
export function withQuery(url: string, params: Readonly<Record<string, string>>): string {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.toString();
}
