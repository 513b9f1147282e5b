import type { ReactNode } from 'react';
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ApiError } from '../api/api-error.ts';
import { api, setTokenSource } from '../api/client.ts';
import { resetCollections } from '../api/collection.ts';
import { paths } from '../api/paths.ts';
import type { WhoAmI } from '../api/types.ts';
import { navigate } from '../app/router.tsx';
import type { Capabilities } from './capabilities.ts';
import { capabilitiesOf } from './capabilities.ts';
import type { CallbackProblem } from './oidc-flow.ts';
import { CALLBACK_PATH, OidcCallbackError, completeCallback } from './oidc-flow.ts';
import { storedToken, takeEarlyWhoami, TOKEN_KEY } from './stored-session.ts';

/** How the user signed in: an API token, or the government SSO (an OIDC ID token, docs/security.md). */
export type SignInMethod = 'token' | 'oidc';

export interface Session {
  readonly state: 'checking' | 'signed-out' | 'signed-in';
  readonly who?: WhoAmI;
  readonly can?: Capabilities;
  /** Why the last session ended (an expired or revoked token), for the login page. */
  readonly endedBecause?: string;
  /** Why the last SSO sign-in failed: a problem found in the browser (its message key), or the server's message. */
  readonly ssoFailed?: { readonly problem?: CallbackProblem; readonly message?: string };
  /** The session was ended in another tab of this browser (sign-out there, or another user signed in). */
  readonly endedElsewhere?: boolean;
  signIn(token: string, remember?: boolean): Promise<void>;
  signOut(): void;
}

const SessionContext = createContext<Session | undefined>(undefined);

let current: string | undefined;

/** Whether a session was kept by this browser (checked with the server before it is used). */
export function hasStoredSession(): boolean {
  return storedToken() !== undefined;
}

function keep(token: string | undefined): void {
  current = token;
  try {
    sessionStorage.removeItem(TOKEN_KEY);
    if (token) localStorage.setItem(TOKEN_KEY, token);
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    // Not kept: the session lasts as long as the page.
  }
}

/**
 * The signed-in user: the credential (an API token or an SSO ID token), who it is and what it may do. The
 * credential is kept in this browser's localStorage, so every tab shares the session until it expires or someone
 * signs out; the `storage` event carries a sign-out (or another sign-in) to the other tabs at once. A 401 on any
 * request ends the session and the login page says why.
 */
export function SessionProvider(props: { children: ReactNode }) {
  const [state, setState] = useState<Session['state']>(() =>
    storedToken() || window.location.pathname === CALLBACK_PATH ? 'checking' : 'signed-out',
  );
  const [who, setWho] = useState<WhoAmI>();
  const [endedBecause, setEndedBecause] = useState<string>();

  const [ssoFailed, setSsoFailed] = useState<Session['ssoFailed']>();
  const [endedElsewhere, setEndedElsewhere] = useState(false);

  const signOut = useCallback(() => {
    keep(undefined);
    resetCollections();
    setWho(undefined);
    setState('signed-out');
  }, []);

  useEffect(() => {
    setTokenSource({
      token: () => current,
      onUnauthorized: (e: ApiError) => {
        if (!current) return;
        keep(undefined);
        resetCollections();
        setWho(undefined);
        setEndedBecause(e.message);
        setState('signed-out');
      },
    });
    const check = (token: string) => {
      current = token;
      (takeEarlyWhoami(token) ?? api<WhoAmI>(paths.whoami, { token }))
        .then((w) => {
          if (current !== token) return;
          resetCollections();
          setWho(w);
          setState('signed-in');
        })
        .catch((e: ApiError) => {
          if (current !== token) return;
          keep(undefined);
          setEndedBecause(e.message);
          setState('signed-out');
        });
    };
    // Another tab signed out (the key removed) or signed in as someone (a new credential): follow it.
    const onStorage = (e: StorageEvent) => {
      if (e.key !== TOKEN_KEY && e.key !== null) return;
      const token = storedToken();
      if (token === current) return;
      resetCollections();
      setWho(undefined);
      if (!token) {
        current = undefined;
        setEndedElsewhere(true);
        setState('signed-out');
        return;
      }
      setState('checking');
      check(token);
    };
    window.addEventListener('storage', onStorage);
    if (window.location.pathname === CALLBACK_PATH) {
      // Back from the government SSO: exchange the code, keep the ID token, go where the user was headed.
      const search = new URLSearchParams(window.location.search);
      setState('checking');
      completeCallback(search, window.location.origin)
        .then((s) => {
          keep(s.idToken);
          setSsoFailed(undefined);
          check(s.idToken);
          navigate(s.returnTo.startsWith('/') && !s.returnTo.startsWith('//') ? s.returnTo : '/', { replace: true });
        })
        .catch((e: unknown) => {
          setSsoFailed(
            e instanceof OidcCallbackError
              ? { problem: e.problem, message: e.detail }
              : { message: (e as ApiError).message },
          );
          setState(storedToken() ? 'checking' : 'signed-out');
          navigate('/', { replace: true });
          const token = storedToken();
          if (token) check(token);
        });
      return () => window.removeEventListener('storage', onStorage);
    }
    const token = storedToken();
    if (token) check(token);
    return () => window.removeEventListener('storage', onStorage);
  }, []);

  const signIn = useCallback(async (token: string) => {
    const t = token.trim();
    const w = await api<WhoAmI>(paths.whoami, { token: t });
    keep(t);
    resetCollections();
    setEndedBecause(undefined);
    setEndedElsewhere(false);
    setSsoFailed(undefined);
    setWho(w);
    setState('signed-in');
  }, []);

  const value = useMemo<Session>(
    () => ({
      state,
      who,
      can: who ? capabilitiesOf(who) : undefined,
      endedBecause,
      ssoFailed,
      endedElsewhere,
      signIn,
      signOut,
    }),
    [state, who, endedBecause, ssoFailed, endedElsewhere, signIn, signOut],
  );
  return <SessionContext.Provider value={value}>{props.children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

/** The signed-in user's capabilities (pages render only when signed in). */
export function useCan(): Capabilities {
  const s = useSession();
  if (!s.can) throw new Error('useCan while signed out');
  return s.can;
}
