import type { Capabilities } from '../auth/capabilities.ts';
import type { MessageKey } from '../i18n/i18n.tsx';

export type NavKey =
  | 'overview'
  | 'applications'
  | 'clusters'
  | 'departments'
  | 'tokens'
  | 'audit'
  | 'sandbox'
  | 'bigscreen'
  | 'costs'
  | 'recommendations'
  | 'assessment'
  | 'utilization'
  | 'monitoring'
  | 'incidents'
  | 'users'
  | MarketNavKey;
type MarketNavKey = 'market' | 'myServices' | 'marketReview' | 'marketPublish';

/** The headings the navigation is grouped under (none for the everyday pages at the top). */
export type NavGroup = 'observe' | 'market' | 'operations' | 'platform';

export interface NavItem {
  readonly key: NavKey;
  readonly path: string;
  readonly label: MessageKey;
  readonly group?: NavGroup;
}

/** Every page, in the order the navigation shows them; a group's pages stay together. */
const ALL: readonly (NavItem & { readonly visible: (c: Capabilities) => boolean })[] = [
  { key: 'overview', path: '/', label: 'nav.overview', visible: () => true },
  { key: 'applications', path: '/applications', label: 'nav.applications', visible: (c) => c.canReadApplications },
  { key: 'clusters', path: '/clusters', label: 'nav.clusters', visible: () => true },
  { key: 'departments', path: '/departments', label: 'nav.departments', visible: (c) => c.canReadApplications },
  // Monitoring, alerts and incidents (docs/console.md "Monitoring, alerts and incidents").
  { key: 'monitoring', path: '/monitoring', label: 'nav.monitoring', group: 'observe', visible: (c) => c.canMonitor },
  { key: 'incidents', path: '/incidents', label: 'nav.incidents', group: 'observe', visible: (c) => c.canMonitor },
  // The marketplace (docs/console.md): the catalog for everyone, services for departments, review, publishing.
  { key: 'market', path: '/market', label: 'nav.market', group: 'market', visible: () => true },
  {
    key: 'myServices',
    path: '/services',
    label: 'nav.myServices',
    group: 'market',
    visible: (c) => c.canReadApplications,
  },
  {
    key: 'marketReview',
    path: '/review',
    label: 'nav.marketReview',
    group: 'market',
    visible: (c) => c.canReviewMarket,
  },
  {
    key: 'marketPublish',
    path: '/publish',
    label: 'nav.marketPublish',
    group: 'market',
    visible: (c) => c.canPublishMarket,
  },
  // Operations (docs/console.md "Operations").
  { key: 'costs', path: '/costs', label: 'nav.costs', group: 'operations', visible: (c) => c.canReadOperations },
  {
    key: 'recommendations',
    path: '/recommendations',
    label: 'nav.recommendations',
    group: 'operations',
    visible: (c) => c.canReadOperations,
  },
  {
    key: 'assessment',
    path: '/assessment',
    label: 'nav.assessment',
    group: 'operations',
    visible: (c) => c.canReadOperations,
  },
  {
    key: 'utilization',
    path: '/utilization',
    label: 'nav.utilization',
    group: 'operations',
    visible: (c) => c.canReadOperations,
  },
  { key: 'tokens', path: '/tokens', label: 'nav.tokens', group: 'platform', visible: () => true },
  { key: 'audit', path: '/audit', label: 'nav.audit', group: 'platform', visible: (c) => c.canReadAudit },
  { key: 'sandbox', path: '/sandbox', label: 'nav.sandbox', group: 'platform', visible: (c) => c.canUseSandbox },
  {
    key: 'bigscreen',
    path: '/bigscreen',
    label: 'nav.bigscreen',
    group: 'platform',
    visible: (c) => c.canReadApplications,
  },
  { key: 'users', path: '/users', label: 'nav.users', group: 'platform', visible: (c) => c.isPlatformAdmin },
];

/** The navigation a user is offered: only pages whose data and actions the server would let them use. */
export function navItems(c: Capabilities): NavItem[] {
  return ALL.filter((i) => i.visible(c)).map(({ key, path, label, group }) => ({
    key,
    path,
    label,
    ...(group ? { group } : {}),
  }));
}

/** The offered pages in runs of one group each (the ungrouped everyday pages first), as the menu shows them. */
export function navSections(c: Capabilities): { readonly group?: NavGroup; readonly items: NavItem[] }[] {
  const sections: { group?: NavGroup; items: NavItem[] }[] = [];
  for (const item of navItems(c)) {
    const last = sections.at(-1);
    if (last && last.group === item.group) last.items.push(item);
    else sections.push({ ...(item.group ? { group: item.group } : {}), items: [item] });
  }
  return sections;
}

/** The nav entry a path belongs to (`/applications/edu/portal` → applications). */
export function navKeyOf(pathname: string): NavKey {
  const first = pathname.split('/').filter(Boolean)[0];
  const found = ALL.find((i) => i.path === `/${first ?? ''}`);
  return found?.key ?? 'overview';
}
