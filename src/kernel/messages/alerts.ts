/**
 * The codes of SLOs, alerts and notifications (src/observe/alerts, src/observe/notify, docs/observe.md), spread
 * into en.ts and zh.ts. The two languages of one code sit side by side; the catalogue test checks their parameters.
 */
export const ALERTS_EN = {
  // ── Alerts ─────────────────────────────────────────────────────────────────────────────────────────────────
  AlertAvailabilityBudgetBurn:
    '{target}: the availability error budget (objective {objective}%) burns {rate}× as fast as allowed over {long} and {short} (alert at {factor}×)',
  AlertLatencyBudgetBurn:
    '{target}: the latency error budget (p99 ≤ {thresholdMs} ms, objective {objective}%) burns {rate}× as fast as allowed over {long} and {short} (alert at {factor}×)',
  AlertClusterUnreachable: 'cluster {cluster} is unreachable',
  AlertNodesNotReady: '{count} node(s) of cluster {cluster} not ready',
  AlertClusterRequested: 'cluster {cluster}: {resource} requests at {percent}% of allocatable (alert at {threshold}%)',
  AlertQuotaUsed: 'department {tenant}: {resource} at {percent}% of its quota (alert at {threshold}%)',
  AlertSaturated: '{target}: CPU at {percent}% of requests over {window} (alert at {threshold}%)',
  AlertNodeCpuSaturated:
    'cluster {cluster}: its busiest node’s CPU at {percent}% of allocatable over {window} (alert at {threshold}%)',
  AlertMemoryNearLimit:
    '{target}: a container’s working set reached {percent}% of its memory limit within {window} (alert at {threshold}%)',
  AlertCrashLoop: '{target} is crash-looping',
  AlertJobFailed: '{target}: the last run failed',
  AlertBurstBudget: 'department {tenant}: {percent}% of its burst budget spent (alert at {threshold}%)',
  AlertThreshold: '{rule} on {target}: {signal} ({aggregate} over {window}) is {value}, {op} {threshold}',
  AlertBaselineDeparted:
    '{rule} on {target}: {signal} over {window} is {value}, above {factor}× its own normal of {baseline} (the median over {baselineWindow}) and {floor} over it',
  AlertErrorRatioElevated:
    '{target}: {percent}% of requests failing throughout {window}, against its own normal of {baseline}% (the median over {baselineWindow}; alert above {factor}× it and {floor} points over it)',
  AlertCpuAboveNormal:
    '{target}: CPU at {percent}% of requests throughout {window}, {ratio}× its own normal of {baseline}% (the median over {baselineWindow}) while its requests are at {loadRatio}× theirs: work its load does not explain (alert above {factor}× the load’s rise and {floor} points over the normal)',
  AlertLatencyShifted:
    '{target}: p99 latency {value} ms throughout {window}, {ratio}× its own normal of {baseline} ms (the median over {baselineWindow}) while its requests are at {loadRatio}× theirs (alert above {factor}× the load’s rise and {floor} ms over the normal)',
  AlertNodeCpuAboveNormal:
    'node {node} of cluster {cluster}: CPU at {percent}% of allocatable throughout {window}, {ratio}× its own normal of {baseline}% (the median over {baselineWindow}) while its pods use {loadRatio}× theirs: work outside its pods (alert above {factor}× the pods’ rise and {floor} points over the normal)',
  AlertLatencyAboveRange:
    '{target}: p99 latency {value} ms throughout {window}, {ratio}× the highest of its own normal, {baseline} ms (the highest 18-minute average over {baselineWindow}), while its requests are at {loadRatio}× their highest (alert above {factor}× that and {floor} ms over it)',
  AlertCpuThrottled:
    '{target}: throttled at its CPU limit in {percent}% of CPU periods throughout {window} (alert at {threshold}%)',
  AlertMemoryLeakPredicted:
    '{target}: a container’s working set at {percent}% of its memory limit, rising {perMinute} points a minute over {window}: at the limit (an OOM kill) in about {minutes} min (alert when within {horizon})',
  AlertTrendPredicted:
    '{rule} on {target}: {signal} at {value}, its line over {window} rising {perMinute} a minute: at {threshold} in about {minutes} min (alert when within {horizon})',
  AlertMemoryGrowing:
    '{target}: a container’s working set at {percent}% of its memory limit, above its normal peak of {peak}% (the median of its highest over {peakWindow}) and rising {perMinute} points a minute over {window}: at the limit in about {minutes} min if it goes on (alert {over} points over the peak, at the limit within {horizon})',
  // ── Rules and objectives ────────────────────────────────────────────────────────────────────────────────────
  SloFieldInvalid: 'not accepted here: expected {accepted}',
  AlertRuleSignalUnknown: 'unknown signal {signal}; expected one of {signals}',
  AlertRuleSignalPlatformOnly:
    'signal {signal} is about a {scope}, which belongs to no department: only rules in the platform space {space} read it',
  AlertRuleDurationInvalid: '"{value}" is not a duration: write one such as 30s, 5m, 1h or 3d',
  AlertRuleNeedsOneExpr: 'give exactly one of threshold, burnRate and trend',
  AlertRuleDurationZero: '"{value}" is no time: write a duration longer than 0s, such as 30s, 5m or 1h',
  AlertRuleTrendRising:
    'rising {rising} must be shorter than the window {window}: the newest samples must rise above the ones before them',
  AlertRuleTenantSelector: 'a department’s rule reads its own series: the selector may not name department {tenant}',
  AlertRuleWindowOrder: 'the short window {short} must be shorter than the long window {long}',
  AlertExportFormat: 'format={format} is not offered; expected prometheus',
  // ── Notification ────────────────────────────────────────────────────────────────────────────────────────────
  NotifyTitleFiring: '[{severity}] firing: {rule}',
  NotifyTitleResolved: '[{severity}] resolved: {rule}',
  NotifyTitleIncident: '[{severity}] incident {incident}: {state}',
  NotifySilenced: 'held back by silence {silence}',
  NotifyInhibited: 'held back: cluster {cluster} is unreachable (alert {rule})',
  NotifyDelivered: 'delivered to {channel} ({type}) after {attempts} attempt(s)',
  NotifyGaveUp: 'gave up on {channel} ({type}) after {attempts} attempt(s): {detail}',
  NotifyRetrying: 'attempt {attempts} on {channel} ({type}) failed: {detail}; tried again at {at}',
  NotifyChannelGone: 'channel {channel} was removed before its retry',
  NotifyChannelRefused: '{type} answered {status}: {detail}',
  NotifyChannelUnreachable: 'could not reach {target}: {detail}',
  NotifyHostForbidden: '{host} is not sent to (link-local, metadata or, unless allowed, a private address)',
  NotifySecretMissing: 'channel {channel} has no {key} in its secrets',
  NotifyFieldRequired: '{field} is required for a {type} channel',
  NotifyTemplateUnknown: 'unknown placeholder {name}; the template may use {accepted}',
  NotifyNoChannels: 'no channel routes it',
  NotifyChannelOneType: 'a {type} channel takes spec.{type} only; remove spec.{other}',
  SilenceNeedsEnd: 'a silence ends: give endsAt, or a maintenance schedule and duration',
  SilenceEndsBeforeStart: 'endsAt must be after startsAt',
  SilenceScheduleInvalid: 'not a schedule: {problem}',
} as const satisfies Record<string, string>;

