import type { AnchorHTMLAttributes, MouseEvent } from 'react';
import { useCallback, useSyncExternalStore } from 'react';

/**
 * A small history router: the console has a dozen routes, and this keeps them without another dependency. Paths
 * are real URLs (polis serves index.html for any console path), so links can be shared and reloaded.
 */
const CHANGE = 'polis:navigate';

function subscribe(listener: () => void): () => void {
  window.addEventListener('popstate', listener);
  window.addEventListener(CHANGE, listener);
  return () => {
    window.removeEventListener('popstate', listener);
    window.removeEventListener(CHANGE, listener);
  };
}

const href = () => window.location.pathname + window.location.search;

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (to === href()) return;
  if (opts.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(CHANGE));
}

export interface Location {
  readonly pathname: string;
  readonly search: URLSearchParams;
}

export function useLocation(): Location {
  const current = useSyncExternalStore(subscribe, href);
  const q = current.indexOf('?');
  return {
    pathname: q === -1 ? current : current.slice(0, q),
    search: new URLSearchParams(q === -1 ? '' : current.slice(q + 1)),
  };
}

/** A query parameter as state: setting it replaces the URL (filters and tabs survive a reload and can be shared). */
export function useSearchParam(name: string): [string | undefined, (value: string | undefined) => void] {
  const { search } = useLocation();
  const value = search.get(name) ?? undefined;
  const set = useCallback(
    (v: string | undefined) => {
      const q = new URLSearchParams(window.location.search);
      if (v === undefined || v === '') q.delete(name);
      else q.set(name, v);
      const s = q.toString();
      navigate(`${window.location.pathname}${s ? `?${s}` : ''}`, { replace: true });
    },
    [name],
  );
  return [value, set];
}

/** Parameters of `pattern` (`/applications/:tenant/:name`) in `pathname`, or undefined when it does not match. */
export function matchPath(pattern: string, pathname: string): Record<string, string> | undefined {
  const want = pattern.split('/').filter(Boolean);
  const have = pathname.split('/').filter(Boolean);
  if (want.length !== have.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const h = have[i]!;
    if (w.startsWith(':')) {
      try {
        params[w.slice(1)] = decodeURIComponent(h);
      } catch {
        return undefined;
      }
    } else if (w !== h) return undefined;
  }
  return params;
}

export function Link(props: AnchorHTMLAttributes<HTMLAnchorElement> & { to: string }) {
  const { to, onClick, ...rest } = props;
  const click = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={click} {...rest} />;
}
