/**
 * The marketplace's codes (src/market, docs/marketplace.md), spread into en.ts and zh.ts. Kept in one file so the
 * two languages of one code sit side by side; the catalogue test checks both have the same parameters.
 */
export const MARKET_EN = {
  // ── Catalog and review ──────────────────────────────────────────────────────────────────────────────────────
  MarketSchemaInvalid: 'the parameter schema is not valid JSON Schema (draft 2020-12): {problems}',
  MarketSchemaProblem: '{path}: {problem}',
  MarketParametersInvalid: 'the parameters do not match the schema of {item} {version}: {problems}',
  MarketTemplateUnknownParameter:
    'the template names parameter {name} at {path}, which the parameter schema does not define',
  MarketTemplateRendersInvalid: 'with {case} parameters the template is not a valid application: {problems}',
  MarketImageNotAllowed: 'image {image} at {path} is not from an allowed registry (allowed: {registries})',
  MarketImageNoRegistry:
    'image {image} at {path} names no registry host; write it in full (e.g. registry.gov.cn/library/{image})',
  MarketLicenceMissing: 'no licence declared: set spec.licence on item {item}',
  MarketVersionImmutable:
    'version {version} is {phase}: a submitted or released version never changes; publish a new version',
  MarketVersionNotDeletable:
    'version {version} is {phase}: a released version is never deleted; deprecate its item instead',
  MarketVersionItemMissing: 'catalog item {item} does not exist; create it before its versions',
  MarketVersionExists: 'item {item} already has version {version} (object {existing}); a version is published once',
  MarketSubmitNotDraft: 'version {version} is {phase}: only a draft or a rejected version can be submitted',
  MarketChecksFailed: 'the automatic checks failed: {problems}',
  MarketReviewNotSubmitted: 'version {version} is {phase}: only a submitted version can be approved or rejected',
  MarketReviewOwnItem:
    'user {user} submitted or maintains {item}: a reviewer never reviews their own item (separation of duties)',
  MarketReviewerRole: 'user {user} may not review: reviewing needs the data bureau (platform-admin)',
  MarketRejectNeedsComment: "a rejection needs a comment saying what to change (the body's comment field)",
  MarketLifecycleOnlyBureau: 'user {user} may not change the state of an item: needs platform-admin',
  MarketLifecycleUnknown: 'unknown item state {state}; expected one of {states}',
  MarketItemApproved: '{item} {version} approved by {reviewer}',
  MarketItemRejected: '{item} {version} rejected by {reviewer}: {comment}',
  MarketCheckPassed: 'all automatic checks passed',
  // ── Instances ───────────────────────────────────────────────────────────────────────────────────────────────
  MarketNoSuchItem: 'no catalog item {item}',
  MarketNoSuchVersion: 'catalog item {item} has no version {version}',
  MarketVersionNotReleased:
    'version {version} of {item} is {phase}, not released: only released versions are instantiated',
  MarketItemNotAvailable: 'item {item} is {state}: no new instances (existing instances keep running)',
  MarketSharedOnlyPlatform:
    'a shared instance runs only in the platform space {space}; remove spec.shared or create it there',
  MarketEndpointOnlyPlatform:
    'spec.endpoint makes polis connect to that address itself: only instances in the platform space {space} name one',
  MarketApplicationTaken: 'application {application} exists and does not belong to instance {instance}',
  MarketInstanceRendered: 'application {application} rendered from {item} {version}',
  MarketInstanceSpecItemFixed: 'an instance keeps its item; change spec.version to upgrade, or create another instance',
  // ── Bindings ────────────────────────────────────────────────────────────────────────────────────────────────
  MarketNoSuchInstance: 'no instance {instance} in this department and no shared instance of that name',
  MarketInstanceNotBindable: 'instance {instance} ({item}) declares no connection: it cannot be bound',
  MarketBindingFixed: 'a binding keeps its instance and application; delete it and bind again',
  MarketInstanceInUse:
    'instance {instance} is bound by {count} binding(s) (first: {binding}); delete them before the instance',
  MarketBindingProvisioning: 'making credentials on {instance} (attempt {attempt})',
  MarketBindingReady: 'credentials in secret {secret}, delivered to {application} as {prefix}_* variables',
  MarketBindingRetrying: 'attempt {attempt} failed, retrying in {seconds} s: {detail}',
  MarketBindingRolledBack: 'gave up after {attempts} attempts and removed everything made: {detail}',
  MarketBindingRevoked: 'credentials on {instance} revoked and secret {secret} removed',
  MarketBindingWaitingInstance: 'instance {instance} is not ready to bind yet: {detail}',
  MarketProvisionerFailed: '{engine} provisioner: {detail}',
  MarketProvisionerInjected: 'injected provisioner failure ({remaining} more)',
  MarketProvisionerNoAdmin: 'no admin credentials for instance {instance}: secret {secret} is missing or lacks {keys}',
  MarketProvisionerUnsupported: 'no provisioner for engine {engine} here',
} as const satisfies Record<string, string>;

export type MarketCode = keyof typeof MARKET_EN;

