import { MARKET_EN } from './market.ts';

/**
 * The English catalogue: every code polis can emit, with its template. `{name}` is a parameter. zh.ts must have
 * the same codes with the same parameters (the compiler checks the codes, catalogue.test.ts the parameters).
 * To add a code: add it here, then to zh.ts, then emit it with `msg('Code', {…})` (docs/messages.md).
 */
export const en = {
  ...MARKET_EN,
  // ── Generic shapes ──────────────────────────────────────────────────────────────────────────────────────────
  /** Several messages as one (a list of coded parts). */
  MessageList: '{items}',
  /** Something that happened on one cluster. */
  OnCluster: '{cluster}: {detail}',
  /** Something about one component. */
  /** A problem at a path in the input. */
  AtPath: '{path}: {detail}',
  /** The rest of a long list, counted. */
  AndMore: 'and {count} more',
  OnComponent: '{component}: {detail}',
  /** A text from outside polis (a Kubernetes API server, a network library), quoted as it came. */
  External: '{text}',

  // ── Events: delivery ────────────────────────────────────────────────────────────────────────────────────────
  Placed: '{components}',
  PlacedOn: '{component}: {clusters}',
  PlacedNowhere: '{component}: nowhere',
  AppliedObjects: 'applied {objects}',
  DriftRepairedObjects: 'repaired drift of {objects}',
  PrunedObjects: 'pruned {objects}',
  RemovedObjects: '{count} object(s) removed',
  ApplyFailedObjects: 'refused: {failures}',
  ObjectRefused: '{object}: {error}',
  NamespaceOwnedByOther:
    'namespace {namespace} on {cluster} belongs to application {application} of department {tenant}: nothing was applied there',
  ClusterForbidden: 'cluster {cluster} refuses what polis needs: {denied}',
  ClusterUnreachable: 'cluster {cluster} is unreachable: {detail}',
  UnreachableBecause: 'unreachable: {detail}',
  ClusterDown: 'the cluster is down',
  ClusterPartitioned: 'no route to the cluster (network partition)',
  NoDriver: 'no driver for this cluster',
  DriverClosed: 'the driver is closed',
  NoSuchSimCluster: 'no such cluster in the simulated cloud',
  ClusterPermissionsMissing:
    'the cluster refuses what polis needs: {denied} (grant them: deploy/member-cluster/polis-agent-rbac.yaml)',
  NotObservedYet: 'not observed yet',
  CleanedUpLeftovers: 'removed what was left on {cluster} after deletion',
  FailedOverFrom: 'moved off unhealthy {clusters}',
  FailedBackTo: 'back on {clusters}',
  FailingBackTo: 'starting replicas again on {clusters}',
  CrashLoopMoved: '{component} off {cluster} ({reason} for {seconds} s; healthy on {healthyOn})',
  Bursting: '{replicas} replica(s) on burst clusters ({clusters}), ¥{yuanPerHour}/h',
  BurstReleased: 'no replicas left on burst clusters',
  BurstLimited: '{replicas} replica(s) held back: {limits}',
  BurstLimitAppReplicas: 'application: {replicas} replicas',
  BurstLimitAppBudget: 'application: ¥{yuanPerHour}/h',
  BurstLimitDeptReplicas: 'department: {replicas} replicas ({used} used by its other applications)',
  BurstLimitDeptBudget: 'department: ¥{yuanPerHour}/h (¥{used}/h used by its other applications)',
  BurstLimitAppWindows: 'application: only within windows [{windows}]',
  BurstLimitDeptWindows: 'department: only within windows [{windows}]',
  BurstClosedApp: "outside the application's burst windows [{windows}]",
  BurstClosedDept: "outside the department's burst windows [{windows}]",
  ShareReclaimedPart: '{component}: {replicas} borrowed replica(s)',
  ShareHeldPart: '{component}: {replicas} replica(s) held back',
  Reclaimed: '{parts} (given back to departments that need their guarantee, or to a private cloud that shrank)',
  QuotaLimited: "{parts} (the department's guarantee and borrowing limit are used)",
  CapacityLimited: '{parts} (the private cloud has no idle capacity to lend)',

  // ── Events: scaling ─────────────────────────────────────────────────────────────────────────────────────────
  SaturatedCpu: '{component}: saturated (cpu {percent}% of requests, threshold {threshold}%, since {since})',
  SaturatedLatency: '{component}: saturated (latency p99 {ms} ms, threshold {threshold} ms, since {since})',
  SaturationEnded: '{component}: no longer saturated',
  ScaleChange: '{component} {from} → {to}: {reason}',

  // ── Application status and conditions ───────────────────────────────────────────────────────────────────────
  HeldBackByBurst: '{component}: {replicas} replica(s) held back by the burst limits (status.burst)',
  NoClusterWithRoom: '{component}: {replicas} replica(s) found no cluster with room',
  NoEligibleCluster: '{component}: {replicas} replica(s) found no eligible cluster ({excluded})',
  ComponentPhaseOn: '{component} on {cluster}: {phase}',
  ComponentPhaseOnBecause: '{component} on {cluster}: {phase} ({reason})',
  ComponentPhaseOnDetail: '{component} on {cluster}: {phase}: {detail}',
  ComponentPhaseOnBecauseDetail: '{component} on {cluster}: {phase} ({reason}): {detail}',
  WorkflowSuspended: 'workflow suspended at step {step}: polis rollout resume approves it',
  NothingAppliedOn: 'nothing applied on {clusters}',
  NotPlaced: 'no cluster was given any replica: nothing to apply',

  // ── Why a cluster was left out of a component's placement ───────────────────────────────────────────────────
  Unhealthy: 'unhealthy',
  UnhealthyBecause: 'unhealthy: {why}',
  OutsideResidencyCluster: 'outside residency: cluster {cluster} not in {allowed}',
  OutsideResidencyRegion: 'outside residency: region {region} not in {allowed}',
  OutsideResidencyZone: 'outside residency: zone {zone} not in {allowed}',
  OutsideResidencyNetworkZone: 'outside residency: networkZone {networkZone} not in {allowed}',
  NotSelectedByTopology: 'not selected by topology {topology}',
  NotInPolicyClusters: 'not in policy clusters {allowed}',
  LabelsMismatch: 'labels do not match clusterSelector {selector}',
  RegionNotInPolicy: 'region {region} not in policy regions {allowed}',
  VendorNotInPolicy: 'vendor {vendor} not in policy vendors {allowed}',
  ZoneNotInPolicy: 'zone {zone} not in policy zones {allowed}',
  NetworkZoneNotInPolicy: 'networkZone {networkZone} not in policy networkZones {allowed}',
  RoleBurstOverflowOnly: 'role burst not eligible (overflow only when primaries are full)',
  RoleDisasterRecoveryNotListed: 'role disaster-recovery not eligible (only when the policy lists it in roles)',
  RolePrimaryLeftOut: 'role primary not eligible (roles leaves out primary)',
  NotInPolicyWeights: 'not in policy weights',
  ZeroWeight: 'weight 0 in policy weights',
  NoReplicasRequested: 'eligible, 0 replicas requested',
  NotNeeded: 'eligible, not needed: the replicas fit on other clusters',
  OverflowNotNeeded: 'overflow, not needed: the eligible clusters had room',
  BurstHeldBack: 'burst, held back by the burst limits (replicas, budget or time window; see status.burst)',
  PrivateShareUsed:
    "private share used: the department's guarantee and borrowing limit, or the idle capacity, allow no more (see status.sharing)",
  NoRoom: 'no room for one replica ({resources})',
  ResourcesCpu: 'cpu',
  ResourcesMemory: 'memory',
  ResourcesCpuMemory: 'cpu, memory',
  ResourcesPods: 'pods',
  ResourcesCpuPods: 'cpu, pods',
  ResourcesMemoryPods: 'memory, pods',
  ResourcesCpuMemoryPods: 'cpu, memory, pods',
  CrashLoopAvoided:
    'application-level failover: {component} was crash-looping here ({reason}) while healthy elsewhere; the cluster is eligible again from the next revision',

  // ── Refusals ────────────────────────────────────────────────────────────────────────────────────────────────
  QuotaWouldExceed: 'department {tenant} would exceed its quota: {dimensions}',
  QuotaDimensionExceeded: '{dimension}: {requested} requested with {used} in use (limit {limit})',
  QuotaDimension: 'limit {limit}, in use {used}, requested {requested}',
  // ── Causes of refused input (ErrorCause.code) ───────────────────────────────────────────────────────────────
  MaxDepthExceeded: 'objects and arrays may nest at most {limit} levels deep; flatten this part of the document',
  TooManyLabels: '{count} labels; an object may carry at most {limit} (keep the rest in annotations)',
  InvalidLabelKey:
    'label key {key}: an optional DNS-subdomain prefix and "/", then a name of at most 63 letters, digits, "-", "_" and "."',
  InvalidLabelValue:
    'the value of label {key}: empty, or at most {limit} letters, digits, "-", "_" and ".", beginning and ending with a letter or digit',
  InvalidAnnotationKey:
    'annotation key {key}: an optional DNS-subdomain prefix and "/", then a name of at most 63 letters, digits, "-", "_" and "."',
  AnnotationsTooLarge: 'annotations total {bytes} bytes (keys and values); at most {limit} bytes are accepted',
  NamespaceNotTaken:
    '{kind} takes no namespace: polis places it by its department (metadata.tenant); remove metadata.namespace',
  NamespaceInvalid: '"{namespace}" is not a valid namespace name (a DNS label: lower-case letters, digits and "-")',
  NamespaceSystem:
    '"{namespace}" is a system namespace; an application runs in its department\'s own namespace (leave metadata.namespace out, or name "default" or a namespace of the department)',
  NamespaceOfOtherDepartment:
    '"{namespace}" is a namespace of department "{department}"; an application runs in its own department\'s namespaces',
  TopologyNamespacesCollide:
    'topology "{policy}" puts the application in namespace "{namespace}" and topology "{other}" in "{otherNamespace}", on clusters that may be the same; deploy the two to different clusters, or make a second application',
  LocalClusterNotConfigured:
    'KubeVela\'s "{cluster}" is its own control-plane cluster; polis has none (the data bureau sets one with {setting}); name the clusters to run on',
  TokenMalformed: 'the token is not a well-formed JWT',
  TokenAlgorithmNotAccepted: "the token's algorithm is not accepted",
  TokenCriticalHeaderUnknown: 'the token names a critical header polis does not understand',
  TokenKeyNotFound: 'no key of the identity provider matches the token',
  TokenSignatureInvalid: "the token's signature is invalid",
  TokenIssuerMismatch: 'the token is from another issuer than the configured one',
  TokenAudienceMismatch: 'the token is not meant for polis (audience)',
  TokenNoExpiry: 'the token has no expiry (exp)',
  TokenExpired: 'the token has expired',
  TokenNotYetValid: 'the token is not valid yet (nbf)',
  TokenIssuedInFuture: 'the token was issued in the future (iat)',
  TokenLifetimeTooLong: 'the token is valid for longer than polis accepts',
  TokenInvalid: 'the token is invalid',
} as const satisfies Record<string, string>;

/** Every code the catalogue knows. */
export type MessageCode = keyof typeof en;
