/**
 * The codes of rightsizing, consolidation and the maturity assessment (src/operations/rightsizing, consolidation,
 * assessment; docs/operations.md), spread into en.ts and zh.ts like market.ts.
 */
export const OPTIMIZATION_EN = {
  RightsizingNoHistory: '{component}: no usage history yet; the requests are kept',
  RightsizingNoMemoryHistory: '{component}: no memory history; the memory request is kept',
  RightsizingOomLoop:
    '{component}: {kills} OOM kills but only {bumps} bumps counted; the memory keeps running out (a leak or a limit below need): look before raising it again',
} as const satisfies Record<string, string>;

export const OPTIMIZATION_ZH: Record<keyof typeof OPTIMIZATION_EN, string> = {
  RightsizingNoHistory: '{component}：尚无用量历史，保持现有请求值',
  RightsizingNoMemoryHistory: '{component}：无内存历史，保持现有内存请求值',
  RightsizingOomLoop:
    '{component}：发生 {kills} 次内存溢出（OOM），只计入 {bumps} 次上调；内存仍不断耗尽（可能是泄漏或上限过低），请先排查再上调',
};
