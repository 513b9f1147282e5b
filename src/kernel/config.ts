import { cronProblem } from './cron.ts';
import { InputError } from './errors.ts';
import { timeZoneProblem } from './time-zone.ts';
import { FOOTPRINTS } from './server-runtime.ts';

/** How polis runs; read once at start from flags and the environment. */
export interface Config {
  readonly dataDir: string;
  /** postgres://… for PostgreSQL; absent (or sqlite:PATH) for the embedded SQLite file under dataDir. */
  readonly databaseUrl?: string;
  readonly host: string;
  readonly port: number;
  /** Serve HTTPS with this PEM certificate (chain) and key (POLIS_TLS_CERT_FILE, POLIS_TLS_KEY_FILE). */
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
  /** The secret-encryption key (base64 or hex of 32 bytes); absent = read or create `<dataDir>/secret.key`. */
  readonly secretKey?: string;
  readonly secretKeyFile?: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly bodyLimit: number;
  /** How long a client may take to send a request's body (ms); then 408 and the connection is closed. */
  readonly requestTimeoutMs: number;
  /**
   * Limits of watch streams: each ends after a random time between timeoutSeconds and twice that (the client
   * resumes); at most perUser open per user; a client leaving more than bufferBytes unread is dropped; rights are
   * checked again on every Token/User/binding change and every recheckMs.
   */
  readonly watch: {
    readonly timeoutSeconds: number;
    readonly perUser: number;
    readonly bufferBytes: number;
    readonly recheckMs: number;
  };
  /**
   * Audit retention (POLIS_AUDIT_RETENTION_DAYS, at least 180: 等保 2.0 asks for six months): entries older than this
   * are archived to `archiveDir` (POLIS_AUDIT_ARCHIVE_DIR, default `<dataDir>/audit-archive`) and then pruned.
   * Unset, every entry is kept.
   */
  readonly audit: { readonly retentionDays?: number; readonly archiveDir?: string };
  /** Change events kept for watchers that resume; older ones answer 410 Gone. */
  readonly eventsRetained: number;
  /** Seed the demo city (departments, users, applications) on first start. */
  readonly demo: boolean;
  /** Notification channels may send to loopback and private addresses (POLIS_NOTIFY_ALLOW_PRIVATE; default off). */
  readonly notifyAllowPrivate?: boolean;
  /**
   * Run the controllers (delivery, cluster health) in this process (POLIS_CONTROLLERS). With several replicas on
   * one PostgreSQL, exactly one runs them until leader election arrives; the others serve the API.
   */
  readonly controllers: boolean;
  /**
   * Shard the per-application controllers across the live replicas (POLIS_SHARDING; default on with PostgreSQL,
   * off with SQLite, where one process owns everything). docs/deploy.md, Several replicas.
   */
  readonly sharding?: boolean;
  /**
   * How long the `controllers` lease lasts (POLIS_LEASE_MS, default 15 s); the renewal (a third of it), the renew
   * deadline (two thirds) and the followers' retry (about a seventh) scale with it, keeping client-go's proportions.
   * Shorter terms fail over faster and cost more database round trips; the chaos tests shorten it.
   */
  readonly leaseMs: number;
  /** Run the embedded simulated cloud and register its default clusters on first start (POLIS_SANDBOX). */
  readonly sandbox: boolean;
  /** Seed of the simulated cloud's random start-up delays, so a sandbox run can be repeated. */
  readonly sandboxSeed: number;
  /** The Prometheus whose metrics drive decisions when the sandbox is off (its HTTP API base URL). */
  readonly prometheusUrl?: string;
  /**
   * A simulated cloud served by `polis sim serve` (loopback URL): the sandbox's clusters are driven there instead of
   * in an embedded cloud of this process, so several replicas share one (docs/deploy.md).
   */
  readonly simUrl?: string;
  readonly prometheusToken?: string;
  /** The rate window of the Prometheus queries (POLIS_METRICS_WINDOW, default 1m). */
  readonly metricsWindow?: string;
  /** Where decisions read metrics: `auto` (the sandbox's own, else Prometheus), or `prometheus` even with the sandbox. */
  readonly metrics: 'auto' | 'prometheus';
  /**
   * PromQL of the memory the meter counts as used, replacing DEFAULT_METER_MEMORY_QUERY (POLIS_METER_MEMORY_QUERY;
   * series per cluster, namespace and component: observe/sources/prometheus/memory-use.ts).
   */
  readonly meterMemoryQuery?: string;
  /**
   * PromQL of the calls between components the marketplace counts, replacing DEFAULT_CALLS_QUERY and
   * DEFAULT_CALL_ERRORS_QUERY (POLIS_CALLS_QUERY, POLIS_CALL_ERRORS_QUERY: market/prometheus-calls.ts).
   */
  readonly callsQuery?: string;
  readonly callErrorsQuery?: string;
  /** PromQL per history signal replacing the defaults (POLIS_HISTORY_QUERIES, JSON: signal name → query). */
  readonly historyQueries?: Readonly<Record<string, string>>;
  /** How often cluster health is probed (ms); a Cluster's spec.health.heartbeatSeconds overrides it. */
  readonly heartbeatMs: number;
  /** Missed heartbeats before Suspect, before Unreachable, and good ones before an Unreachable cluster is Ready. */
  readonly health: { suspectAfter: number; unreachableAfter: number; recoverAfter: number };
  /**
   * The cluster a KubeVela topology's `local` (KubeVela's control-plane cluster) stands for (POLIS_LOCAL_CLUSTER);
   * absent, a topology naming `local` is refused.
   */
  readonly localCluster?: string;
  /** How often every application is reconciled again without a change (ms; 0 never). */
  readonly resyncMs: number;
  /** The memory footprint the server runs in (its V8 flags are applied by bin/polis.js): default or small. */
  readonly footprint: string;
  /**
   * Scheduled backups (POLIS_BACKUP_DIR; docs/deploy.md "Backup and restore"): a file in `dir` at every fire time of
   * `schedule` (cron, in `timeZone`, default UTC), keeping the newest `keep` and every one younger than `keepDays`.
   */
  readonly backup?: {
    readonly dir: string;
    readonly schedule: string;
    readonly timeZone?: string;
    readonly keep: number;
    readonly keepDays: number;
  };
  /** An OpenID Connect provider whose ID tokens are accepted besides API tokens (docs/security.md). */
  readonly oidc?: {
    readonly issuer: string;
    readonly audience: string;
    readonly jwksFile?: string;
    readonly jwksUrl?: string;
    readonly userClaim?: string;
    /** Set when the provider registers polis as a confidential client: the code exchange (through polis) sends it. */
    readonly clientSecret?: string;
    /** Scopes the console asks for (default `openid profile`). */
    readonly scopes?: string;
    /** The claim listing the user's groups (default `groups`). */
    readonly groupsClaim?: string;
    /** Groups to role bindings, as POLIS_OIDC_GROUP_BINDINGS (src/tenancy/oidc-groups.ts parses it). */
    readonly groupBindings?: string;
  };
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Builds the config from environment variables (names as in docs/configuration.md) and explicit overrides. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>, overrides: Partial<Config> = {}): Config {
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const v = env[name];
    if (v === undefined || v === '') return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InputError(`${name}="${v}" is not valid`, [
        { path: name, message: `expected a whole number from ${min} to ${max}` },
      ]);
    }
    return n;
  };
  const level = (env.POLIS_LOG_LEVEL ?? 'info') as Config['logLevel'];
  if (!LEVELS.includes(level)) {
    throw new InputError(`POLIS_LOG_LEVEL="${level}" is not valid`, [
      { path: 'POLIS_LOG_LEVEL', message: `expected one of ${LEVELS.join(', ')}` },
    ]);
  }
  const base: Config = {
    dataDir: env.POLIS_DATA_DIR || 'data',
    databaseUrl: env.DATABASE_URL || undefined,
    host: env.POLIS_HOST || '127.0.0.1',
    port: int('POLIS_PORT', 8080, 0, 65535),
    tls: tlsFrom(env),
    secretKey: env.POLIS_SECRET_KEY || undefined,
    secretKeyFile: env.POLIS_SECRET_KEY_FILE || undefined,
    logLevel: level,
    bodyLimit: int('POLIS_BODY_LIMIT', 1024 * 1024, 1024, 64 * 1024 * 1024),
    requestTimeoutMs: int('POLIS_REQUEST_TIMEOUT_MS', 30_000, 100, 3_600_000),
    watch: {
      timeoutSeconds: int('POLIS_WATCH_TIMEOUT_SECONDS', 1800, 1, 86_400),
      perUser: int('POLIS_WATCH_MAX_PER_USER', 100, 1, 100_000),
      bufferBytes: int('POLIS_WATCH_BUFFER_BYTES', 1024 * 1024, 16 * 1024, 256 * 1024 * 1024),
      recheckMs: int('POLIS_WATCH_RECHECK_MS', 5000, 100, 600_000),
    },
    audit: {
      retentionDays: retentionFrom(env.POLIS_AUDIT_RETENTION_DAYS),
      archiveDir: env.POLIS_AUDIT_ARCHIVE_DIR || undefined,
    },
    eventsRetained: int('POLIS_EVENTS_RETAINED', 100_000, 100, 100_000_000),
    demo: env.POLIS_DEMO === '1' || env.POLIS_DEMO === 'true',
    notifyAllowPrivate: env.POLIS_NOTIFY_ALLOW_PRIVATE === '1' || env.POLIS_NOTIFY_ALLOW_PRIVATE === 'true',
    footprint: footprintFrom(env.POLIS_FOOTPRINT),
    controllers: switchFrom(env, 'POLIS_CONTROLLERS', true),
    ...(env.POLIS_SHARDING ? { sharding: switchFrom(env, 'POLIS_SHARDING', false) } : {}),
    sandbox: switchFrom(env, 'POLIS_SANDBOX', true),
    sandboxSeed: int('POLIS_SANDBOX_SEED', 42, 0, 2 ** 31 - 1),
    prometheusUrl: env.POLIS_PROMETHEUS_URL || undefined,
    simUrl: env.POLIS_SIM_URL || undefined,
    prometheusToken: env.POLIS_PROMETHEUS_TOKEN || undefined,
    metricsWindow: env.POLIS_METRICS_WINDOW || undefined,
    metrics: metricsFrom(env.POLIS_METRICS),
    meterMemoryQuery: env.POLIS_METER_MEMORY_QUERY?.trim() || undefined,
    callsQuery: env.POLIS_CALLS_QUERY?.trim() || undefined,
    // Set but empty: no error rate.
    callErrorsQuery: env.POLIS_CALL_ERRORS_QUERY?.trim(),
    historyQueries: historyQueriesFrom(env.POLIS_HISTORY_QUERIES),
    heartbeatMs: int('POLIS_HEARTBEAT_MS', 2000, 100, 600_000),
    health: {
      suspectAfter: int('POLIS_HEALTH_SUSPECT_AFTER', 1, 1, 100),
      unreachableAfter: int('POLIS_HEALTH_UNREACHABLE_AFTER', 3, 1, 100),
      recoverAfter: int('POLIS_HEALTH_RECOVER_AFTER', 2, 1, 100),
    },
    leaseMs: int('POLIS_LEASE_MS', 15_000, 1_500, 600_000),
    resyncMs: int('POLIS_RESYNC_MS', 300_000, 0, 86_400_000),
    localCluster: env.POLIS_LOCAL_CLUSTER || undefined,
    oidc: oidcFrom(env),
    backup: env.POLIS_BACKUP_DIR
      ? {
          dir: env.POLIS_BACKUP_DIR,
          schedule: checked('POLIS_BACKUP_SCHEDULE', env.POLIS_BACKUP_SCHEDULE || '@daily', cronProblem),
          timeZone: env.POLIS_BACKUP_TIME_ZONE
            ? checked('POLIS_BACKUP_TIME_ZONE', env.POLIS_BACKUP_TIME_ZONE, timeZoneProblem)
            : undefined,
          keep: int('POLIS_BACKUP_KEEP', 7, 1, 100_000),
          keepDays: int('POLIS_BACKUP_KEEP_DAYS', 0, 0, 100_000),
        }
      : undefined,
  };
  if (base.health.suspectAfter > base.health.unreachableAfter)
    throw new InputError('POLIS_HEALTH_SUSPECT_AFTER is larger than POLIS_HEALTH_UNREACHABLE_AFTER', [
      {
        path: 'POLIS_HEALTH_SUSPECT_AFTER',
        message: `expected at most POLIS_HEALTH_UNREACHABLE_AFTER (${base.health.unreachableAfter}): a cluster is Suspect before it is Unreachable`,
      },
    ]);
  return { ...base, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) };
}