export const ALERTS_ZH: Record<keyof typeof ALERTS_EN, string> = {
  AlertAvailabilityBudgetBurn:
    '{target}：可用性错误预算（目标 {objective}%）在 {long} 与 {short} 内以允许速度的 {rate} 倍消耗（告警阈值 {factor} 倍）',
  AlertLatencyBudgetBurn:
    '{target}：时延错误预算（p99 ≤ {thresholdMs} 毫秒，目标 {objective}%）在 {long} 与 {short} 内以允许速度的 {rate} 倍消耗（告警阈值 {factor} 倍）',
  AlertClusterUnreachable: '集群 {cluster} 无法连接',
  AlertNodesNotReady: '集群 {cluster} 有 {count} 个节点未就绪',
  AlertClusterRequested: '集群 {cluster}：{resource} 请求量已达可分配量的 {percent}%（告警阈值 {threshold}%）',
  AlertQuotaUsed: '部门 {tenant}：{resource} 已用配额的 {percent}%（告警阈值 {threshold}%）',
  AlertSaturated: '{target}：{window} 内 CPU 达请求量的 {percent}%（告警阈值 {threshold}%）',
  AlertNodeCpuSaturated: '集群 {cluster}：{window} 内最繁忙节点的 CPU 达可分配量的 {percent}%（告警阈值 {threshold}%）',
  AlertMemoryNearLimit: '{target}：{window} 内有容器的工作集内存达其内存上限的 {percent}%（告警阈值 {threshold}%）',
  AlertCrashLoop: '{target} 反复崩溃重启',
  AlertJobFailed: '{target}：最近一次运行失败',
  AlertBurstBudget: '部门 {tenant}：突发预算已用 {percent}%（告警阈值 {threshold}%）',
  AlertThreshold: '{rule} 于 {target}：{signal}（{window} 内 {aggregate}）为 {value}，{op} {threshold}',
  AlertBaselineDeparted:
    '{rule} 于 {target}：{window} 内 {signal} 为 {value}，超过其自身常态 {baseline}（{baselineWindow} 内的中位数）的 {factor} 倍，且高出 {floor} 以上',
  AlertErrorRatioElevated:
    '{target}：{window} 内请求失败率始终为 {percent}%，其自身常态为 {baseline}%（{baselineWindow} 内的中位数；高于常态 {factor} 倍且高出 {floor} 个百分点时告警）',
  AlertCpuAboveNormal:
    '{target}：{window} 内 CPU 始终为请求量的 {percent}%，是其自身常态 {baseline}%（{baselineWindow} 内的中位数）的 {ratio} 倍，而请求量为其常态的 {loadRatio} 倍：负载无法解释的 CPU 消耗（超过负载增幅的 {factor} 倍且高出常态 {floor} 个百分点时告警）',
  AlertLatencyShifted:
    '{target}：{window} 内 p99 时延始终为 {value} 毫秒，是其自身常态 {baseline} 毫秒（{baselineWindow} 内的中位数）的 {ratio} 倍，而请求量为其常态的 {loadRatio} 倍（超过负载增幅的 {factor} 倍且高出常态 {floor} 毫秒时告警）',
  AlertNodeCpuAboveNormal:
    '集群 {cluster} 的节点 {node}：{window} 内 CPU 始终为可分配量的 {percent}%，是其自身常态 {baseline}%（{baselineWindow} 内的中位数）的 {ratio} 倍，而其上 Pod 的 CPU 为其常态的 {loadRatio} 倍：Pod 之外的消耗（超过 Pod 增幅的 {factor} 倍且高出常态 {floor} 个百分点时告警）',
  AlertLatencyAboveRange:
    '{target}：{window} 内 p99 时延始终为 {value} 毫秒，是其自身常态上限 {baseline} 毫秒（{baselineWindow} 内最高的 18 分钟均值）的 {ratio} 倍，而请求量为其常态上限的 {loadRatio} 倍（超过其 {factor} 倍且高出上限 {floor} 毫秒时告警）',
  AlertCpuThrottled: '{target}：{window} 内 {percent}% 的 CPU 周期因达到 CPU 上限而被限流（告警阈值 {threshold}%）',
  AlertMemoryLeakPredicted:
    '{target}：有容器的工作集内存达其内存上限的 {percent}%，{window} 内每分钟上升 {perMinute} 个百分点：约 {minutes} 分钟后达到上限（OOM 终止）（预计 {horizon} 内达到时告警）',
  AlertTrendPredicted:
    '{rule}（{target}）：{signal} 为 {value}，其 {window} 内的趋势线每分钟上升 {perMinute}：约 {minutes} 分钟后达到 {threshold}（在 {horizon} 内将达到时告警）',
  AlertMemoryGrowing:
    '{target}：有容器的工作集内存达其内存上限的 {percent}%，超过其常态峰值 {peak}%（{peakWindow} 内各段最高值的中位数），{window} 内每分钟上升 {perMinute} 个百分点：照此约 {minutes} 分钟后达到上限（高出峰值 {over} 个百分点、预计 {horizon} 内达到上限时告警）',
  SloFieldInvalid: '此处不接受该值：应为 {accepted}',
  AlertRuleSignalUnknown: '未知信号 {signal}；应为以下之一：{signals}',
  AlertRuleSignalPlatformOnly: '信号 {signal} 属于{scope}，不属于任何部门：只有平台空间 {space} 中的规则可以读取',
  AlertRuleDurationInvalid: '"{value}" 不是时长：请写成 30s、5m、1h 或 3d 这样的形式',
  AlertRuleNeedsOneExpr: 'threshold、burnRate 与 trend 须且只须给出一个',
  AlertRuleDurationZero: '"{value}" 不是一段时间：请写成大于 0s 的时长，如 30s、5m 或 1h',
  AlertRuleTrendRising: 'rising {rising} 必须短于窗口 {window}：最新的样本须高于其之前的样本',
  AlertRuleTenantSelector: '部门规则只能读取本部门的序列：选择器不能指定部门 {tenant}',
  AlertRuleWindowOrder: '短窗口 {short} 必须短于长窗口 {long}',
  AlertExportFormat: '不支持 format={format}；应为 prometheus',
  NotifyTitleFiring: '[{severity}] 告警：{rule}',
  NotifyTitleResolved: '[{severity}] 已恢复：{rule}',
  NotifyTitleIncident: '[{severity}] 事件 {incident}：{state}',
  NotifySilenced: '已被静默规则 {silence} 抑制',
  NotifyInhibited: '已暂缓：集群 {cluster} 无法连接（告警 {rule}）',
  NotifyDelivered: '已通过 {channel}（{type}）送达，尝试 {attempts} 次',
  NotifyGaveUp: '通过 {channel}（{type}）发送 {attempts} 次后放弃：{detail}',
  NotifyRetrying: '通过 {channel}（{type}）第 {attempts} 次发送失败：{detail}；将于 {at} 重试',
  NotifyChannelGone: '渠道 {channel} 在重试前已被删除',
  NotifyChannelRefused: '{type} 返回 {status}：{detail}',
  NotifyChannelUnreachable: '无法连接 {target}：{detail}',
  NotifyHostForbidden: '不向 {host} 发送（链路本地、元数据地址，或未经允许的私有地址）',
  NotifySecretMissing: '通道 {channel} 的密钥中没有 {key}',
  NotifyFieldRequired: '{type} 通道必须填写 {field}',
  NotifyTemplateUnknown: '未知占位符 {name}；模板可使用 {accepted}',
  NotifyNoChannels: '没有通道接收',
  NotifyChannelOneType: '{type} 通道只接受 spec.{type}；请删除 spec.{other}',
  SilenceNeedsEnd: '静默必须有结束：请给出 endsAt，或维护计划与时长',
  SilenceEndsBeforeStart: 'endsAt 必须晚于 startsAt',
  SilenceScheduleInvalid: '不是有效的计划：{problem}',
};

/** Reasons of alert states and notification outcomes, spread into reasons.ts. */
export const ALERTS_REASONS_EN = {
  AlertPending: 'Pending',
  AlertFiring: 'Firing',
  AlertResolved: 'Resolved',
  AlertInhibited: 'Inhibited',
  NotificationSilenced: 'Silenced',
  NotificationInhibited: 'Inhibited',
  NotificationRetrying: 'Retrying',
  NotificationGaveUp: 'Gave up',
} as const satisfies Record<string, string>;

export const ALERTS_REASONS_ZH: Record<keyof typeof ALERTS_REASONS_EN, string> = {
  AlertPending: '待定',
  AlertFiring: '告警中',
  AlertResolved: '已恢复',
  AlertInhibited: '已抑制',
  NotificationSilenced: '已静默',
  NotificationInhibited: '已抑制',
  NotificationRetrying: '重试中',
  NotificationGaveUp: '已放弃',
};
