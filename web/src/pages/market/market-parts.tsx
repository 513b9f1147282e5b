import { Avatar, Select, Tag } from 'antd';
import { useEffect, useMemo } from 'react';
import { paths } from '../../api/paths.ts';
import type { Tenant } from '../../api/types.ts';
import { useCan } from '../../auth/session.tsx';
import { useFetch } from '../../data/hooks.ts';
import { formatYuan } from '../../format/format.ts';
import type { MessageKey } from '../../i18n/i18n.tsx';
import { localName, useI18n } from '../../i18n/i18n.tsx';
import type { CatalogEntry } from './market-model.ts';

const PHASE_COLOR: Record<string, string> = {
  Ready: 'success',
  Released: 'success',
  Approved: 'success',
  Pending: 'processing',
  Provisioning: 'processing',
  Submitted: 'processing',
  Requested: 'processing',
  Draft: 'default',
  Revoking: 'warning',
  Deleting: 'warning',
  Withdrawn: 'default',
  Revoked: 'default',
  Refused: 'error',
  Rejected: 'error',
  Failed: 'error',
};

const PHASES = new Set(Object.keys(PHASE_COLOR));

/** A marketplace phase (instance, binding, version, subscription) as a coloured tag in the reader's language. */
export function MarketPhaseTag(props: { phase: string | undefined; testId?: string }) {
  const { t } = useI18n();
  const phase = props.phase ?? 'Pending';
  const label = PHASES.has(phase) ? t(`market.phase.${phase}` as MessageKey) : phase;
  return (
    <Tag color={PHASE_COLOR[phase] ?? 'default'} data-testid={props.testId} data-phase={phase}>
      {label}
    </Tag>
  );
}

/**
 * An item's icon: shown only from this origin or a data: URL (the console never makes the browser fetch from a
 * vendor's host); otherwise the first letter of its name.
 */
export function ItemIcon(props: { entry: Pick<CatalogEntry, 'icon' | 'name' | 'displayName'>; size?: number }) {
  const { lang } = useI18n();
  const { icon } = props.entry;
  const local = icon && (icon.startsWith('data:') || (icon.startsWith('/') && !icon.startsWith('//')));
  const name = localName(props.entry.displayName, lang, props.entry.name);
  return (
    <Avatar size={props.size ?? 48} shape="square" src={local ? icon : undefined} style={{ background: '#1677ff' }}>
      {name.slice(0, 1).toUpperCase()}
    </Avatar>
  );
}

/** An item's price in words: free, or the amount per instance-month or binding-month. */
export function usePriceText(): (price: CatalogEntry['price']) => string {
  const { t, locale } = useI18n();
  return (price) =>
    price.model === 'free'
      ? t('market.price.free')
      : t(price.model === 'instance-month' ? 'market.price.instanceMonth' : 'market.price.bindingMonth', {
          amount: formatYuan(price.amount ?? 0, locale),
        });
}

/** The departments the user may act in (`write`) or read, with their names; every department for the data bureau. */
export function useDepartmentChoices(write: boolean): Array<{ value: string; label: string }> {
  const can = useCan();
  const { lang } = useI18n();
  const scope = write ? can.writableDepartments : can.readableDepartments;
  const tenants = useFetch<{ items: Tenant[] }>(scope === 'all' ? paths.tenants : undefined);
  return useMemo(() => {
    const names = scope === 'all' ? (tenants.data?.items ?? []).map((x) => x.metadata.name) : [...scope];
    const display = new Map((tenants.data?.items ?? []).map((x) => [x.metadata.name, x.spec.displayName]));
    return names.sort().map((n) => ({ value: n, label: display.has(n) ? localName(display.get(n), lang, n) : n }));
  }, [scope, tenants.data, lang]);
}

/** A department picker that settles on the first choice when none is chosen yet. */
export function DepartmentSelect(props: {
  choices: Array<{ value: string; label: string }>;
  value: string | undefined;
  onChange: (v: string) => void;
  testId: string;
}) {
  const { t } = useI18n();
  const { choices, value, onChange } = props;
  useEffect(() => {
    if ((!value || !choices.some((c) => c.value === value)) && choices.length > 0) onChange(choices[0]!.value);
  }, [choices, value, onChange]);
  return (
    <Select
      style={{ minWidth: 180 }}
      value={value}
      onChange={onChange}
      options={choices}
      showSearch
      optionFilterProp="label"
      placeholder={t('common.department')}
      data-testid={props.testId}
    />
  );
}
