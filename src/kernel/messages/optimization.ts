/**
 * The codes of rightsizing, consolidation and the maturity assessment (src/operations/rightsizing, consolidation,
 * assessment; docs/operations.md), spread into en.ts and zh.ts like market.ts.
 */
export const OPTIMIZATION_EN = {
  RightsizingNoHistory: '{component}: no usage history yet; the requests are kept',
  RightsizingNoMemoryHistory: '{component}: no memory history; the memory request is kept',
  RightsizingOomLoop:
    '{component}: {kills} OOM kills but only {bumps} bumps counted; the memory keeps running out (a leak or a limit below need): look before raising it again',
  ConsolidationCsvHeader: 'the first line must be the header {expected}',
  ConsolidationCsvTooLong: 'more than {max} rows: split the estate into several files',
  ConsolidationCsvColumns: '{found} columns; expected 6: {expected}',
  ConsolidationCsvValue: '{column} "{value}" is not valid: expected {accepted}',
  ConsolidationCsvEmpty: 'no rows after the header',
} as const satisfies Record<string, string>;

export const OPTIMIZATION_ZH: Record<keyof typeof OPTIMIZATION_EN, string> = {
  RightsizingNoHistory: '{component}：尚无用量历史，保持现有请求值',
  RightsizingNoMemoryHistory: '{component}：无内存历史，保持现有内存请求值',
  RightsizingOomLoop:
    '{component}：发生 {kills} 次内存溢出（OOM），只计入 {bumps} 次上调；内存仍不断耗尽（可能是泄漏或上限过低），请先排查再上调',
  ConsolidationCsvHeader: '第一行必须是表头 {expected}',
  ConsolidationCsvTooLong: '超过 {max} 行：请把资源分成多个文件',
  ConsolidationCsvColumns: '有 {found} 列；应为 6 列：{expected}',
  ConsolidationCsvValue: '{column} 的值 "{value}" 无效：应为 {accepted}',
  ConsolidationCsvEmpty: '表头之后没有数据行',
};
