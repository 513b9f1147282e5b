import type { Grant } from './provisioner.ts';
import { checkedId } from './provisioner.ts';

/**
 * MinIO through the Job path: a shell script for `mc` (the minio/mc image). The alias comes from the environment
 * (`MC_HOST_polis`, built from the Job's Secret: never an argument), the binding's secret key reaches
 * `mc admin user add` on its standard input.
 */

/**
 * A binding's bucket: S3 bucket names allow no `_` (MinIO refuses `b_…` with InvalidBucketName), so the grant id's
 * `b_` becomes `b-`. The user and the policy keep the grant id.
 */
export function minioBucket(grantIdentifier: string): string {
  return checkedId(grantIdentifier).replace('_', '-');
}

/** The policy of one binding: s3:* on its bucket and the bucket's objects, nothing else. */
export function minioPolicy(grantIdentifier: string): string {
  const bucket = minioBucket(grantIdentifier);
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['s3:*'],
        Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
      },
    ],
  });
}

const PRELUDE = [
  'set -eu',
  'umask 077',
  'export MC_CONFIG_DIR="$(mktemp -d)"',
  'trap \'rm -rf "$MC_CONFIG_DIR"\' EXIT',
  'export MC_HOST_polis="${POLIS_SCHEME:-http}://$POLIS_USER:$POLIS_PASSWORD@$POLIS_HOST:$POLIS_PORT"',
  // Runs a command; a refusal whose text holds $1 means "already done" or "already gone".
  'tolerate() { pat=$1; shift; if out=$("$@" 2>&1); then return 0; fi; case "$out" in *"$pat"*) return 0;; esac; printf \'%s\\n\' "$out" >&2; return 1; }',
];

/**
 * Provision: the bucket (`--ignore-existing`), the policy (created again on a re-run: replaced), the user (added
 * again: its secret key set again), the policy attached (MinIO refuses attaching it twice: "already in effect" is
 * success). A re-run converges.
 */
export function minioProvisionScript(grant: Grant): string {
  const id = checkedId(grant.id);
  if (/['\n\r]/.test(grant.password)) throw new Error('the password holds a character the script cannot carry');
  return [
    ...PRELUDE,
    `mc mb --ignore-existing 'polis/${minioBucket(id)}'`,
    `cat > "$MC_CONFIG_DIR/policy.json" <<'EOF'`,
    minioPolicy(id),
    'EOF',
    `mc admin policy create polis '${id}' "$MC_CONFIG_DIR/policy.json"`,
    `printf '%s\\n' '${grant.password}' | mc admin user add polis '${id}'`,
    `tolerate 'already in effect' mc admin policy attach polis '${id}' --user '${id}'`,
    '',
  ].join('\n');
}

/**
 * Revoke: the user (its sessions and the attachment with it), the policy, the bucket with its objects. Each refusal
 * "does not exist" means already gone: a revoke of nothing succeeds.
 */
export function minioRevokeScript(grantIdentifier: string): string {
  const id = checkedId(grantIdentifier);
  return [
    ...PRELUDE,
    `tolerate 'does not exist' mc admin user remove polis '${id}'`,
    `tolerate 'does not exist' mc admin policy remove polis '${id}'`,
    `tolerate 'does not exist' mc rb --force 'polis/${minioBucket(id)}'`,
    '',
  ].join('\n');
}
