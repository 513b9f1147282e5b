import { ALERTS_EN } from './alerts.ts';
import { MARKET_EN } from './market.ts';
import { MARKET_COPY_EN } from './market-copy.ts';
import { SHARING_EN } from './sharing.ts';
import { OPTIMIZATION_EN } from './optimization.ts';
import { BILLING_EN } from './billing.ts';
import { SCALING_EN } from './scaling.ts';
import { VALIDATION_EN } from './validation.ts';
import { ACCESS_EN } from './access.ts';

/**
 * The English catalogue: every code polis can emit, with its template. `{name}` is a parameter. zh.ts must have
 * the same codes with the same parameters (the compiler checks the codes, catalogue.test.ts the parameters).
 * To add a code: add it here, then to zh.ts, then emit it with `msg('Code', {…})` (docs/messages.md).
 */
export const en = {
  ...MARKET_EN,
  ...MARKET_COPY_EN,
  ...SHARING_EN,
  ...OPTIMIZATION_EN,
  ...ALERTS_EN,
  ...BILLING_EN,
  ...SCALING_EN,
  ...VALIDATION_EN,
  ...ACCESS_EN,
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
  ClusterCordoned: 'cordoned: takes no new replicas (those already there stay)',
  ClusterDraining: 'draining: its replicas move to other clusters',
  DrainingFrom: 'moving off draining {clusters}; removed there once healthy elsewhere',
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

  // ── What `polis describe` derives from a status ───────────────────────────────────────────────────────────────
  ClusterUnhealthy:
    'the cluster is not healthy: nothing there is deleted while it is unreachable; the leftovers are removed once it is back',
  AwaitingReplacements: 'removed once the application is healthy on the clusters it moved to (make-before-break)',
  BurstingSummary: '{replicas} replica(s) on public-cloud burst clusters ({clusters}), ¥{cost} per hour',
  BurstLimitedSummary: '{heldBack} replica(s) a burst cluster had room for were held back by the burst limits',
  BurstClosed: 'bursting is not allowed now: {why}',

  // ── Refusals ────────────────────────────────────────────────────────────────────────────────────────────────
  ObjectNotFound: '{object} not found',
  ObjectAlreadyExists: '{object} already exists',
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
  // ── Kubernetes API, backup, TLS ─────────────────────────────────────────────────────────────────────────────
  ResourceVersionMatchInvalid: 'resourceVersionMatch "{value}" is not supported: expected NotOlderThan or Exact',
  ResourceVersionMatchWithoutVersion: 'resourceVersionMatch needs resourceVersion: give both, or leave it out',
  ResourceVersionInvalid: 'resourceVersion "{value}" is not one the server returned (a whole number)',
  ResourceVersionTooLarge: 'resourceVersion {requested} is newer than the current revision {current}',
  ResourceVersionNotCurrent:
    'polis lists at the newest revision ({current}) only, not {requested}: list without resourceVersionMatch=Exact',
  ContinueExpired:
    'the continue token is too old: the list started at revision {revision} and changes up to {compactedThrough} have been compacted; list again without continue',
  NamespaceMismatch: 'namespace "{given}" differs from the namespace in the path ("{path}")',
  FieldSelectorUnsupported:
    'field selector "{term}" is not supported: only metadata.name and metadata.namespace; use labelSelector for the rest',
  BackupNotAllowed: '{user} may not take backups: it needs platform-admin',
  TlsHalfConfigured: 'TLS needs both a certificate and its key as PEM files; missing: {missing}',
  Fenced:
    'this replica lost the {lease} lease (elected in term {epoch}, the lease is now in term {current}): a controller write was refused and nothing changed',
  LeaseLost: 'this replica lost the {lease} lease: its controllers stopped; restart it to stand again',
  StoreNotEmpty:
    'the store is not empty ({objects} objects, {auditEntries} audit entries, revision {revision}): restore into a new, empty one',
  // ── Audit review: filters, export, verification, retention ──────────────────────────────────────────────────
  AuditFilterInvalid: 'query parameter {param}="{value}" is not valid: expected {accepted}',
  AuditExportTooLarge: 'an export holds at most {limit} entries: give a shorter time range or more filters',
  AuditRetentionTooShort: 'audit retention of {given} days is too short: at least {min} days (等保 2.0: six months)',
  HashMismatch: 'entry {seq}: its fields do not give its hash',
  BrokenLink: 'entry {seq}: its prevHash is not the hash of the entry before it',
  NotInChain: 'entry {seq} differs from the live chain or its archive',
  HeadMismatch: 'entry {seq} does not match the chain head the file names',
  BadFile: 'not a polis audit export, or its entries are out of order',
  ArchivedEntry: 'entry {seq} was archived: give its archive file too',
  // ── Workflow notifications ──────────────────────────────────────────────────────────────────────────────────
  NotificationSentTo: 'step {step}: {channel} sent to {host}',
  NotificationNotSent: 'step {step}: {channel} to {host} not sent: {why}',

  // ── Demarcation: the verdict of an incident and its evidence (src/observe/demarcation) ─────────────────────────
  VerdictNode: 'infrastructure: node {node} of cluster {cluster}',
  VerdictCluster: 'infrastructure: cluster {cluster}',
  VerdictApplication: 'application: {component} of {application}',
  VerdictApplicationRevision:
    'application: {component} of {application}, revision {revision} rolled out {minutes} min before',
  VerdictSharedInstance: 'shared dependency: {component}, a shared instance published by {publisher}',
  VerdictSharedService: 'shared dependency: {component}, a service of department {department}',
  VerdictNetwork: 'infrastructure: the network between {from} and {to}',
  VerdictUndetermined: 'undetermined: nothing changed beyond its usual variation',
  OwnerPlatformTeam: "the data bureau's platform team",
  OwnerDepartment: 'department {department}',
  OwnerDepartmentVendor: 'department {department} and vendor {vendor}',
  OwnerPublisher: 'publisher {publisher}',
  EvidenceSeries: '{subject} {signal}: {before} → {after} {unit} ({z}× its usual variation)',
  EvidenceSeriesExplained:
    '{subject} {signal}: {before} → {after} {unit}, {explained} {unit} of the rise explained by {by}; the rest is {z}× its usual variation',
  EvidenceSilent: '{subject} {signal}: reported before, silent since',
  EvidenceEvent: '{subject}: {reason}',
  EvidenceRollout: '{component}: revision {revision} rolled out {minutes} min before',
  EvidenceConfigChange: '{component}: configuration changed {minutes} min before',
  EvidenceSpread: '{subject}: {anomalous} of {pods} pods anomalous, in components {components}',
  EvidencePath: 'the fault travelled {path}',
  // ── KubeVela conversion (polis convert --check) and workflow steps ─────────────────────────────────────────
  NamespaceMapped:
    'namespace "{namespace}" kept as written; the objects go to the department\'s namespace for the application',
  TopologyNamespaceMapped:
    'topology namespace "{namespace}" is delivered into a namespace of the department\'s own for the application ({mapped} on every cluster)',
  LocalClusterMapped: 'the local cluster is the one the platform names (POLIS_LOCAL_CLUSTER)',
  PolicyWithoutEffect:
    'policy {type} is accepted without effect: every application has its own namespace, and polis adopts same-named objects in it',
  ResourceUpdateWholeObject: 'polis applies the whole desired object whichever op is given',
  RevisionLimitIgnored: 'revisions kept follow polis.io/revision-history-limit (default 10)',
  WorkflowRunsInOrder: 'the workflow runs its steps in order, as written',
  NotificationRecordedUnlessSent:
    'step {step}: recorded as an event of the application; sent only where the platform configures a notifier',
  StepObjectAsComponent: 'step {step}: its object goes to the application\'s namespace, labelled as component "{step}"',
  DependsOnAppSameDepartment: "the application waited for is looked up in the department's own applications only",
  StepNameTaken: 'step name "{step}" is taken: step names are unique',
  StepInputUnknown: 'step {step}: no earlier step has an output named "{from}"',
  StepConditionUnknownStep: 'step {step}: its condition names "{named}", which is no step',
  StepGroupNested: 'step {step}: a step group cannot hold another step group',
  StepSubStepsOutsideGroup: 'step {step}: only a step-group step has subSteps; this is a {type} step',
  StepComponentUnknown: 'step {step}: no component is named "{component}"',
  StepNamespaceNotOwn:
    'step {step} ({type}) writes only into the application\'s own namespace ("{own}"), not "{namespace}": remove it',
  StepOutputUnsupported:
    'step {step}: polis cannot produce "{valueFrom}" from a {type} step (it reads no live state from clusters)',
  WorkflowExpressionUnsupported:
    'step {step}: polis does not evaluate "{expression}"; it reads status.<step>.phase, inputs.<name>, context.name, literals, ==, !=, !, &&, || and always',
  ReplicaNameNotLabel:
    'the replicated component "{component}" with its key does not make a valid name (<component>-<key>)',
  StepSecretRefUnsupported:
    'step {step} ({type}): secretRef is not supported (polis reads no Secrets from clusters); give the URL',
  StepUrlInvalid: 'step {step} ({type}): "{url}" is not an http or https URL without user or password',
  NotificationChannelUnsupported: 'step {step}: polis sends no {channel}; use {supported}, or a webhook step',
  NotificationEmpty: 'step {step}: give at least one channel: lark, dingding or slack',
  StepDataNotString: 'step {step}: data key "{key}" must be a string (quote it, or JSON-encode a structure)',
  StepObjectIncomplete: 'step {step}: an object needs apiVersion and kind',
  StepObjectClusterScoped:
    "step {step}: {kind} is not allowed: a workflow step applies only namespaced objects without RBAC, into the application's own namespace",
  StepObjectUnnamed: 'step {step}: the object applied needs a name',
  DocumentUnreadable: 'the document cannot be read as YAML or JSON',
  /** One DisplayName per vendor, region, zone or network zone id (docs/console.md). */
  DisplayNameTaken: "{subject} '{id}' already has its names in DisplayName '{other}': change that one instead",
  // ── Kubernetes writes: JSON patch, server-side apply, field validation, delete options ─────────────────────
  JsonPatchNotArray: 'a JSON patch is an array of operations, each with op, path and (for add, replace and test) value',
  JsonPatchUnknownOp:
    'operation {index}: "{op}" is not a JSON patch operation; use add, remove, replace, move, copy or test',
  JsonPatchFieldMissing: 'operation {index} ({op}): the field "{field}" is required',
  JsonPatchBadPointer: 'operation {index} ({op}): "{pointer}" is not a JSON pointer (it starts with "/")',
  JsonPatchPathMissing: 'operation {index} ({op}): nothing is at "{pointer}"',
  JsonPatchBadIndex: 'operation {index} ({op}): "{segment}" is not an index of the array at "{pointer}"',
  JsonPatchTestFailed: 'operation {index} (test): the value at "{pointer}" differs from the one given',
  JsonPatchMoveIntoChild: 'operation {index} (move): "{from}" cannot move into its own child "{pointer}"',
  PatchTypeUnsupported:
    'PATCH does not take {type}: send application/merge-patch+json, application/strategic-merge-patch+json, application/json-patch+json or application/apply-patch+yaml',
  StrategicMergeNotObject: 'a strategic merge patch is a JSON object',
  StrategicMergeDirectiveInvalid: '$patch {value} is not valid: expected replace, delete or merge',
  StrategicMergeRetainKeysInvalid: '$retainKeys is not valid: expected a list of field names',
  StrategicMergeKeyMissing:
    'the list {path} merges its items by "{key}": each item of the patch needs "{key}" (or send $patch: replace to replace the list)',
  FieldManagerRequired: 'an apply patch needs the fieldManager query parameter (kubectl apply --server-side sets it)',
  FieldManagerConflict: 'conflict with "{manager}": {field}',
  ApplyConflicts:
    'Apply failed with {count} conflict(s): {conflicts} (another manager owns these fields: change your values, leave the fields out, or apply with force=true, --force-conflicts, to take them)',
  UnknownField: 'unknown field "{field}"',
  UnknownFields: 'the object has fields {kind} does not define: {fields}',
  DuplicateField: 'duplicate field "{field}"',
  ProtobufMalformed: 'the body is not a Kubernetes protobuf message (it starts with "k8s\\0" and a runtime.Unknown)',
  ProtobufKindUnsupported:
    'polis reads protobuf bodies of v1 Secrets only, not {kind}: send application/json (or YAML) instead',
  CoreApiVersionMismatch:
    'apiVersion "{given}" is not served on /api/v1: a {kind} there is "v1" (polis.io/v1 objects are served under /apis/polis.io/v1)',
  QueryValueInvalid: 'query parameter {param}="{value}" is not valid: expected {accepted}',
  PreconditionUidMismatch: 'the uid precondition {given} does not match the object (uid {actual})',
  PreconditionResourceVersionMismatch:
    'the resourceVersion precondition {given} does not match the object (resourceVersion {actual})',
  // ── Sign-in through OIDC ────────────────────────────────────────────────────────────────────────────────────
  TokenUserClaimMissing: 'the ID token has no "{claim}" claim naming the user',
  GroupBindingMalformed: 'group binding "{entry}" is malformed: expected group=role or group=role@department',
  GroupBindingRoleNotBindable: 'group binding "{entry}": role {role} cannot be bound this way',
  GroupBindingDepartmentInvalid: 'group binding "{entry}": "{tenant}" is not a department id',
  OidcDiscoveryFailed: "the identity provider's discovery document at {url} could not be read",
  OidcDiscoveryInvalid: "the identity provider's discovery document at {url} lacks its issuer or endpoints",
  OidcTokenEndpointUnreachable: "the identity provider's token endpoint could not be reached",
  OidcCodeRefused: 'the identity provider refused the sign-in code ({error})',
  OidcNotConfigured: 'sign-in through an identity provider is not configured',
  OidcNonceMismatch: 'the ID token does not answer this sign-in (nonce mismatch): sign in again',
  OidcUserNotAdmitted: '{user} is not admitted: no user object and no mapped group',
  // ── Metric history ──────────────────────────────────────────────────────────────────────────────────────────
  HistoryUnavailable: 'no metric history: polis runs without its store-backed history or Prometheus',
  HistoryPlatformOnly: 'the platform history names every department and cluster: platform-wide roles only',
  RefObjectClusterUnset:
    "component {component}: {object} is referenced on KubeVela's control-plane cluster, and polis has none (the data bureau names one with POLIS_LOCAL_CLUSTER); name the cluster to read it from",
  RefObjectUnreadable: 'component {component}: {object} could not be read on cluster {cluster}: {error}',
  RefObjectNamespaceNotOwn:
    "component {component}: namespace {namespace} on cluster {cluster} is not the department's; objects are referenced only in the department's own namespaces",
  RefObjectNotFound: 'component {component}: {object} is not in namespace {namespace} on cluster {cluster}',
  // ── Incidents ─────────────────────────────────────────────────────────────────────────────────────────────
  IncidentOpened: 'opened with {symptoms} symptom(s), first {first}',
  IncidentSymptomAdded: 'symptom added: {symptom}',
  IncidentMerged: 'incident {other} merged into this one (same cause)',
  IncidentAcknowledged: 'acknowledged by {actor}',
  IncidentResolved: 'resolved by {actor}',
  IncidentResolvedQuiet: 'resolved: no symptom fired for {minutes} min',
  IncidentNotFound: 'no incident {name} in department {tenant}',
  IncidentAlreadyResolved: 'incident {name} is already resolved',
  // ── Simulated faults ──────────────────────────────────────────────────────────────────────────────────────
  SimFaultTargetMissing: '{detail}',
  SimFaultNotFound: 'no fault {id} in force (polis sim fault list shows them)',
  /** A quota or limit field that is not a quantity (the console shows it at the field). */
  InvalidCpuQuantity: '"{value}" is not a CPU quantity: expected e.g. 500m, 2 or 0.5',
  InvalidByteQuantity: '"{value}" is not a byte quantity: expected e.g. 128Mi, 1Gi, 500M or 1e9',
  /** A department admin issuing or revoking a token for someone outside its departments. */
  TokenUserNotMember: "{user} is not a member of a department you administer: you may manage only its members' tokens",
  NoSuchCluster: 'there is no cluster {cluster}',
  ApplicationNotOnCluster: '{application} has nothing on cluster {cluster}',
  PodNotFound: 'pod {pod} is not a pod of {application} on cluster {cluster}',
  // ── Sharded controllers (docs/deploy.md, Several replicas) ──────────────────────────────────────────────────
  ShardFenced:
    'replica {member} is no longer a live member in epoch {epoch}: a controller write was refused and nothing changed',
  ShardMoved:
    '{application} is handled by replica {owner} now, not {member}: a controller write was refused and nothing changed',
  CapacityTaken:
    'cluster {cluster} has no room left for {application}: another placement reserved it first; placing again with fresh capacity',
  ShardsMoved:
    'replica {member} sees {members} live replicas (before: {before}): applications are handled by their new owners',
  // Registering a cluster: what is wrong with the uploaded kubeconfig
  KubeconfigUnusable: 'the kubeconfig cannot be used: {detail}',
  KubeconfigNotYaml: 'not YAML: {detail}',
  KubeconfigNotMapping: 'a kubeconfig is a YAML mapping with clusters, contexts and users',
  KubeconfigNoCurrentContext: 'no current-context: name one of the contexts ({contexts})',
  KubeconfigNoContext: 'no context "{context}"; the kubeconfig has: {contexts}',
  KubeconfigNoCluster: 'no cluster named "{cluster}"',
  KubeconfigNoUser: 'no user named "{user}"',
  KubeconfigFileReference:
    'a file reference is refused: polis stores the kubeconfig, not the files it names; embed it with {embedded}',
  KubeconfigProxyUnsupported:
    'not supported: polis connects to the API server directly; remove it, or reach the cluster without a proxy',
  KubeconfigServerInvalid: 'expected the API server URL, such as https://10.0.0.1:6443',
  KubeconfigExecRefused:
    'exec credential plugins are refused: polis stores the kubeconfig encrypted and uses it from its own process, so it runs the credential helper nowhere; use a ServiceAccount token instead: apply the least-privilege ClusterRole in deploy/, then run "kubectl create token polis -n polis-system --duration=8760h" and put the token in user.token',
  KubeconfigAuthProviderRefused:
    'auth providers are refused: polis stores the kubeconfig encrypted and uses it from its own process, so it runs the credential helper nowhere; use a ServiceAccount token instead: apply the least-privilege ClusterRole in deploy/, then run "kubectl create token polis -n polis-system --duration=8760h" and put the token in user.token',
  KubeconfigCertificatePair: 'a client certificate needs both client-certificate-data and client-key-data',
  KubeconfigNoCredentials:
    'no credentials: give token, client-certificate-data with client-key-data, or username and password (use a ServiceAccount token instead: apply the least-privilege ClusterRole in deploy/, then run "kubectl create token polis -n polis-system --duration=8760h" and put the token in user.token)',
  /** `polis pods`: a cluster the application is on that could not be asked, and an empty answer. */
  PodsClusterNotAsked: 'cluster {cluster} could not be asked: {detail}',
  PodsNone: 'No pods.',
  ClusterEventsNotRead: 'the events of cluster {cluster} could not be read: {detail}',
  ClusterEventsTimedOut: 'cluster {cluster} did not list its events within {seconds} s; they are left out',
  EventsNone: 'No events.',
  SchemaTooNew:
    'the database has schema {database}, written by a newer polis that needs at least schema {required}; this polis knows schema {known}: upgrade it (docs/deploy.md, Upgrades)',
  TopologyDepartmentNotAllowed:
    '{user} may not read the service graph of department {tenant}: it needs a role in that department',
} as const satisfies Record<string, string>;

/** Every code the catalogue knows. */
export type MessageCode = keyof typeof en;