export const MARKET_ZH: Record<MarketCode, string> = {
  MarketSchemaInvalid: '参数模式不是有效的 JSON Schema（2020-12 草案）：{problems}',
  MarketSchemaProblem: '{path}：{problem}',
  MarketParametersInvalid: '参数不符合 {item} {version} 的模式：{problems}',
  MarketTemplateUnknownParameter: '模板在 {path} 引用了参数 {name}，但参数模式中没有定义该参数',
  MarketTemplateRendersInvalid: '使用{case}参数时模板不是有效的应用：{problems}',
  MarketImageNotAllowed: '{path} 处的镜像 {image} 不来自允许的镜像仓库（允许：{registries}）',
  MarketImageNoRegistry: '{path} 处的镜像 {image} 未写明镜像仓库地址；请写全（例如 registry.gov.cn/library/{image}）',
  MarketLicenceMissing: '未声明许可证：请设置商品 {item} 的 spec.licence',
  MarketVersionImmutable: '版本 {version} 处于{phase}状态：已提交或已发布的版本不可修改；请发布新版本',
  MarketVersionNotDeletable: '版本 {version} 处于{phase}状态：已发布的版本不可删除；请改为弃用其商品',
  MarketVersionItemMissing: '目录商品 {item} 不存在；请先创建商品再创建版本',
  MarketVersionExists: '商品 {item} 已有版本 {version}（对象 {existing}）；每个版本只能发布一次',
  MarketSubmitNotDraft: '版本 {version} 处于{phase}状态：只有草稿或被驳回的版本可以提交',
  MarketChecksFailed: '自动检查未通过：{problems}',
  MarketReviewNotSubmitted: '版本 {version} 处于{phase}状态：只有已提交的版本可以批准或驳回',
  MarketReviewOwnItem: '用户 {user} 提交或维护了 {item}：审核人不得审核自己的商品（职责分离）',
  MarketReviewerRole: '用户 {user} 无权审核：审核需要数据局（platform-admin）',
  MarketRejectNeedsComment: '驳回必须附带修改意见（请求体的 comment 字段）',
  MarketLifecycleOnlyBureau: '用户 {user} 无权更改商品状态：需要 platform-admin',
  MarketLifecycleUnknown: '未知的商品状态 {state}；可选：{states}',
  MarketItemApproved: '{item} {version} 已由 {reviewer} 批准',
  MarketItemRejected: '{item} {version} 已被 {reviewer} 驳回：{comment}',
  MarketCheckPassed: '自动检查全部通过',
  MarketNoSuchItem: '没有目录商品 {item}',
  MarketNoSuchVersion: '目录商品 {item} 没有版本 {version}',
  MarketVersionNotReleased: '{item} 的版本 {version} 处于{phase}状态，尚未发布：只能实例化已发布的版本',
  MarketItemNotAvailable: '商品 {item} 处于{state}状态：不能新建实例（已有实例继续运行）',
  MarketSharedOnlyPlatform: '共享实例只能运行在平台空间 {space} 中；请去掉 spec.shared 或在该空间创建',
  MarketEndpointOnlyPlatform: 'spec.endpoint 会让 polis 直接连接该地址：只有平台空间 {space} 中的实例可以设置',
  MarketApplicationTaken: '应用 {application} 已存在且不属于实例 {instance}',
  MarketInstanceRendered: '已由 {item} {version} 渲染出应用 {application}',
  MarketInstanceSpecItemFixed: '实例不能更换商品；升级请修改 spec.version，或新建实例',
  MarketNoSuchInstance: '本部门没有实例 {instance}，也没有同名的共享实例',
  MarketInstanceNotBindable: '实例 {instance}（{item}）未声明连接方式：不能绑定',
  MarketBindingFixed: '绑定不能更换实例或应用；请删除后重新绑定',
  MarketInstanceInUse: '实例 {instance} 仍被 {count} 个绑定使用（首个：{binding}）；请先删除这些绑定',
  MarketBindingProvisioning: '正在实例 {instance} 上创建凭据（第 {attempt} 次）',
  MarketBindingReady: '凭据保存在密钥 {secret} 中，已作为 {prefix}_* 环境变量交付给 {application}',
  MarketBindingRetrying: '第 {attempt} 次尝试失败，{seconds} 秒后重试：{detail}',
  MarketBindingRolledBack: '尝试 {attempts} 次后放弃，已删除创建的全部内容：{detail}',
  MarketBindingRevoked: '已撤销实例 {instance} 上的凭据并删除密钥 {secret}',
  MarketBindingWaitingInstance: '实例 {instance} 尚不能绑定：{detail}',
  MarketProvisionerFailed: '{engine} 凭据供应器：{detail}',
  MarketProvisionerInjected: '注入的供应器故障（还剩 {remaining} 次）',
  MarketProvisionerNoAdmin: '实例 {instance} 没有管理员凭据：密钥 {secret} 不存在或缺少 {keys}',
  MarketProvisionerUnsupported: '此处没有 {engine} 的凭据供应器',
};

/** Reasons of the marketplace's events and phases, spread into reasons.ts. */
export const MARKET_REASONS_EN = {
  Submitted: 'Submitted',
  Approved: 'Approved',
  Rejected: 'Rejected',
  Released: 'Released',
  Draft: 'Draft',
  Deprecated: 'Deprecated',
  ChecksFailed: 'Checks failed',
  Rendered: 'Rendered',
  Provisioning: 'Provisioning',
  Bound: 'Bound',
  ProvisionRetrying: 'Provisioning retried',
  RolledBack: 'Rolled back',
  Revoked: 'Revoked',
  Revoking: 'Revoking',
  WaitingForInstance: 'Waiting for instance',
} as const satisfies Record<string, string>;

export const MARKET_REASONS_ZH: Record<keyof typeof MARKET_REASONS_EN, string> = {
  Submitted: '已提交',
  Approved: '已批准',
  Rejected: '已驳回',
  Released: '已发布',
  Draft: '草稿',
  Deprecated: '已弃用',
  ChecksFailed: '检查未通过',
  Rendered: '已渲染',
  Provisioning: '正在供应',
  Bound: '已绑定',
  ProvisionRetrying: '供应重试中',
  RolledBack: '已回滚',
  Revoked: '已撤销',
  Revoking: '正在撤销',
  WaitingForInstance: '等待实例',
};
