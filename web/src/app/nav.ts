import type { Capabilities } from '../auth/capabilities.ts';
import type { MessageKey } from '../i18n/i18n.tsx';

export type NavKey =
  'overview' | 'applications' | 'clusters' | 'departments' | 'tokens' | 'audit' | 'sandbox' | 'bigscreen' | 'users';

export interface NavItem {
  readonly key: NavKey;
  readonly path: string;
  readonly label: MessageKey;
}

const ALL: readonly (NavItem & { readonly visible: (c: Capabilities) => boolean })[] = [
  { key: 'overview', path: '/', label: 'nav.overview', visible: () => true },
  { key: 'applications', path: '/applications', label: 'nav.applications', visible: (c) => c.canReadApplications },
  { key: 'clusters', path: '/clusters', label: 'nav.clusters', visible: () => true },
  { key: 'departments', path: '/departments', label: 'nav.departments', visible: (c) => c.canReadApplications },
  { key: 'tokens', path: '/tokens', label: 'nav.tokens', visible: () => true },
  { key: 'audit', path: '/audit', label: 'nav.audit', visible: (c) => c.canReadAudit },
  { key: 'sandbox', path: '/sandbox', label: 'nav.sandbox', visible: (c) => c.canUseSandbox },
  { key: 'bigscreen', path: '/bigscreen', label: 'nav.bigscreen', visible: (c) => c.canReadApplications },
  { key: 'users', path: '/users', label: 'nav.users', visible: (c) => c.isPlatformAdmin },
];

/** The navigation a user is offered: only pages whose data and actions the server would let them use. */
export function navItems(c: Capabilities): NavItem[] {
  return ALL.filter((i) => i.visible(c)).map(({ key, path, label }) => ({ key, path, label }));
}

/** The nav entry a path belongs to (`/applications/edu/portal` → applications). */
export function navKeyOf(pathname: string): NavKey {
  const first = pathname.split('/').filter(Boolean)[0];
  const found = ALL.find((i) => i.path === `/${first ?? ''}`);
  return found?.key ?? 'overview';
}
