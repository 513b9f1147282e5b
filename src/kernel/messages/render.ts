import { en } from './en.ts';
import type { MessageCode } from './en.ts';
import type { Message, ParamValue, Params } from './message.ts';
import { isMessage } from './message.ts';
import { zh } from './zh.ts';

export type Lang = 'zh' | 'en';

const CATALOGUES: Readonly<Record<Lang, Readonly<Record<MessageCode, string>>>> = { en, zh };

/** Between the parts of a list of messages. */
const SEPARATOR: Readonly<Record<Lang, string>> = { en: '; ', zh: '；' };

/** The `{name}` placeholders of a template, as a union of names (type level). */
type Placeholders<S extends string> = S extends `${string}{${infer P}}${infer Rest}` ? P | Placeholders<Rest> : never;

/** The params a code's English template names: exactly those, each required. */
export type ParamsOf<C extends MessageCode> = Readonly<Record<Placeholders<(typeof en)[C]>, ParamValue>>;

/** The arguments after the code: none when the template has no placeholder, else its params. */
export type ParamArgs<C extends MessageCode> = [Placeholders<(typeof en)[C]>] extends [never] ? [] : [ParamsOf<C>];

/** Whether the catalogue knows a code. */
export function isKnownCode(code: string): code is MessageCode {
  return Object.prototype.hasOwnProperty.call(en, code);
}

/**
 * A coded message: the code, its params and the English sentence. An unknown code or a missing parameter fails the
 * typecheck, so every message the server makes is in the catalogue.
 */
export function msg<C extends MessageCode>(code: C, ...args: ParamArgs<C>): Message {
  const params = args[0] as Params | undefined;
  const message = render(code, params, 'en') ?? code;
  return params && Object.keys(params).length > 0 ? { code, params, message } : { code, message };
}

/** One parameter in a language: a coded message rendered, a list of them joined, a value as text. */
export function renderParam(v: ParamValue, lang: Lang): string {
  if (Array.isArray(v)) return (v as readonly Message[]).map((m) => renderMessage(m, lang)).join(SEPARATOR[lang]);
  if (isMessage(v)) return renderMessage(v, lang);
  return String(v);
}

/**
 * A code's template in `lang` with `{name}` placeholders filled; undefined for a code the catalogue does not know.
 * A placeholder without its parameter stays visible as `{name}` rather than vanishing.
 */
export function render(code: string, params: Params | undefined, lang: Lang): string | undefined {
  if (!isKnownCode(code)) return undefined;
  const template = CATALOGUES[lang][code];
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? renderParam(params[name]!, lang) : whole,
  );
}

/** A message in `lang`; the server's English sentence when the code is not in this catalogue (a newer server). */
export function renderMessage(m: Message | undefined, lang: Lang): string {
  if (!m) return '';
  return render(m.code, m.params, lang) ?? m.message;
}

/** Several messages as one line in `lang`. */
export function renderMessages(ms: readonly Message[], lang: Lang): string {
  return ms.map((m) => renderMessage(m, lang)).join(SEPARATOR[lang]);
}

/** Messages joined as one English line (for `message` fields that summarise a list). */
export function englishLine(ms: readonly Message[]): string {
  return ms.map((m) => m.message).join(SEPARATOR.en);
}

/** The placeholder names of a template, sorted (for the catalogue test). */
export function placeholders(template: string): string[] {
  return [...new Set([...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!))].sort();
}