/** `value`, or an InputError naming `name` with what `problem` says is wrong. */
function checked(name: string, value: string, problem: (v: string) => string | undefined): string {
  const why = problem(value);
  if (why !== undefined) throw new InputError(`${name}="${value}" is not valid`, [{ path: name, message: why }]);
  return value;
}

function oidcFrom(env: Readonly<Record<string, string | undefined>>): Config['oidc'] {
  const issuer = env.POLIS_OIDC_ISSUER || undefined;
  if (!issuer) return undefined;
  const audience = env.POLIS_OIDC_AUDIENCE || env.POLIS_OIDC_CLIENT_ID || undefined;
  const jwksFile = env.POLIS_OIDC_JWKS_FILE || undefined;
  const jwksUrl = env.POLIS_OIDC_JWKS_URL || undefined;
  if (!audience) {
    throw new InputError('POLIS_OIDC_AUDIENCE is missing', [
      {
        path: 'POLIS_OIDC_AUDIENCE',
        message: 'required with POLIS_OIDC_ISSUER: the client id polis is registered under',
      },
    ]);
  }
  if (jwksFile && jwksUrl) {
    throw new InputError('the OIDC key set is configured twice', [
      {
        path: 'POLIS_OIDC_JWKS_URL',
        message:
          "set at most one of POLIS_OIDC_JWKS_URL (the provider's jwks_uri) or POLIS_OIDC_JWKS_FILE; with neither, the jwks_uri of the issuer's discovery document is used",
      },
    ]);
  }
  return {
    issuer,
    audience,
    jwksFile,
    jwksUrl,
    userClaim: env.POLIS_OIDC_USER_CLAIM || undefined,
    clientSecret: env.POLIS_OIDC_CLIENT_SECRET || undefined,
    scopes: env.POLIS_OIDC_SCOPES || undefined,
    groupsClaim: env.POLIS_OIDC_GROUPS_CLAIM || undefined,
    groupBindings: env.POLIS_OIDC_GROUP_BINDINGS || undefined,
  };
}

