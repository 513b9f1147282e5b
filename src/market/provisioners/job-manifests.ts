import type { Manifest } from '../../kernel/manifest.ts';
import { kafkaProvisionScript, kafkaRevokeScript } from './kafka-statements.ts';
import { minioProvisionScript, minioRevokeScript } from './minio-statements.ts';
import { mysqlProvisionSteps, mysqlRevokeSteps, mysqlScript } from './mysql-statements.ts';
import { postgresProvisionSteps, postgresRevokeSteps, psqlScript } from './postgres-statements.ts';
import type { AdminEndpoint, Grant } from './provisioner.ts';
import { checkedId } from './provisioner.ts';
import { redisProvisionSteps, redisRevokeSteps, redisScript } from './redis-statements.ts';

/** The engines a provisioning Job serves: those with a command-line client in a public image. */
export const JOB_ENGINES = ['postgresql', 'mysql', 'redis', 'kafka', 'minio'] as const;
export type JobEngine = (typeof JOB_ENGINES)[number];

/** The client image per engine (an instance's `spec.provisionerImage` names another, from an allowed registry). */
export const JOB_IMAGES: Record<JobEngine, string> = {
  postgresql: 'postgres:17-alpine',
  mysql: 'mariadb:11',
  redis: 'redis:7-alpine',
  kafka: 'apache/kafka:3.9.1',
  minio: 'minio/mc:latest',
};

export type JobOperation = 'provision' | 'revoke';

/** Labels the Jobs and Secrets of provisioning carry (no application's: delivery never prunes or observes them). */
export const JOB_LABELS = {
  managedBy: 'app.kubernetes.io/managed-by',
  grant: 'market.polis.io/grant',
  operation: 'market.polis.io/operation',
} as const;
export const JOB_MANAGER = 'polis-market';

/** Where the statements are mounted in the container; the runner reads them from its working directory. */
const MOUNT = '/polis';
const FILE: Record<JobEngine, string> = {
  postgresql: 'statements.sql',
  mysql: 'statements.sql',
  redis: 'statements.redis',
  kafka: 'statements.sh',
  minio: 'statements.sh',
};
/** The environment variable each client reads its password from: never an argument. */
const PASSWORD_ENV: Record<JobEngine, string> = {
  postgresql: 'PGPASSWORD',
  mysql: 'MYSQL_PWD',
  redis: 'REDISCLI_AUTH',
  kafka: 'POLIS_PASSWORD',
  minio: 'POLIS_PASSWORD',
};

/**
 * The command of each engine's Job: fixed text (no secret, no input), reading the host, port and user from the
 * environment and the statements from the mounted Secret. psql and mariadb stop at the first failing statement;
 * redis-cli answers an error as text, so each line is sent alone and an error reply to a line that is not optional
 * (`?`) fails the run.
 */
const RUNNER: Record<JobEngine, string> = {
  postgresql:
    'exec psql -X -q -v ON_ERROR_STOP=1 -h "$POLIS_HOST" -p "$POLIS_PORT" -U "$POLIS_USER" -d postgres -f statements.sql',
  mysql:
    'exec mariadb --protocol=TCP --connect-timeout=10 -h "$POLIS_HOST" -P "$POLIS_PORT" -u "$POLIS_USER" < statements.sql',
  redis: [
    'n=0',
    'while IFS= read -r line; do',
    '  n=$((n+1)); opt=',
    '  case "$line" in "?"*) opt=1; line=${line#?};; esac',
    '  out=$(printf "%s\\n" "$line" | redis-cli --no-auth-warning -h "$POLIS_HOST" -p "$POLIS_PORT" --user "$POLIS_USER" 2>&1) || out="ERR $out"',
    '  case "$out" in ERR*|WRONGPASS*|NOPERM*|NOAUTH*|*"Could not connect"*) [ -n "$opt" ] || { echo "line $n: $out" >&2; exit 1; };; esac',
    'done < statements.redis',
  ].join('\n'),
  // Kafka and MinIO: the statements are a shell script (kafka-statements.ts, minio-statements.ts).
  kafka: 'exec sh statements.sh',
  minio: 'exec sh statements.sh',
};

