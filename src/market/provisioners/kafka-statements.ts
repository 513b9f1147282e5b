import type { Grant } from './provisioner.ts';
import { checkedId } from './provisioner.ts';

/**
 * Kafka through the Job path: a shell script for the Kafka command-line tools of the apache/kafka image
 * (`/opt/kafka/bin` is put first on PATH). The administrator's credentials come from the environment (POLIS_USER,
 * POLIS_PASSWORD, from the Job's Secret) into a client.properties the script writes in a private temporary directory;
 * the binding's SCRAM password goes through a file too (`--add-config-file`): no password is ever an argument.
 */

/** What the script starts with: strict mode, the tools, the private directory and the admin's client.properties. */
const PRELUDE = [
  'set -eu',
  'PATH="/opt/kafka/bin:$PATH"',
  'umask 077',
  't=$(mktemp -d)',
  'trap \'rm -rf "$t"\' EXIT',
  // A JAAS line cannot carry a `"` or a `\` in a quoted value: refuse plainly rather than log in as someone else.
  'case "$POLIS_USER$POLIS_PASSWORD" in *\'"\'*|*\'\\\'*) echo "kafka: the administrator\'s name or password holds a quote or a backslash" >&2; exit 2;; esac',
  'cat > "$t/client.properties" <<EOF',
  'security.protocol=SASL_PLAINTEXT',
  'sasl.mechanism=SCRAM-SHA-512',
  'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="$POLIS_USER" password="$POLIS_PASSWORD";',
  'EOF',
  'admin() { "$@" --bootstrap-server "$POLIS_HOST:$POLIS_PORT" --command-config "$t/client.properties"; }',
  // Runs a command; a refusal whose text holds $1 means "already gone" (a revoke of nothing succeeds).
  'gone_ok() { pat=$1; shift; if out=$("$@" 2>&1); then return 0; fi; case "$out" in *"$pat"*) return 0;; esac; printf \'%s\\n\' "$out" >&2; return 1; }',
];

/** The ACL arguments of one binding: All on topics and groups whose names start with `<id>.`, nothing else. */
function aclArgs(id: string): string {
  return `--allow-principal 'User:${id}' --operation All --topic '${id}.' --group '${id}.' --resource-pattern-type prefixed`;
}

/**
 * Provision: the SCRAM-SHA-512 credential (set again on a re-run: the same password, a new salt), then the
 * prefixed ACLs (`--add` of an ACL that exists is a no-op). A re-run converges.
 */
export function kafkaProvisionScript(grant: Grant): string {
  const id = checkedId(grant.id);
  if (/['\n\r,\]]/.test(grant.password)) throw new Error('the password holds a character a SCRAM config cannot carry');
  return [
    ...PRELUDE,
    `cat > "$t/scram.properties" <<'EOF'`,
    `SCRAM-SHA-512=[iterations=8192,password=${grant.password}]`,
    'EOF',
    `admin kafka-configs.sh --alter --entity-type users --entity-name '${id}' --add-config-file "$t/scram.properties"`,
    `admin kafka-acls.sh --add ${aclArgs(id)}`,
    '',
  ].join('\n');
}

/**
 * Revoke: the ACLs first (`--remove --force`: no prompt; removing what is not there is a no-op), then the SCRAM
 * credential (deleting one that does not exist is refused by Kafka: that refusal means "already revoked").
 */
export function kafkaRevokeScript(grantIdentifier: string): string {
  const id = checkedId(grantIdentifier);
  return [
    ...PRELUDE,
    `admin kafka-acls.sh --remove --force ${aclArgs(id)}`,
    `gone_ok 'does not exist' admin kafka-configs.sh --alter --entity-type users --entity-name '${id}' --delete-config SCRAM-SHA-512`,
    '',
  ].join('\n');
}