function tlsFrom(env: Readonly<Record<string, string | undefined>>): Config['tls'] {
  const certFile = env.POLIS_TLS_CERT_FILE || undefined;
  const keyFile = env.POLIS_TLS_KEY_FILE || undefined;
  if (!certFile && !keyFile) return undefined;
  if (!certFile || !keyFile) {
    const missing = certFile ? 'POLIS_TLS_KEY_FILE' : 'POLIS_TLS_CERT_FILE';
    throw new InputError(`${missing} is missing`, [
      {
        path: missing,
        code: 'TlsHalfConfigured',
        params: { missing },
        message: 'TLS needs both a certificate (POLIS_TLS_CERT_FILE) and its key (POLIS_TLS_KEY_FILE), as PEM files',
      },
    ]);
  }
  return { certFile, keyFile };
}

/** At least 180 days (等保 2.0: six months), or unset (keep everything); a shorter one is refused, not raised. */
function retentionFrom(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const days = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(days) || days < 180) {
    throw new InputError(
      `POLIS_AUDIT_RETENTION_DAYS="${value}" is not valid: audit entries are kept at least 180 days`,
      [
        {
          path: 'POLIS_AUDIT_RETENTION_DAYS',
          code: 'AuditRetentionTooShort',
          params: { min: 180, given: value },
          message:
            'expected a whole number of days of at least 180 (等保 2.0 asks for six months of audit records), or unset to keep every entry',
        },
      ],
    );
  }
  return days;
}

