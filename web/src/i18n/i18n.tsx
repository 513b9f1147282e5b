import type { ReactNode } from 'react';
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { en } from './en.ts';
import type { MessageKey } from './zh.ts';
import { zh } from './zh.ts';

export type Lang = 'zh' | 'en';
export type { MessageKey };
export type Params = Readonly<Record<string, string | number>>;

const DICTIONARIES: Readonly<Record<Lang, Readonly<Record<MessageKey, string>>>> = { zh, en };
const STORAGE_KEY = 'polis.lang';

/** `{name}` placeholders filled from params; a missing param stays visible as `{name}` rather than vanishing. */
export function translate(lang: Lang, key: MessageKey, params?: Params): string {
  const text = DICTIONARIES[lang][key] ?? zh[key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** A name given in both languages (`{zh, en}`), in the one asked for, else the other, else the fallback. */
export function localName(name: { zh?: string; en?: string } | string | undefined, lang: Lang, fallback = ''): string {
  if (typeof name === 'string') return name;
  return (lang === 'zh' ? (name?.zh ?? name?.en) : (name?.en ?? name?.zh)) ?? fallback;
}

export interface I18n {
  readonly lang: Lang;
  setLang(lang: Lang): void;
  t(key: MessageKey, params?: Params): string;
  /** The locale tag for Intl (`zh-CN`, `en`). */
  readonly locale: string;
}

const I18nContext = createContext<I18n>({
  lang: 'zh',
  setLang: () => {},
  t: (key, params) => translate('zh', key, params),
  locale: 'zh-CN',
});

function initialLang(): Lang {
  try {
    const stored = globalThis.localStorage?.getItem(STORAGE_KEY);
    if (stored === 'zh' || stored === 'en') return stored;
  } catch {
    // Storage may be unavailable (private mode): Chinese, the default.
  }
  return 'zh';
}

/** Chinese by default; the choice is kept in this browser. */
export function I18nProvider(props: { children: ReactNode; lang?: Lang }) {
  const [lang, setLangState] = useState<Lang>(() => props.lang ?? initialLang());
  const setLang = useCallback((l: Lang) => {
    setLangState(l);
    try {
      globalThis.localStorage?.setItem(STORAGE_KEY, l);
    } catch {
      // Not kept: the choice holds for this page only.
    }
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.title = translate(lang, 'app.documentTitle');
  }, [lang]);
  const value = useMemo<I18n>(
    () => ({ lang, setLang, t: (key, params) => translate(lang, key, params), locale: lang === 'zh' ? 'zh-CN' : 'en' }),
    [lang, setLang],
  );
  return <I18nContext.Provider value={value}>{props.children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  return useContext(I18nContext);
}
