import { Alert, Flex, Progress, Table, Tag, Typography } from 'antd';
import { HoverTooltip } from '../../components/hover-tooltip.tsx';
import type { DepartmentSharing, HeldBackReason, PlatformWarning, SharingStatus } from '../../api/types.ts';
import { formatBytes, formatCores, formatNumber } from '../../format/format.ts';
import type { MessageKey } from '../../i18n/i18n.tsx';
import { useI18n } from '../../i18n/i18n.tsx';

const REASON_KEY: Readonly<Record<HeldBackReason, MessageKey>> = {
  QuotaLimited: 'share.reason.QuotaLimited',
  CapacityLimited: 'share.reason.CapacityLimited',
};

/** A held-back reason in the user's language; an unknown code is shown as it is. */
export function ReasonTag(props: { reason: string; n?: number }) {
  const { t } = useI18n();
  const key = REASON_KEY[props.reason as HeldBackReason];
  return (
    <HoverTooltip title={props.reason}>
      <Tag color={props.reason === 'QuotaLimited' ? 'error' : 'warning'} data-testid={`held-back-${props.reason}`}>
        {key ? t(key) : props.reason}
        {props.n !== undefined && ` × ${props.n}`}
      </Tag>
    </HoverTooltip>
  );
}

/**
 * A department's use of its private-cloud guarantee: a bar with the percentage, red (exception) when it is over
 * (borrowing) or near (≥ 90%) its share, what it borrows, and the replicas held back with their reasons.
 */
export function ShareBar(props: { sharing: DepartmentSharing | undefined; compact?: boolean; testId?: string }) {
  const { t, locale } = useI18n();
  const s = props.sharing;
  if (!s) return <Typography.Text type="secondary">—</Typography.Text>;
  const red = s.level !== 'ok';
  const percent = s.percent !== undefined ? formatNumber(s.percent, locale) : undefined;
  const borrowing = s.borrowed.cpu > 0 || s.borrowed.memory > 0;
  return (
    <div data-testid={props.testId} data-level={s.level} style={{ minWidth: 150 }}>
      {s.percent !== undefined ? (
        <HoverTooltip title={red ? t(`share.level.${s.level}` as MessageKey, { percent: percent! }) : undefined}>
          <Progress
            percent={Math.min(100, s.percent)}
            size="small"
            status={red ? 'exception' : 'normal'}
            format={() => (
              <span style={red ? { color: 'var(--ant-color-error, #ff4d4f)' } : undefined}>{percent}%</span>
            )}
          />
        </HoverTooltip>
      ) : (
        <Typography.Text type={borrowing ? 'danger' : 'secondary'}>{t('share.noGuarantee')}</Typography.Text>
      )}
      <Flex gap={4} wrap style={{ fontSize: 12 }}>
        {borrowing ? (
          <Typography.Text type="danger" style={{ fontSize: 12 }} data-testid="share-borrowed">
            {t('share.borrowed', {
              cpu: formatCores(s.borrowed.cpu, locale),
              memory: formatBytes(s.borrowed.memory, locale),
            })}
          </Typography.Text>
        ) : (
          !props.compact && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('share.borrowedNone')}
            </Typography.Text>
          )
        )}
        {s.heldBack.replicas > 0 && (
          <Typography.Text type="warning" style={{ fontSize: 12 }} data-testid="share-held-back">
            · {t('share.heldBack', { n: s.heldBack.replicas })}
          </Typography.Text>
        )}
      </Flex>
      {!props.compact &&
        Object.entries(s.heldBack.byReason).map(([reason, n]) => <ReasonTag key={reason} reason={reason} n={n} />)}
    </div>
  );
}

/** The figures behind a department's share: guarantee, borrowing limit, what runs privately, what it borrows. */
export function ShareFigures(props: { sharing: DepartmentSharing }) {
  const { t, locale } = useI18n();
  const s = props.sharing;
  const cores = (n: number | undefined) =>
    n === undefined ? t('departments.unlimited') : `${formatCores(n, locale)} ${t('unit.cores')}`;
  const bytes = (n: number | undefined) => (n === undefined ? t('departments.unlimited') : formatBytes(n, locale));
  const rows = [
    { what: t('share.guarantee'), cpu: cores(s.guarantee.cpu), memory: bytes(s.guarantee.memory) },
    { what: t('share.borrowingLimit'), cpu: cores(s.borrowingLimit.cpu), memory: bytes(s.borrowingLimit.memory) },
    { what: t('share.privatePlaced'), cpu: cores(s.privatePlaced.cpu), memory: bytes(s.privatePlaced.memory) },
    { what: t('share.borrowedReplicas'), cpu: cores(s.borrowed.cpu), memory: bytes(s.borrowed.memory) },
  ];
  return (
    <Table
      size="small"
      pagination={false}
      rowKey="what"
      dataSource={rows}
      data-testid="share-figures"
      columns={[
        { title: '', dataIndex: 'what' },
        { title: t('common.cpu'), dataIndex: 'cpu' },
        { title: t('common.memory'), dataIndex: 'memory' },
      ]}
    />
  );
}

/** `GuaranteesOvercommitted` and any other platform warning, in the user's language where the code is known. */
export function PlatformWarnings(props: { warnings: readonly PlatformWarning[] }) {
  const { t, locale } = useI18n();
  return (
    <>
      {props.warnings.map((w) => {
        const p = w.params;
        const known = w.reason === 'GuaranteesOvercommitted';
        return (
          <Alert
            key={w.reason}
            type="error"
            showIcon
            style={{ marginBottom: 16 }}
            data-testid={`platform-warning-${w.reason}`}
            title={known ? t('share.overcommitted.title') : w.reason}
            description={
              known
                ? t('share.overcommitted.detail', {
                    guaranteeCpu: formatCores(p.guaranteeCpu ?? 0, locale),
                    guaranteeMemory: formatBytes(p.guaranteeMemory ?? 0, locale),
                    capacityCpu: formatCores(p.capacityCpu ?? 0, locale),
                    capacityMemory: formatBytes(p.capacityMemory ?? 0, locale),
                    clusters: p.clusters ?? 0,
                  })
                : w.message
            }
          />
        );
      })}
    </>
  );
}

/** An application's status.sharing: its priority and, per component, replicas guaranteed, borrowed, held back. */
export function AppSharing(props: { sharing: SharingStatus }) {
  const { t } = useI18n();
  const s = props.sharing;
  const rows = Object.entries(s.components)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, c]) => ({ name, ...c }));
  return (
    <div data-testid="app-sharing">
      <Typography.Paragraph>
        {t('share.priority')}:{' '}
        <Tag color={s.priority === 'critical' ? 'red' : s.priority === 'preemptible' ? 'default' : 'blue'}>
          {t(`share.priority.${s.priority}` as MessageKey)}
        </Tag>
      </Typography.Paragraph>
      <Table
        size="small"
        pagination={false}
        rowKey="name"
        dataSource={rows}
        columns={[
          { title: t('share.component'), dataIndex: 'name' },
          { title: t('share.guaranteed'), dataIndex: 'guaranteed' },
          {
            title: t('share.borrowedReplicas'),
            render: (_, r) => (r.borrowed > 0 ? <Typography.Text type="danger">{r.borrowed}</Typography.Text> : 0),
          },
          {
            title: t('share.heldBackReplicas'),
            render: (_, r) => (r.limited ? <Typography.Text type="warning">{r.limited}</Typography.Text> : 0),
          },
          {
            title: t('share.reason'),
            render: (_, r) => (r.reason && r.limited ? <ReasonTag reason={r.reason} /> : '—'),
          },
        ]}
      />
    </div>
  );
}