function historyQueriesFrom(value: string | undefined): Config['historyQueries'] {
  if (value === undefined || value.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    Array.isArray(parsed) ||
    !Object.values(parsed).every((q) => typeof q === 'string' && q.trim() !== '')
  ) {
    throw new InputError('POLIS_HISTORY_QUERIES is not valid', [
      {
        path: 'POLIS_HISTORY_QUERIES',
        message: 'expected a JSON object of signal name to PromQL, e.g. {"polis_component_requests_per_second": "…"}',
      },
    ]);
  }
  return parsed as Record<string, string>;
}

function metricsFrom(value: string | undefined): Config['metrics'] {
  const v = value || 'auto';
  if (v !== 'auto' && v !== 'prometheus') {
    throw new InputError(`POLIS_METRICS="${v}" is not valid`, [
      { path: 'POLIS_METRICS', message: 'expected auto (the sandbox, else Prometheus) or prometheus' },
    ]);
  }
  return v;
}

function switchFrom(env: Readonly<Record<string, string | undefined>>, name: string, fallback: boolean): boolean {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  if (['1', 'true', 'on', 'yes'].includes(v)) return true;
  if (['0', 'false', 'off', 'no'].includes(v)) return false;
  throw new InputError(`${name}="${v}" is not valid`, [
    { path: name, message: 'expected on or off (or 1/0, true/false)' },
  ]);
}

function footprintFrom(value: string | undefined): string {
  const footprint = value || 'default';
  if (!FOOTPRINTS.includes(footprint)) {
    throw new InputError(`POLIS_FOOTPRINT="${footprint}" is not valid`, [
      { path: 'POLIS_FOOTPRINT', message: `expected one of ${FOOTPRINTS.join(', ')}` },
    ]);
  }
  return footprint;
}
