import type { AuditSummary as ServerSummary } from '../../../../src/audit/summary-templates.ts';
import { AUDIT_TEMPLATES, renderSummary as renderTemplates } from '../../../../src/audit/summary-templates.ts';
/** The console's languages (as i18n.tsx's Lang; not imported, so server-side tests can read this file). */
type Lang = 'zh' | 'en';

/**
 * The audit page's labels in zh and en, and its rendering of the server's audit summary codes through the server's
 * own templates (one copy, src/audit/summary-templates.ts); audit-messages.test.ts checks both languages hold every key.
 */
export interface AuditSummary {
  readonly code: string;
  readonly params: Readonly<Record<string, string | number>>;
  readonly message: string;
}

/** An entry's summary in `lang` (the server's templates, src/audit/summary-templates.ts); an unknown code (a newer
 * server) falls back to the server's English sentence. */
export function renderSummary(s: AuditSummary | undefined, lang: Lang): string {
  if (!s) return '';
  if (!Object.hasOwn(AUDIT_TEMPLATES.en, s.code)) return s.message;
  return renderTemplates(s as ServerSummary, lang === 'zh' ? 'zh-CN' : 'en');
}

/** The page's labels. */
export const AUDIT_LABELS = {
  zh: {
    summary: '摘要',
    actor: '操作人',
    action: '操作',
    outcome: '结果',
    department: '部门',
    kind: '对象类型',
    time: '时间',
    system: '显示系统操作',
    systemHelp: '系统控制器（system:delivery 等）的记录默认隐藏',
    search: '查询',
    reset: '重置',
    export: '导出',
    exportCsv: '导出 CSV',
    exportXlsx: '导出 Excel (XLSX)',
    exported: '已导出 {n} 条记录，链头 #{seq}',
    details: '详情',
    seq: '序号',
    verb: '记录的操作',
    object: '对象',
    http: 'HTTP 状态',
    message: '说明',
    request: '请求 ID',
    hash: '哈希',
    prevHash: '前一哈希',
    changes: '变更',
    noChanges: '无变更记录',
    count: '共 {n} 条',
    'action.create': '创建',
    'action.update': '修改',
    'action.apply': '提交',
    'action.delete': '删除',
    'action.rollback': '回滚',
    'action.resume': '批准（继续工作流）',
    'action.dry-run': '试运行',
    'action.status': '状态更新',
    'action.register': '注册集群',
    'action.login': '登录',
    'action.token-create': '创建令牌',
    'action.token-revoke': '吊销令牌',
    'action.suppressed': '限流计数',
  },
  en: {
    summary: 'Summary',
    actor: 'Actor',
    action: 'Action',
    outcome: 'Outcome',
    department: 'Department',
    kind: 'Kind',
    time: 'Time',
    system: 'Show system actions',
    systemHelp: 'Entries of polis controllers (system:delivery …) are hidden by default',
    search: 'Search',
    reset: 'Reset',
    export: 'Export',
    exportCsv: 'Export CSV',
    exportXlsx: 'Export Excel (XLSX)',
    exported: 'Exported {n} entries, chain head #{seq}',
    details: 'Details',
    seq: 'Sequence',
    verb: 'Recorded verb',
    object: 'Object',
    http: 'HTTP status',
    message: 'Message',
    request: 'Request ID',
    hash: 'Hash',
    prevHash: 'Previous hash',
    changes: 'Changes',
    noChanges: 'No changes recorded',
    count: '{n} entries',
    'action.create': 'Create',
    'action.update': 'Update',
    'action.apply': 'Apply',
    'action.delete': 'Delete',
    'action.rollback': 'Rollback',
    'action.resume': 'Approve (resume workflow)',
    'action.dry-run': 'Dry run',
    'action.status': 'Status update',
    'action.register': 'Register cluster',
    'action.login': 'Sign in',
    'action.token-create': 'Create token',
    'action.token-revoke': 'Revoke token',
    'action.suppressed': 'Rate-limited refusals',
  },
} as const;

export type AuditLabel = keyof (typeof AUDIT_LABELS)['zh'];

export const ACTIONS = [
  'create',
  'update',
  'apply',
  'delete',
  'rollback',
  'resume',
  'dry-run',
  'status',
  'register',
  'login',
  'token-create',
  'token-revoke',
  'suppressed',
] as const;

export function label(lang: Lang, key: AuditLabel, params?: Readonly<Record<string, string | number>>): string {
  const text: string = AUDIT_LABELS[lang][key];
  return params ? text.replace(/\{(\w+)\}/g, (w, k: string) => (k in params ? String(params[k]) : w)) : text;
}
