/**
 * Data sharing between departments (src/market/sharing-*.ts, docs/marketplace.md), spread into en.ts, zh.ts and
 * reasons.ts: a department's SharedAPI, another's APISubscription, the owner's decision.
 */
export const SHARING_EN = {
  SharingSelfSubscribe: 'a department does not subscribe to its own API {api}: its applications call it directly',
  SharingNoSuchAPI: 'department {department} publishes no API named {api}',
  SharingSubscriptionFixed:
    'a subscription keeps its department, API and application; delete it and subscribe again to change them',
  SharingAwaitingApproval: 'waiting for department {department} to approve the subscription to {api}',
  SharingApproved:
    'approved by {by}: API key in secret {secret} ({prefix}_API_KEY) for {application}, network path open',
  SharingRefused: 'refused by {by}: {comment}',
  SharingRevoked: 'revoked by {by}: API key secret removed and network path closed',
  SharingWithdrawn: 'department {department} no longer publishes {api}: API key secret removed and network path closed',
  SharingNoSuchSubscription: 'no subscription {subscription} of department {department} to the API {api}',
  SharingDecisionNotAllowed: 'a subscription in phase {phase} cannot take the decision {verdict}; it can from: {from}',
  SharingDecisionField: '{field} is required: the subscribing department and the name of its subscription',
  SharingRefusedPlain: 'refused by {by}',
} as const satisfies Record<string, string>;

export type SharingCode = keyof typeof SHARING_EN;

export const SHARING_ZH: Record<SharingCode, string> = {
  SharingSelfSubscribe: '部门不能订阅自己的接口 {api}：本部门的应用可直接调用',
  SharingNoSuchAPI: '部门 {department} 没有发布名为 {api} 的接口',
  SharingSubscriptionFixed: '订阅不能更换部门、接口或应用；如需更换请删除后重新订阅',
  SharingAwaitingApproval: '等待部门 {department} 审批对接口 {api} 的订阅',
  SharingApproved: '{by} 已批准：{application} 的 API 密钥保存在密钥 {secret}（{prefix}_API_KEY）中，网络通路已开通',
  SharingRefused: '{by} 已拒绝：{comment}',
  SharingRevoked: '{by} 已撤销：API 密钥已删除，网络通路已关闭',
  SharingWithdrawn: '部门 {department} 已不再发布接口 {api}：API 密钥已删除，网络通路已关闭',
  SharingNoSuchSubscription: '部门 {department} 没有订阅接口 {api} 的订阅 {subscription}',
  SharingDecisionNotAllowed: '处于 {phase} 阶段的订阅不能执行 {verdict}；可执行的阶段：{from}',
  SharingDecisionField: '缺少 {field}：请给出订阅部门及其订阅名称',
  SharingRefusedPlain: '{by} 已拒绝',
};

export const SHARING_REASONS_EN = {
  AwaitingApproval: 'Awaiting approval',
  Subscribed: 'Subscribed',
  Refused: 'Refused',
  Withdrawn: 'Withdrawn',
} as const satisfies Record<string, string>;

export const SHARING_REASONS_ZH: Record<keyof typeof SHARING_REASONS_EN, string> = {
  AwaitingApproval: '等待审批',
  Subscribed: '已订阅',
  Refused: '已拒绝',
  Withdrawn: '已下架',
};