/** The Job's (and its Secret's) name: the operation and the grant, so a retry finds the run it started. */
export function jobName(op: JobOperation, grantIdentifier: string): string {
  return `polis-${op}-${checkedId(grantIdentifier).replace('_', '-')}`;
}

function script(engine: JobEngine, op: JobOperation, grant: Grant): string {
  switch (engine) {
    case 'postgresql':
      return psqlScript(op === 'provision' ? postgresProvisionSteps(grant) : postgresRevokeSteps(grant.id));
    case 'mysql':
      return mysqlScript(op === 'provision' ? mysqlProvisionSteps(grant) : mysqlRevokeSteps(grant.id));
    case 'redis':
      return redisScript(op === 'provision' ? redisProvisionSteps(grant) : redisRevokeSteps(grant.id));
    case 'kafka':
      return op === 'provision' ? kafkaProvisionScript(grant) : kafkaRevokeScript(grant.id);
    case 'minio':
      return op === 'provision' ? minioProvisionScript(grant) : minioRevokeScript(grant.id);
  }
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/**
 * The Secret (the statements' inputs: the administrator's endpoint and credentials, the statements with the grant's
 * password) and the Job that runs them, in the instance's namespace. The Job names only Secret keys: no password is
 * in its arguments or its spec. One attempt per Job (backoffLimit 0): polis retries, the statements are idempotent.
 */
export function jobManifests(opts: {
  readonly engine: JobEngine;
  readonly op: JobOperation;
  readonly namespace: string;
  readonly admin: AdminEndpoint;
  readonly grant: Grant;
  readonly image?: string;
  readonly deadlineSeconds: number;
}): { secret: Manifest; job: Manifest } {
  const { engine, op, namespace, admin, grant } = opts;
  const name = jobName(op, grant.id);
  const labels = { [JOB_LABELS.managedBy]: JOB_MANAGER, [JOB_LABELS.grant]: grant.id, [JOB_LABELS.operation]: op };
  const secret: Manifest = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace, labels },
    type: 'Opaque',
    data: {
      host: b64(admin.host),
      port: b64(String(admin.port)),
      username: b64(admin.username),
      password: b64(admin.password),
      statements: b64(script(engine, op, grant)),
    },
  };
  const fromSecret = (env: string, key: string) => ({ name: env, valueFrom: { secretKeyRef: { name, key } } });
  const job: Manifest = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace, labels },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: opts.deadlineSeconds,
      // A safety net when polis never comes back to remove it (it removes the Job itself once it has read it).
      ttlSecondsAfterFinished: 86_400,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          containers: [
            {
              name: op,
              image: opts.image ?? JOB_IMAGES[engine],
              command: ['sh', '-c', RUNNER[engine]],
              workingDir: MOUNT,
              env: [
                fromSecret('POLIS_HOST', 'host'),
                fromSecret('POLIS_PORT', 'port'),
                fromSecret('POLIS_USER', 'username'),
                fromSecret(PASSWORD_ENV[engine], 'password'),
                { name: 'PGCONNECT_TIMEOUT', value: '10' },
              ],
              volumeMounts: [{ name: 'statements', mountPath: MOUNT, readOnly: true }],
              resources: {
                requests: { cpu: '50m', memory: '64Mi' },
                limits: { cpu: '500m', memory: '256Mi' },
              },
              securityContext: { allowPrivilegeEscalation: false },
            },
          ],
          volumes: [
            {
              name: 'statements',
              secret: { secretName: name, defaultMode: 0o400, items: [{ key: 'statements', path: FILE[engine] }] },
            },
          ],
        },
      },
    },
  };
  return { secret, job };
}
