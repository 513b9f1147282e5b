import { App, Button, Input, Modal, Segmented, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useMemo, useState } from 'react';
import type { ApiError } from '../../api/api-error.ts';
import { toApiError } from '../../api/api-error.ts';
import { api } from '../../api/client.ts';
import { useCan } from '../../auth/session.tsx';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { PageHeader } from '../../components/page.tsx';
import { useFetch } from '../../data/hooks.ts';
import { localName, useI18n } from '../../i18n/i18n.tsx';
import { useServerText } from '../../i18n/server-messages.ts';
import type { ItemObject, VersionObject } from './market-model.ts';
import { ownItemReason } from './market-model.ts';
import { marketPaths } from './market-paths.ts';
import { MarketPhaseTag } from './market-parts.tsx';

const CHECKS = new Set(['schema', 'defaults', 'generated', 'images', 'licence', 'connection', 'assessment']);

/**
 * 审核: the data bureau's review queue. Submitted versions with their automatic checks; approve (release) or reject
 * with a comment. Approve is never offered on a reviewer's own item (separation of duties).
 */
export function ReviewPage() {
  const { t, lang } = useI18n();
  const st = useServerText();
  const can = useCan();
  const { message } = App.useApp();
  const [tick, setTick] = useState(0);
  const versions = useFetch<{ items: VersionObject[] }>(marketPaths.versions, [tick], 500);
  const items = useFetch<{ items: ItemObject[] }>(marketPaths.items, [tick], 500);
  const [show, setShow] = useState<'Submitted' | 'all'>('Submitted');
  const [deciding, setDeciding] = useState<{ v: VersionObject; action: 'approve' | 'reject' }>();
  const [comment, setComment] = useState('');
  const [error, setError] = useState<ApiError>();
  const itemOf = (name: string) => items.data?.items.find((i) => i.metadata.name === name);
  const rows = useMemo(
    () =>
      (versions.data?.items ?? [])
        .filter((v) => show === 'all' || v.status?.phase === 'Submitted')
        .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name)),
    [versions.data, show],
  );

  const decide = async () => {
    if (!deciding) return;
    const { v, action } = deciding;
    try {
      await api(marketPaths.review(v.metadata.name, action), {
        body: comment.trim() ? { comment: comment.trim() } : {},
      });
      setError(undefined);
      setDeciding(undefined);
      setComment('');
      void message.success(
        t(action === 'approve' ? 'market.review.approved' : 'market.review.rejected', { version: v.metadata.name }),
      );
      setTick((x) => x + 1);
    } catch (e) {
      setError(toApiError(e));
    }
  };

  return (
    <div data-testid="market-review">
      <PageHeader
        title={t('nav.marketReview')}
        subtitle={t('market.review.subtitle')}
        extra={
          <Segmented
            value={show}
            onChange={(v) => setShow(v as 'Submitted' | 'all')}
            options={[
              { value: 'Submitted', label: t('market.review.waiting') },
              { value: 'all', label: t('common.all') },
            ]}
          />
        }
      />
      {!deciding && <ErrorAlert error={error ?? versions.error} />}
      <Table<VersionObject>
        rowKey={(x) => x.metadata.name}
        dataSource={rows}
        loading={versions.loading}
        pagination={false}
        data-testid="review-table"
        locale={{ emptyText: t('market.review.none') }}
        columns={[
          {
            title: t('market.item.label'),
            render: (_, v) => {
              const item = itemOf(v.spec.item);
              return item ? localName(item.spec.displayName, lang, v.spec.item) : v.spec.item;
            },
          },
          { title: t('market.version'), render: (_, v) => <code>{v.spec.version}</code> },
          { title: t('market.status'), render: (_, v) => <MarketPhaseTag phase={v.status?.phase ?? 'Draft'} /> },
          {
            title: t('market.publish.checks'),
            render: (_, v) => (
              <div data-testid={`review-checks-${v.metadata.name}`}>
                {(v.status?.checks ?? []).map((c) => (
                  <div key={c.name}>
                    <Tag color={c.ok ? 'success' : 'error'}>
                      {c.ok ? t('market.review.passed') : t('market.review.failed')}
                    </Tag>
                    {CHECKS.has(c.name) ? t(`market.check.${c.name}` as Parameters<typeof t>[0]) : c.name}
                    {c.problems.map((p, i) => (
                      <div key={i}>
                        <Typography.Text type="danger">{st.text(p)}</Typography.Text>
                      </div>
                    ))}
                  </div>
                ))}
              </div>
            ),
          },
          { title: t('market.review.submittedBy'), render: (_, v) => v.status?.submittedBy ?? '—' },
          {
            title: t('market.review.reviewer'),
            render: (_, v) =>
              v.status?.reviewedBy ? `${v.status.reviewedBy}${v.status.comment ? `: ${v.status.comment}` : ''}` : '—',
          },
          {
            title: t('admin.actions'),
            render: (_, v) => {
              if (v.status?.phase !== 'Submitted' || !can.isPlatformAdmin) return null;
              const own = ownItemReason(can.user, v, itemOf(v.spec.item));
              return (
                <Space>
                  <Tooltip title={own ? t(`market.review.own.${own}`) : undefined}>
                    <Button
                      size="small"
                      type="primary"
                      disabled={own !== undefined}
                      data-testid={`review-approve-${v.metadata.name}`}
                      onClick={() => setDeciding({ v, action: 'approve' })}
                    >
                      {t('market.review.approve')}
                    </Button>
                  </Tooltip>
                  <Button
                    size="small"
                    danger
                    data-testid={`review-reject-${v.metadata.name}`}
                    onClick={() => setDeciding({ v, action: 'reject' })}
                  >
                    {t('market.review.reject')}
                  </Button>
                </Space>
              );
            },
          },
        ]}
      />
      <Modal
        open={deciding !== undefined}
        title={t(deciding?.action === 'reject' ? 'market.review.rejectTitle' : 'market.review.approveTitle', {
          version: deciding?.v.metadata.name ?? '',
        })}
        okText={t(deciding?.action === 'reject' ? 'market.review.reject' : 'market.review.approve')}
        cancelText={t('admin.cancel')}
        okButtonProps={{
          danger: deciding?.action === 'reject',
          disabled: deciding?.action === 'reject' && comment.trim() === '',
          'data-testid': 'review-confirm',
        }}
        onOk={() => void decide()}
        onCancel={() => {
          setDeciding(undefined);
          setError(undefined);
        }}
      >
        <ErrorAlert error={error} />
        <Typography.Paragraph type="secondary">
          {t(deciding?.action === 'reject' ? 'market.review.commentRequired' : 'market.review.commentOptional')}
        </Typography.Paragraph>
        <Input.TextArea
          value={comment}
          onChange={(e) => setComment(e.target.value)}
          maxLength={2000}
          data-testid="review-comment"
        />
      </Modal>
    </div>
  );
}
