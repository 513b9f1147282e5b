import { useCallback, useMemo } from 'react';
import { paths } from '../api/paths.ts';
import type { DepartmentUsage } from '../api/types.ts';
import type { KubeObject } from '../api/watch-reducer.ts';
import { useCollection } from '../api/use-collection.ts';
import { localName, useI18n } from '../i18n/i18n.tsx';
import { useFetch } from './hooks.ts';

/** What a display name names: a department, or an id clusters carry (DisplayName kind, docs/console.md). */
export type NameSubject = 'tenant' | 'vendor' | 'region' | 'zone' | 'networkZone';

interface DisplayNameObject extends KubeObject {
  readonly spec: { subject: Exclude<NameSubject, 'tenant'>; id: string; zh: string; en: string };
}

/**
 * The name a person reads for an id, in the console's language: departments from their Tenant display name (only
 * those the user may see, through /api/v1/usage), vendors, regions, zones and network zones from DisplayName
 * objects, live. Falls back to the id itself.
 */
export function useDisplayName(): (subject: NameSubject, id: string) => string {
  const { lang } = useI18n();
  const names = useCollection<DisplayNameObject>('displaynames', () => ({ path: paths.displayNames }));
  const usage = useFetch<{ items: DepartmentUsage[] }>(paths.usage, [], 60_000);
  const table = useMemo(() => {
    const m = new Map<string, { zh?: string; en?: string }>();
    for (const o of names.state.items.values()) m.set(`${o.spec.subject}/${o.spec.id}`, o.spec);
    for (const u of usage.data?.items ?? []) if (u.displayName && typeof u.displayName !== 'string') m.set(`tenant/${u.tenant}`, u.displayName);
    return m;
  }, [names.state.items, usage.data]);
  return useCallback(
    (subject: NameSubject, id: string) => localName(table.get(`${subject}/${id}`), lang, id),
    [table, lang],
  );
}
