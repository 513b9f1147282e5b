import type { Lang, Message } from '../../kernel/messages/index.ts';
import { msg, renderMessage } from '../../kernel/messages/index.ts';
import type { Rendered } from './channels/channel.ts';
import type { Notice } from './notice.ts';

/** Labels around the coded sentences, in both languages (the sentences come from the catalogue). */
const LABELS: Readonly<Record<Lang, Readonly<Record<string, string>>>> = {
  zh: {
    page: '紧急',
    ticket: '工单',
    info: '提示',
    firing: '告警中',
    resolved: '已恢复',
    open: '处理中',
    acknowledged: '已确认',
    platform: '平台运维团队',
    department: '部门',
    vendor: '厂商',
    publisher: '共享组件发布方',
    severity: '级别',
    status: '状态',
    owner: '处理方',
    departmentName: '部门',
    target: '对象',
    at: '时间',
  },
  en: {
    page: 'page',
    ticket: 'ticket',
    info: 'info',
    firing: 'firing',
    resolved: 'resolved',
    open: 'open',
    acknowledged: 'acknowledged',
    platform: 'platform team',
    department: 'department',
    vendor: 'vendor',
    publisher: 'publisher of the shared component',
    severity: 'Severity',
    status: 'Status',
    owner: 'Owner',
    departmentName: 'Department',
    target: 'Target',
    at: 'At',
  },
};

function titleIn(n: Notice, lang: Lang): string {
  const t: Message = {
    ...n.title,
    params: { ...(n.title.params ?? {}), severity: LABELS[lang][n.severity] ?? n.severity },
  };
  return renderMessage(t, lang);
}

function block(n: Notice, lang: Lang, md: boolean): string {
  const L = LABELS[lang];
  const target = [n.labels.app, n.labels.component].filter(Boolean).join('/') || n.labels.cluster || '';
  const rows: Array<[string, string]> = [
    [L.severity!, L[n.severity] ?? n.severity],
    [L.status!, L[n.status] ?? n.status],
    [L.owner!, L[n.owner] ?? n.owner],
    ...(n.tenant !== undefined ? ([[L.departmentName!, n.tenant]] as Array<[string, string]>) : []),
    ...(target ? ([[L.target!, target]] as Array<[string, string]>) : []),
    [L.at!, new Date(n.at).toISOString()],
  ];
  const sentence = renderMessage(n.message, lang);
  const held = n.inhibitedBy
    ? renderMessage(msg('NotifyInhibited', { cluster: n.inhibitedBy.cluster, rule: n.inhibitedBy.rule }), lang)
    : undefined;
  if (md)
    return [
      `### ${titleIn(n, lang)}`,
      '',
      sentence,
      '',
      ...rows.map(([k, v]) => `- **${k}**: ${v}`),
      ...(held ? ['', `> ${held}`] : []),
    ].join('\n');
  return [titleIn(n, lang), sentence, ...rows.map(([k, v]) => `${k}: ${v}`), ...(held ? [held] : [])].join('\n');
}

/** A notice rendered for a channel in `zh`, `en`, or both (`zh-en`: Chinese first). */
export function renderNotice(n: Notice, language: 'zh' | 'en' | 'zh-en'): Rendered {
  const langs: Lang[] = language === 'zh-en' ? ['zh', 'en'] : [language];
  return {
    title: langs.map((l) => titleIn(n, l)).join(' / '),
    text: langs.map((l) => block(n, l, false)).join('\n\n'),
    markdown: langs.map((l) => block(n, l, true)).join('\n\n---\n\n'),
  };
}
