import type { Lang, Message, Params } from '../kernel/messages/index.ts';
import { renderMessage } from '../kernel/messages/index.ts';

/**
 * The language `polis` writes the server's messages in: `--lang zh|en`, else the locale (LC_ALL, LC_MESSAGES,
 * LANG: `zh…` is Chinese), else English. Set once per command line by runCli; tables and errors read it.
 */
let current: Lang = 'en';

export function cliLang(): Lang {
  return current;
}

export function setCliLang(lang: Lang): void {
  current = lang;
}

/** The `--lang` value of a command line (`--lang zh` or `--lang=zh`), if it has one. */
export function langFlag(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a === '--lang') return argv[i + 1] ?? '';
    if (a.startsWith('--lang=')) return a.slice('--lang='.length);
  }
  return undefined;
}

/** The language of a locale variable's value (`zh_CN.UTF-8` → zh, `C.UTF-8` → en), undefined when unset. */
function localeLang(value: string | undefined): Lang | undefined {
  if (!value) return undefined;
  return /^zh([_.@-]|$)/i.test(value) ? 'zh' : 'en';
}

/** `--lang` when valid, else the locale as POSIX orders it (LC_ALL, LC_MESSAGES, LANG), else English. */
export function langFrom(flag: string | undefined, env: Readonly<Record<string, string | undefined>>): Lang {
  if (flag === 'zh' || flag === 'zh-CN' || flag === 'zh_CN') return 'zh';
  if (flag === 'en') return 'en';
  return localeLang(env.LC_ALL) ?? localeLang(env.LC_MESSAGES) ?? localeLang(env.LANG) ?? 'en';
}

/** Whether a `--lang` value is one polis speaks. */
export function validLang(flag: string): boolean {
  return ['zh', 'zh-CN', 'zh_CN', 'en'].includes(flag);
}

/** Something the server said with a code (an event, condition, status, exclusion, cause). */
export interface CodedText {
  readonly code?: string;
  readonly params?: Params;
  readonly message?: string;
}

/** A coded text in the command line's language; the server's English when the code is unknown or absent. */
export function say(x: CodedText | undefined): string {
  if (!x) return '';
  if (!x.code) return x.message ?? '';
  const m: Message = { code: x.code, ...(x.params ? { params: x.params } : {}), message: x.message ?? '' };
  return renderMessage(m, current);
}
