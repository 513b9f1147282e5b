import type { Lang, Message, Params } from '../../../src/kernel/messages/index.ts';
import { reasonLabel, renderMessage } from '../../../src/kernel/messages/index.ts';
import { useMemo } from 'react';
import { useI18n } from './i18n.tsx';

export type { Message, Params };

/**
 * Anything the server says with a code: an event, a condition, a status, an exclusion, an error cause. `message` is
 * the server's English, shown only when this console does not know the code (a newer server).
 */
export interface Coded {
  readonly code?: string;
  readonly params?: Params;
  readonly message?: string;
}

/** A coded text in `lang`: the catalogue's rendering of code + params, else the server's English, else ''. */
export function serverText(x: Coded | undefined, lang: Lang): string {
  if (!x) return '';
  if (x.code)
    return renderMessage({ code: x.code, ...(x.params ? { params: x.params } : {}), message: x.message ?? '' }, lang);
  return x.message ?? '';
}

/** The server's words in the reader's language: `text` for coded messages, `reason` for reason labels. */
export function useServerText(): { text: (x: Coded | undefined) => string; reason: (r: string | undefined) => string } {
  const { lang } = useI18n();
  return useMemo(
    () => ({
      text: (x: Coded | undefined) => serverText(x, lang),
      reason: (r: string | undefined) => (r ? reasonLabel(r, lang) : ''),
    }),
    [lang],
  );
}
