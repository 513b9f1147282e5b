/**
 * Codes of copying a department's marketplace solution and upgrading its copies (src/market/copy-*.ts,
 * docs/marketplace.md "Copying a solution"), spread into en.ts and zh.ts.
 */
export const MARKET_COPY_EN = {
  MarketCopyEmpty: 'department {department} has no marketplace instances to copy{which}',
  MarketCopyNoSuchInstance: 'department {department} has no marketplace instance {instance}',
  MarketCopyNameInvalid: 'the copy of {name} would be named {copy}, which is not a DNS label: {problem}',
  MarketCopyNameTaken: 'department {department} already has a {kind} named {name}; choose a --suffix',
  MarketCopyUnknownRegion: 'no registered cluster is in region {region} (regions: {regions})',
  MarketCopyOverrideUnknown: 'override {instance} names no instance of the copied set ({instances})',
  MarketCopyApplicationMissing:
    'binding {binding} binds application {application}, which department {department} does not have and the copy does not make',
  MarketCopyExternalInstance:
    'instance {instance} names its own endpoint or administrator Secret: copy it by hand, its server is not copied',
  MarketCopyTargetMissing: 'department {department} does not exist',
  MarketCopyNotAllowed:
    '{user} may not {verb} {kind} in department {department}: a copy needs rights in both departments',
  MarketCopyField: '{field} must be {expected}',
  MarketCopyVersionUnavailable: '{item} {version} cannot be used: {detail}',
  MarketUpgradeNoFamily: 'no instance visible to you is {department}/{instance} or a copy of it',
  MarketUpgradeNoRelease: 'item {item} has no released version',
  MarketUpgradeRenderFailed: '{department}/{instance} cannot move to {version}: {problems}',
  SharingCallsWindow: 'minutes is {value}: a whole number of minutes from 1 to 10080 (a week)',
} as const satisfies Record<string, string>;

export type MarketCopyCode = keyof typeof MARKET_COPY_EN;

export const MARKET_COPY_ZH: Record<MarketCopyCode, string> = {
  MarketCopyEmpty: '部门 {department} 没有可复制的服务市场实例{which}',
  MarketCopyNoSuchInstance: '部门 {department} 没有服务市场实例 {instance}',
  MarketCopyNameInvalid: '{name} 的副本将命名为 {copy}，不是合法的 DNS 标签：{problem}',
  MarketCopyNameTaken: '部门 {department} 已有名为 {name} 的 {kind}；请用 --suffix 指定后缀',
  MarketCopyUnknownRegion: '没有已登记的集群位于区域 {region}（现有区域：{regions}）',
  MarketCopyOverrideUnknown: '参数覆盖 {instance} 不是被复制实例之一（{instances}）',
  MarketCopyApplicationMissing:
    '绑定 {binding} 绑定的应用 {application} 在部门 {department} 中不存在，复制也不会创建它',
  MarketCopyExternalInstance: '实例 {instance} 指定了自己的访问地址或管理员密钥：其服务器不会被复制，请手工复制',
  MarketCopyTargetMissing: '部门 {department} 不存在',
  MarketCopyNotAllowed: '{user} 无权在部门 {department} 中{verb} {kind}：复制需要在源部门和目标部门都有权限',
  MarketCopyField: '{field} 必须是{expected}',
  MarketCopyVersionUnavailable: '{item} {version} 不可用：{detail}',
  MarketUpgradeNoFamily: '你可见的实例中没有 {department}/{instance} 或它的副本',
  MarketUpgradeNoRelease: '商品 {item} 没有已发布的版本',
  MarketUpgradeRenderFailed: '{department}/{instance} 无法升级到 {version}：{problems}',
  SharingCallsWindow: 'minutes 为 {value}：应为 1 到 10080（一周）之间的整数分钟',
};
