import { api } from '../api/client.ts';
import { paths } from '../api/paths.ts';
import type { WhoAmI } from '../api/types.ts';
import { CALLBACK_PATH } from './oidc-flow.ts';

/** Where the console keeps its credential; the session module owns writing it. */
export const TOKEN_KEY = 'polis.token';

/** The credential this browser kept, if any (checked with the server before it is used). */
export function storedToken(): string | undefined {
  try {
    // sessionStorage: where consoles before the shared session kept a tab's token (and bench/console still puts it).
    return localStorage.getItem(TOKEN_KEY) ?? sessionStorage.getItem(TOKEN_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

let early: { readonly token: string; readonly answer: Promise<WhoAmI> } | undefined;

/**
 * Asks who the kept credential belongs to as the console's first module runs (issue 13, first render), rather than
 * from the session's first effect, after React and Ant Design have rendered the first frame. Nothing on the SSO
 * callback (the credential comes from the exchange there). The session takes the answer when it checks that token.
 */
export function askWhoamiEarly(): void {
  const token = storedToken();
  if (!token || window.location.pathname === CALLBACK_PATH) return;
  const answer = api<WhoAmI>(paths.whoami, { token });
  // A refusal is handled where the answer is taken (the session ends and the login page says why).
  answer.catch(() => undefined);
  early = { token, answer };
}

/** The early answer for `token`, once; undefined when none was asked for that token (then the session asks). */
export function takeEarlyWhoami(token: string): Promise<WhoAmI> | undefined {
  const e = early;
  early = undefined;
  return e?.token === token ? e.answer : undefined;
}
