import type { Grant } from './provisioner.ts';
import { checkedId } from './provisioner.ts';

/** One Redis command of a provision or revoke; an `optional` one may fail (ACL SAVE without an aclfile). */
export interface RedisStep {
  readonly args: readonly string[];
  readonly optional?: boolean;
}

/**
 * The commands a binding's user may run: reading and writing data types, on its own keys only. Admin, dangerous
 * and cross-key commands (KEYS, FLUSHALL, CONFIG, ACL, SCRIPT …) stay refused.
 */
const RULES = ['+@read', '+@write', '+@keyspace', '+@transaction', '+@connection', '-@dangerous', '-@scripting'];

/** Deletes every key matching ARGV[1], a SCAN page at a time, inside the server (one command, no round trips). */
const UNLINK_MATCHING =
  "local c = '0' repeat local r = redis.call('SCAN', c, 'MATCH', ARGV[1], 'COUNT', 500) c = r[1] " +
  "for _, k in ipairs(r[2]) do redis.call('UNLINK', k) end until c == '0' return 1";

/** Redis 6+: an ACL user per binding, limited to keys under its prefix `<id>:` and no pub/sub channels. */
export function redisProvisionSteps(grant: Grant): RedisStep[] {
  const id = checkedId(grant.id);
  return [
    // `reset` first: a retry sets exactly these rules and this password, whatever an earlier attempt left.
    { args: ['ACL', 'SETUSER', id, 'reset', 'on', `>${grant.password}`, `~${id}:*`, 'resetchannels', ...RULES] },
    { args: ['ACL', 'SAVE'], optional: true }, // kept across restarts where an aclfile is set
  ];
}

/** The user goes (its connections with it), then the binding's keys, as a dropped database does. */
export function redisRevokeSteps(grantIdentifier: string): RedisStep[] {
  const id = checkedId(grantIdentifier);
  return [
    { args: ['ACL', 'DELUSER', id] },
    { args: ['CLIENT', 'KILL', 'USER', id], optional: true },
    { args: ['EVAL', UNLINK_MATCHING, '0', `${id}:*`] },
    { args: ['ACL', 'SAVE'], optional: true },
  ];
}

/** A word as redis-cli reads it from a line: double-quoted, with `"` and `\` escaped. */
function quoted(word: string): string {
  return `"${word.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * The steps as lines for redis-cli, one command a line; a line starting with `?` is optional. The Job's runner
 * (job-manifests.ts) sends each line and fails on an error reply to a line that is not optional.
 */
export function redisScript(steps: readonly RedisStep[]): string {
  return steps.map((s) => `${s.optional ? '?' : ''}${s.args.map(quoted).join(' ')}\n`).join('');
}

/** Runs the steps on a direct connection. */
export async function runRedisSteps(
  c: { sendCommand(args: string[]): Promise<unknown> },
  steps: readonly RedisStep[],
): Promise<void> {
  for (const s of steps) {
    const sent = c.sendCommand([...s.args]);
    if (s.optional) await sent.catch(() => undefined);
    else await sent;
  }
}
