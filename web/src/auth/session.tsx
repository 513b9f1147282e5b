import type { ReactNode } from 'react';
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ApiError } from '../api/api-error.ts';
import { api, setTokenSource } from '../api/client.ts';
import { resetCollections } from '../api/collection.ts';
import { paths } from '../api/paths.ts';
import type { WhoAmI } from '../api/types.ts';
import type { Capabilities } from './capabilities.ts';
import { capabilitiesOf } from './capabilities.ts';

const KEY = 'polis.token';

/** How the user signed in. Only API tokens today; an OIDC sign-in (docs/security.md) would add a method here. */
export type SignInMethod = 'token';

export interface Session {
  readonly state: 'checking' | 'signed-out' | 'signed-in';
  readonly who?: WhoAmI;
  readonly can?: Capabilities;
  /** Why the last session ended (an expired or revoked token), for the login page. */
  readonly endedBecause?: string;
  signIn(token: string, remember: boolean): Promise<void>;
  signOut(): void;
}

const SessionContext = createContext<Session | undefined>(undefined);

let current: string | undefined;

function stored(): string | undefined {
  try {
    return sessionStorage.getItem(KEY) ?? localStorage.getItem(KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

function keep(token: string | undefined, remember: boolean): void {
  current = token;
  try {
    sessionStorage.removeItem(KEY);
    localStorage.removeItem(KEY);
    if (token) (remember ? localStorage : sessionStorage).setItem(KEY, token);
  } catch {
    // Not kept: the session lasts as long as the page.
  }
}

/**
 * The signed-in user: the token (kept for this tab, or in this browser with "remember"), who it is and what it may
 * do. A 401 on any request ends the session and the login page says why.
 */
export function SessionProvider(props: { children: ReactNode }) {
  const [state, setState] = useState<Session['state']>(() => (stored() ? 'checking' : 'signed-out'));
  const [who, setWho] = useState<WhoAmI>();
  const [endedBecause, setEndedBecause] = useState<string>();

  const signOut = useCallback(() => {
    keep(undefined, false);
    resetCollections();
    setWho(undefined);
    setState('signed-out');
  }, []);

  useEffect(() => {
    setTokenSource({
      token: () => current,
      onUnauthorized: (e: ApiError) => {
        if (!current) return;
        keep(undefined, false);
        resetCollections();
        setWho(undefined);
        setEndedBecause(e.message);
        setState('signed-out');
      },
    });
    const token = stored();
    if (!token) return;
    current = token;
    api<WhoAmI>(paths.whoami, { token })
      .then((w) => {
        setWho(w);
        setState('signed-in');
      })
      .catch((e: ApiError) => {
        keep(undefined, false);
        setEndedBecause(e.message);
        setState('signed-out');
      });
  }, []);

  const signIn = useCallback(async (token: string, remember: boolean) => {
    const t = token.trim();
    const w = await api<WhoAmI>(paths.whoami, { token: t });
    keep(t, remember);
    resetCollections();
    setEndedBecause(undefined);
    setWho(w);
    setState('signed-in');
  }, []);

  const value = useMemo<Session>(
    () => ({ state, who, can: who ? capabilitiesOf(who) : undefined, endedBecause, signIn, signOut }),
    [state, who, endedBecause, signIn, signOut],
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
