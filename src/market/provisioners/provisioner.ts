import { createHash } from 'node:crypto';
import type { Message } from '../../kernel/messages/index.ts';
import { msg } from '../../kernel/messages/index.ts';

/** The middleware polis provisions per-binding credentials in (docs/marketplace.md, one section each). */
export const ENGINES = ['postgresql', 'mysql', 'redis', 'rabbitmq', 'kafka', 'minio'] as const;
export type Engine = (typeof ENGINES)[number];

/** How polis reaches an instance as its administrator. */
export interface AdminEndpoint {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  /** RabbitMQ: the management API's base URL (the admin Secret's `managementUrl`; default http on port 15672). */
  readonly managementUrl?: string;
}

/** One binding's credentials to make: the name (user, database, prefix, vhost or bucket) and its password. */
export interface Grant {
  /** `b_` and 16 hex digits: a valid identifier in every engine, and the same on every retry of one binding. */
  readonly id: string;
  readonly password: string;
}

/** What a binding's application is given, besides the host and port: who it is and what it may reach. */
export interface Granted {
  readonly username: string;
  /** The database (PostgreSQL, MySQL), vhost (RabbitMQ) or bucket (MinIO) it owns. */
  readonly database?: string;
  /** The key prefix (Redis) or topic prefix (Kafka) it may use, with its separator. */
  readonly prefix?: string;
}

/**
 * Makes and revokes one binding's credentials inside a middleware instance. Both are idempotent: a retry after a
 * failure or a restart at any point converges, and `revoke` of something never made (or already revoked) succeeds.
 * After `revoke` the credentials log in nowhere and what the binding owned there is gone.
 */
export interface Provisioner {
  readonly engine: Engine;
  provision(admin: AdminEndpoint, grant: Grant): Promise<Granted>;
  revoke(admin: AdminEndpoint, grant: Grant): Promise<void>;
}

/** A provisioner failed; `detail` says why, coded. */
export class ProvisionerError extends Error {
  readonly detail: Message;
  constructor(engine: Engine, why: string | Message) {
    const detail = msg('MarketProvisionerFailed', {
      engine,
      detail: typeof why === 'string' ? msg('External', { text: why }) : why,
    });
    super(detail.message);
    this.name = 'ProvisionerError';
    this.detail = detail;
  }
}

/** The grant id of a binding: stable across retries and restarts, distinct per binding object (its uid). */
export function grantId(tenant: string, binding: string, uid: string): string {
  return `b_${createHash('sha256').update(`${tenant}/${binding}/${uid}`).digest('hex').slice(0, 16)}`;
}

/** Runs `fn`, turning any error that is not already a ProvisionerError into one for `engine`. */
export async function guarded<T>(engine: Engine, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ProvisionerError) throw e;
    throw new ProvisionerError(engine, (e as Error).message ?? String(e));
  }
}

/** Identifiers polis makes are `b_` + hex; anything else is refused before it reaches SQL or a command. */
export function checkedId(id: string): string {
  if (!/^b_[0-9a-f]{16}$/.test(id)) throw new Error(`not a grant id: ${JSON.stringify(id)}`);
  return id;
}
