/**
 * Metering and billing's codes (src/operations, docs/operations.md), spread into en.ts and zh.ts and reasons.ts.
 * Kept in one file so the two languages of one code sit side by side.
 */
export const BILLING_EN = {
  BudgetThresholdReached: 'budget {budget}: ¥{spent} spent in {month}, {percent}% of ¥{amount}',
  BudgetExceeded: 'budget {budget} exceeded: ¥{spent} spent in {month}, {percent}% of ¥{amount}',
  BillMonthInvalid: 'month "{value}" is not valid: expected YYYY-MM (e.g. 2026-12)',
  BillFormatInvalid: 'export format "{value}" is not valid: expected csv or xlsx',
  BillDepartmentNotAllowed: 'you may not read the costs of department "{tenant}": it needs a role in it',
  MeterPeriodInvalid: 'period "{value}" is not valid: expected hour, day or month',
  CostRangeInvalid: '{param}="{value}" is not valid: expected {accepted}',
  CostReconciliationPlatformOnly: 'the reconciliation of every cluster is for platform-wide readers only',
} as const;

export const BILLING_ZH: Record<keyof typeof BILLING_EN, string> = {
  BudgetThresholdReached: '预算 {budget}：{month} 已花费 ¥{spent}，达到 ¥{amount} 的 {percent}%',
  BudgetExceeded: '预算 {budget} 已超支：{month} 已花费 ¥{spent}，为 ¥{amount} 的 {percent}%',
  BillMonthInvalid: '月份“{value}”无效：应为 YYYY-MM（如 2026-12）',
  BillFormatInvalid: '导出格式“{value}”无效：应为 csv 或 xlsx',
  BillDepartmentNotAllowed: '你无权查看部门“{tenant}”的费用：需要在该部门拥有角色',
  MeterPeriodInvalid: '周期“{value}”无效：应为 hour、day 或 month',
  CostRangeInvalid: '{param}="{value}" 无效：应为 {accepted}',
  CostReconciliationPlatformOnly: '全部集群的对账仅对平台级读者开放',
};

export const BILLING_REASONS_EN = {
  BudgetThreshold: 'Budget threshold reached',
  BudgetExceeded: 'Budget exceeded',
} as const;

export const BILLING_REASONS_ZH: Record<keyof typeof BILLING_REASONS_EN, string> = {
  BudgetThreshold: '预算达到阈值',
  BudgetExceeded: '预算超支',
};
