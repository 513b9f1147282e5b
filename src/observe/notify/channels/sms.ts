import type { Sender, SendResult } from './channel.ts';
import { httpSend } from './channel.ts';

/** The placeholders an SMS template may use, besides `secrets.<key>`. */
export const SMS_PLACEHOLDERS: readonly string[] = ['phone', 'text', 'title', 'severity', 'status', 'department'];

/** The `{{name}}` placeholders of a template. */
export function templateNames(template: string): string[] {
  return [...template.matchAll(/\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g)].map((m) => m[1]!);
}

/** Fills `{{name}}` with `values`, each escaped by `escape` (JSON string contents, or URL encoding). */
export function fillTemplate(
  template: string,
  values: Readonly<Record<string, string>>,
  escape: (s: string) => string,
): string {
  return template.replace(/\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g, (whole, name: string) =>
    values[name] === undefined ? whole : escape(values[name]),
  );
}

const jsonText = (s: string) => JSON.stringify(s).slice(1, -1);
const DEFAULT_BODY = '{"phone": "{{phone}}", "text": "{{text}}"}';

/**
 * An SMS gateway reached over HTTP, configured by a template (docs/observe.md): for each phone, the URL and the
 * body with `{{phone}}`, `{{text}}`, `{{title}}`, `{{severity}}`, `{{status}}`, `{{department}}` and
 * `{{secrets.<key>}}` filled (JSON-escaped in the body, URL-encoded in the URL).
 */
export const smsSender: Sender = async (ctx) => {
  const spec = ctx.spec.sms!;
  const base: Record<string, string> = {
    text: ctx.rendered.text.slice(0, 500),
    title: ctx.rendered.title,
    severity: ctx.notice.severity,
    status: ctx.notice.status,
    department: ctx.notice.tenant ?? '',
  };
  for (const [k, v] of Object.entries(ctx.secrets)) base[`secrets.${k}`] = v;
  let last: SendResult = { ok: true };
  for (const phone of spec.phones) {
    const values = { ...base, phone };
    const url = fillTemplate(spec.url, values, encodeURIComponent);
    const method = spec.method ?? 'POST';
    last = await httpSend(ctx, url, {
      method,
      headers: { 'content-type': 'application/json', ...(spec.headers ?? {}) },
      ...(method === 'POST' ? { body: fillTemplate(spec.body ?? DEFAULT_BODY, values, jsonText) } : {}),
    });
    if (!last.ok) return last;
  }
  return last;
};
