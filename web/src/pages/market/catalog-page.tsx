import { Card, Col, Empty, Flex, Input, Row, Segmented, Space, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { navigate } from '../../app/router.tsx';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { PageHeader } from '../../components/page.tsx';
import { useFetch } from '../../data/hooks.ts';
import { localName, useI18n } from '../../i18n/i18n.tsx';
import type { CatalogEntry } from './market-model.ts';
import { categoriesOf, filterCatalog } from './market-model.ts';
import { marketPaths } from './market-paths.ts';
import { ItemIcon, usePriceText } from './market-parts.tsx';

/** 服务市场: the released catalog as cards, searched by Chinese or English name or id, filtered by category. */
export function CatalogPage() {
  const { t, lang } = useI18n();
  const price = usePriceText();
  const catalog = useFetch<{ items: CatalogEntry[] }>(marketPaths.catalog);
  const [search, setSearch] = useState('');
  const [category, setCategory] = useState<string>('');
  const items = useMemo(() => catalog.data?.items ?? [], [catalog.data]);
  const shown = useMemo(() => filterCatalog(items, search, category || undefined), [items, search, category]);
  const categories = categoriesOf(items);

  return (
    <div data-testid="market-catalog">
      <PageHeader title={t('nav.market')} subtitle={t('market.catalog.subtitle')} />
      <ErrorAlert error={catalog.error} />
      <Flex gap={12} wrap style={{ marginBottom: 16 }}>
        <Input.Search
          allowClear
          style={{ maxWidth: 360 }}
          placeholder={t('market.catalog.search')}
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          data-testid="market-search"
        />
        <Segmented
          data-testid="market-category"
          value={category}
          onChange={(v) => setCategory(String(v))}
          options={[
            { value: '', label: t('common.all') },
            ...categories.map((c) => ({ value: c, label: categoryLabel(c, t) })),
          ]}
        />
      </Flex>
      {shown.length === 0 && !catalog.loading ? (
        <Empty description={t('market.catalog.none')} />
      ) : (
        <Row gutter={[16, 16]}>
          {shown.map((i) => (
            <Col key={i.name} xs={24} sm={12} lg={8} xxl={6}>
              <Card
                hoverable
                data-testid={`market-card-${i.name}`}
                onClick={() => navigate(`/market/${encodeURIComponent(i.name)}`)}
                style={{ height: '100%' }}
              >
                <Flex gap={12} align="start">
                  <ItemIcon entry={i} />
                  <div style={{ minWidth: 0 }}>
                    <Typography.Text strong data-testid="market-card-name">
                      {localName(i.displayName, lang, i.name)}
                    </Typography.Text>
                    <div>
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {lang === 'zh' ? i.displayName.en : i.displayName.zh} · <code>{i.name}</code>
                      </Typography.Text>
                    </div>
                  </div>
                </Flex>
                <Typography.Paragraph type="secondary" ellipsis={{ rows: 2 }} style={{ margin: '12px 0 8px' }}>
                  {localName(i.description, lang)}
                </Typography.Paragraph>
                <Space size={[4, 4]} wrap>
                  <Tag color={i.type === 'solution' ? 'purple' : 'blue'}>{t(`market.type.${i.type}`)}</Tag>
                  {i.categories.map((c) => (
                    <Tag key={c}>{categoryLabel(c, t)}</Tag>
                  ))}
                  {i.state !== 'active' && <Tag color="warning">{t(`market.state.${i.state}`)}</Tag>}
                </Space>
                <Flex justify="space-between" style={{ marginTop: 8, fontSize: 12 }}>
                  <Typography.Text type="secondary">
                    {t('market.publisher')}: {i.publisher}
                  </Typography.Text>
                  <Typography.Text>{price(i.price)}</Typography.Text>
                </Flex>
              </Card>
            </Col>
          ))}
        </Row>
      )}
    </div>
  );
}

/** A category's label: the known ones translated, others as they are. */
export function categoryLabel(c: string, t: ReturnType<typeof useI18n>['t']): string {
  return KNOWN_CATEGORIES.has(c) ? t(`market.category.${c}` as Parameters<typeof t>[0]) : c;
}

const KNOWN_CATEGORIES = new Set(['database', 'cache', 'messaging', 'storage', 'gateway', 'solution', 'portal']);
