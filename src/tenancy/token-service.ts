import type { Clock } from '../kernel/clock.ts';
import { InputError } from '../kernel/errors.ts';
import type { StoredObject } from '../resources/envelope.ts';
import type { RequestContext, ResourceService } from '../resources/service.ts';
import { TENANCY_API_VERSION } from './kinds.ts';
import { generateToken, hashTokenSecret } from './token-codec.ts';

export interface IssueTokenInput {
  readonly user: string;
  readonly description?: string;
  /** Lifetime in seconds; absent = never expires (discouraged: the CLI defaults to 90 days). */
  readonly ttlSeconds?: number;
}

export interface IssuedToken {
  /** The secret, shown this once; polis keeps only its hash. */
  readonly token: string;
  readonly object: StoredObject;
}

/** Issues and revokes API tokens. The Token object is written through the resource service, so it is audited. */
export class TokenService {
  private readonly deps: { resources: ResourceService; clock: Clock };
  constructor(deps: { resources: ResourceService; clock: Clock }) {
    this.deps = deps;
  }

  async issue(ctx: RequestContext, input: IssueTokenInput): Promise<IssuedToken> {
    if (input.ttlSeconds !== undefined && (!Number.isInteger(input.ttlSeconds) || input.ttlSeconds <= 0)) {
      throw new InputError('ttlSeconds must be a positive whole number of seconds', [
        { path: 'ttlSeconds', message: 'e.g. 7776000 for 90 days; omit for no expiry' },
      ]);
    }
    const { id, secret, token } = generateToken();
    const expiresAt =
      input.ttlSeconds !== undefined
        ? new Date(this.deps.clock.now().getTime() + input.ttlSeconds * 1000).toISOString()
        : undefined;
    const object = await this.deps.resources.create(ctx, {
      apiVersion: TENANCY_API_VERSION,
      kind: 'Token',
      metadata: { name: id, labels: { [TOKEN_USER_LABEL]: tokenUserLabel(input.user) } },
      spec: {
        user: input.user,
        ...(input.description ? { description: input.description } : {}),
        ...(expiresAt ? { expiresAt } : {}),
      },
      secretHash: hashTokenSecret(secret),
    });
    return { token, object };
  }

  async revoke(ctx: RequestContext, id: string): Promise<StoredObject> {
    return this.deps.resources.delete(ctx, { kind: 'Token', tenant: '', name: id });
  }
}

/** The label that finds a user's tokens without reading every Token. */
export const TOKEN_USER_LABEL = 'polis.io/user';

/**
 * The label value for a user. User names may hold characters a label value cannot (e.g. '@'), so the label is a
 * lookup aid only: readers still compare `spec.user`.
 */
export function tokenUserLabel(user: string): string {
  const v = user.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 63);
  return v.replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '') || 'user';
}
