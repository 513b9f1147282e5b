/**
 * The codes of audit summaries: one per thing a reviewer reads an entry as. Clients render them from their own
 * catalogue (the templates below, which the console renders through too); `message` is the English
 * fallback for plain API clients.
 */
export const AUDIT_SUMMARY_CODES = [
  'AuditCreate',
  'AuditUpdate',
  'AuditApply',
  'AuditDelete',
  'AuditStatusUpdate',
  'AuditRollback',
  'AuditApprove',
  'AuditTokenCreate',
  'AuditTokenRevoke',
  'AuditLogin',
  'AuditRegister',
  'AuditAction',
  'AuditRefused',
  'AuditDryRunRefused',
  'AuditApplyUnreadable',
  'AuditRefusalsSuppressed',
] as const;
export type AuditSummaryCode = (typeof AUDIT_SUMMARY_CODES)[number];

export type SummaryParams = Readonly<Record<string, string | number>>;

/** What an entry says, as a code and its parameters, with the English sentence for clients without a catalogue. */
export interface AuditSummary {
  readonly code: AuditSummaryCode;
  readonly params: SummaryParams;
  readonly message: string;
}

/**
 * zh-CN and en templates of the audit summary codes, for what the server renders itself (exports in the reader's
 * language) and for the console (web/src/pages/audit/audit-messages.ts renders through them); a test checks that
 * every code has a template in both languages. Pure: no server imports, so the console can bundle it.
 */
export type AuditLang = 'zh-CN' | 'en';

type Templates = Readonly<Record<AuditSummaryCode, string>>;

export const AUDIT_TEMPLATES: Readonly<Record<AuditLang, Templates>> = {
  'zh-CN': {
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

/** Names of kinds, actions and outcomes a summary mentions; anything not listed is shown as recorded. */
export const AUDIT_WORDS: Readonly<Record<AuditLang, Readonly<Record<string, string>>>> = {
  'zh-CN': {
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

/** A summary in `lang`: the template with its parameters, kinds/actions/outcomes named in that language. */
export function renderSummary(s: AuditSummary, lang: AuditLang): string {
  const words = AUDIT_WORDS[lang];
  const p: SummaryParams = s.params;
  const kind = String(p.kind ?? '');
  const values: Record<string, string> = {
    ...Object.fromEntries(Object.entries(p).map(([k, v]) => [k, String(v)])),
    kind: kind === '' ? '' : lang === 'zh-CN' ? (words[`kind.${kind}`] ?? kind) : kind,
    actionName: words[`action.${String(p.action ?? '')}`] ?? String(p.action ?? ''),
    outcomeName: words[`outcome.${String(p.outcome ?? '')}`] ?? String(p.outcome ?? ''),
    forUser: p.user ? (lang === 'zh-CN' ? `（用户 ${String(p.user)}）` : ` for ${String(p.user)}`) : '',
  };
  const text = AUDIT_TEMPLATES[lang][s.code].replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? '');
  return text.replace(/ {2,}/g, ' ').trim();
}
