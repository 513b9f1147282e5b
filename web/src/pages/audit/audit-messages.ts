/** The console's languages (as i18n.tsx's Lang; not imported, so server-side tests can read this file). */
type Lang = 'zh' | 'en';

/**
 * The audit page's own catalogue: templates of the server's audit summary codes (src/audit/summary.ts; the same
 * templates as src/audit/summary-templates.ts) and the page's labels, in zh and en. Kept here until the shared
 * message catalogue takes them; audit-messages.test.ts checks both languages hold every key.
 */
export interface AuditSummary {
  readonly code: string;
  readonly params: Readonly<Record<string, string | number>>;
  readonly message: string;
}

export const SUMMARY_TEMPLATES: Readonly<Record<Lang, Readonly<Record<string, string>>>> = {
  zh: {
    AuditCreate: '{actor} 创建了{kind} {object}',
    AuditUpdate: '{actor} 修改了{kind} {object}',
    AuditApply: '{actor} 提交了{kind} {object}',
    AuditDelete: '{actor} 删除了{kind} {object}',
    AuditStatusUpdate: '{actor} 更新了{kind} {object} 的状态',
    AuditRollback: '{actor} 将 {object} 回滚到版本 {revision}',
    AuditApprove: '{actor} 批准了 {object} 的步骤 {step}',
    AuditTokenCreate: '{actor} 创建了 API 令牌 {token}{forUser}',
    AuditTokenRevoke: '{actor} 吊销了 API 令牌 {token}',
    AuditLogin: '{actor} 登录',
    AuditRegister: '{actor} 注册了{kind} {object}',
    AuditAction: '{actor} 对{kind} {object} 执行了 {action}',
    AuditRefused: '{actor} {actionName}{kind} {object} 被拒绝（{outcomeName}，HTTP {status}）',
    AuditDryRunRefused: '{actor} 试运行{actionName}{kind} {object} 未通过（{outcomeName}，HTTP {status}）',
    AuditApplyUnreadable: '{actor} {actionName}的文档无法解析，被拒绝（{outcomeName}，HTTP {status}）',
    AuditRefusalsSuppressed: '{actor} 另有 {count} 次失败请求只计数、未逐条记录',
  },
  en: {
    AuditCreate: '{actor} created {kind} {object}',
    AuditUpdate: '{actor} updated {kind} {object}',
    AuditApply: '{actor} applied {kind} {object}',
    AuditDelete: '{actor} deleted {kind} {object}',
    AuditStatusUpdate: '{actor} reported the status of {kind} {object}',
    AuditRollback: '{actor} rolled {object} back to revision {revision}',
    AuditApprove: '{actor} approved step {step} of {object}',
    AuditTokenCreate: '{actor} created API token {token}{forUser}',
    AuditTokenRevoke: '{actor} revoked API token {token}',
    AuditLogin: '{actor} signed in',
    AuditRegister: '{actor} registered {kind} {object}',
    AuditAction: '{actor} ran {action} on {kind} {object}',
    AuditRefused: '{actor} was refused: {actionName} {kind} {object} ({outcomeName}, HTTP {status})',
    AuditDryRunRefused: "{actor}'s dry run did not pass: {actionName} {kind} {object} ({outcomeName}, HTTP {status})",
    AuditApplyUnreadable:
      "{actor}'s {actionName} was refused: the document could not be read ({outcomeName}, HTTP {status})",
    AuditRefusalsSuppressed: '{count} further failed requests by {actor} were counted, not recorded one by one',
  },
};

const WORDS: Readonly<Record<Lang, Readonly<Record<string, string>>>> = {
  zh: {
    'kind.Application': '应用',
    'kind.Secret': '密钥',
    'kind.Cluster': '集群',
    'kind.Tenant': '部门',
    'kind.User': '用户',
    'kind.RoleBinding': '角色绑定',
    'kind.PlatformRoleBinding': '平台角色绑定',
    'kind.Token': '令牌',
    'kind.Event': '事件',
    'kind.PlatformSecret': '平台密钥',
    'action.create': '创建',
    'action.update': '修改',
    'action.patch': '修改',
    'action.apply': '提交',
    'action.delete': '删除',
    'action.rollback': '回滚',
    'action.resume': '批准',
    'action.register': '注册',
    'action.update-status': '更新状态',
    'action.patch-status': '更新状态',
    'outcome.success': '成功',
    'outcome.denied': '拒绝',
    'outcome.invalid': '不合法',
    'outcome.conflict': '冲突',
    'outcome.notfound': '不存在',
    'outcome.error': '出错',
  },
  en: {
    'action.resume': 'approve',
    'action.update-status': 'status update',
    'action.patch-status': 'status update',
    'outcome.notfound': 'not found',
  },
};

/** An entry's summary in `lang`; an unknown code falls back to the server's English sentence. */
export function renderSummary(s: AuditSummary | undefined, lang: Lang): string {
  if (!s) return '';
  const template = SUMMARY_TEMPLATES[lang][s.code];
  if (!template) return s.message;
  const words = WORDS[lang];
  const p = s.params;
  const kind = String(p.kind ?? '');
  const values: Record<string, string> = {
    ...Object.fromEntries(Object.entries(p).map(([k, v]) => [k, String(v)])),
    kind: kind === '' ? '' : lang === 'zh' ? (words[`kind.${kind}`] ?? kind) : kind,
    actionName: words[`action.${String(p.action ?? '')}`] ?? String(p.action ?? ''),
    outcomeName: words[`outcome.${String(p.outcome ?? '')}`] ?? String(p.outcome ?? ''),
    forUser: p.user ? (lang === 'zh' ? `（用户 ${String(p.user)}）` : ` for ${String(p.user)}`) : '',
  };
  return template
    .replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? '')
    .replace(/ {2,}/g, ' ')
    .trim();
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
