import { SearchOutlined } from '@ant-design/icons';
import { AutoComplete, Input, Tag } from 'antd';
import { useEffect, useState } from 'react';
import { api } from '../api/client.ts';
import { paths } from '../api/paths.ts';
import type { MessageKey } from '../i18n/i18n.tsx';
import { localName, useI18n } from '../i18n/i18n.tsx';
import { navigate } from './router.tsx';

interface Hit {
  readonly kind: 'Application' | 'Tenant' | 'Cluster';
  readonly id: string;
  readonly tenant?: string;
  readonly zh?: string;
  readonly en?: string;
}

function pathOf(h: Hit): string {
  if (h.kind === 'Tenant') return `/departments/${h.id}`;
  if (h.kind === 'Cluster') return `/clusters/${h.id}`;
  return `/applications/${h.tenant}/${h.id}`;
}

/**
 * The one search box (layout header): applications, departments and clusters by Chinese or English name, id or
 * pinyin initials (jyj → 教育局), answered by /api/v1/search within what the user may read.
 */
export function SearchBox() {
  const { t, lang } = useI18n();
  const [text, setText] = useState('');
  const [hits, setHits] = useState<Hit[]>([]);
  useEffect(() => {
    const q = text.trim();
    if (q === '') {
      setHits([]);
      return;
    }
    const ctrl = new AbortController();
    const timer = setTimeout(() => {
      api<{ items: Hit[] }>(paths.search(q), { signal: ctrl.signal })
        .then((r) => setHits(r.items))
        .catch(() => setHits([]));
    }, 150);
    return () => {
      clearTimeout(timer);
      ctrl.abort();
    };
  }, [text]);
  const options = hits.map((h) => ({
    value: pathOf(h),
    label: (
      <span data-testid={`search-hit-${h.kind}-${h.id}`}>
        <Tag>{t(`layout.searchKind.${h.kind}` as MessageKey)}</Tag>
        {localName(h, lang, h.id)}
        {localName(h, lang, '') !== '' && <span style={{ color: '#8c8c8c' }}> · {h.id}</span>}
      </span>
    ),
  }));
  return (
    <AutoComplete
      style={{ width: 320 }}
      value={text}
      options={options}
      onChange={setText}
      onSelect={(path: string) => {
        setText('');
        navigate(path);
      }}
      notFoundContent={text.trim() ? t('layout.searchNone') : undefined}
      popupMatchSelectWidth={380}
    >
      <Input
        prefix={<SearchOutlined />}
        placeholder={t('layout.search')}
        aria-label={t('layout.search')}
        data-testid="search-box"
        allowClear
      />
    </AutoComplete>
  );
}
