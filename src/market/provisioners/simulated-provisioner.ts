import { msg } from '../../kernel/messages/index.ts';
import type { AdminEndpoint, Engine, Grant, Granted, Provisioner } from './provisioner.ts';
import { ProvisionerError, checkedId } from './provisioner.ts';

interface SimUser {
  readonly password: string;
  /** The one database, vhost, bucket or key prefix it may reach. */
  readonly owns: string;
}

/**
 * The simulated cloud's middleware: one user table per instance endpoint, for every engine, with the same
 * contract as the real provisioners (idempotent provision and revoke, nothing reachable but what was granted).
 * Failures can be injected (the next n calls, or a seeded rate) to test that bindings never end half-made.
 */
export class SimulatedMiddleware {
  private readonly servers = new Map<string, Map<string, SimUser>>();
  private failures = 0;
  private rate = 0;
  private seed = 1;
  /** Calls made, failed or not (for benchmarks). */
  calls = 0;

  /** The next `n` provision or revoke calls fail (after doing part of their work, as a crash would). */
  failNext(n: number): void {
    this.failures = n;
  }

  /** Each call fails with this probability (deterministic for a seed). */
  failRate(rate: number, seed = 1): void {
    this.rate = rate;
    this.seed = seed;
  }

  private random(): number {
    // mulberry32: deterministic for one seed.
    let t = (this.seed += 0x6d2b79f5);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  private maybeFail(engine: Engine): void {
    if (this.failures > 0) {
      this.failures--;
      throw new ProvisionerError(engine, msg('MarketProvisionerInjected', { remaining: this.failures }));
    }
    if (this.rate > 0 && this.random() < this.rate)
      throw new ProvisionerError(engine, msg('MarketProvisionerInjected', { remaining: 0 }));
  }

  private server(admin: AdminEndpoint): Map<string, SimUser> {
    const key = `${admin.host}:${admin.port}`;
    let s = this.servers.get(key);
    if (!s) this.servers.set(key, (s = new Map()));
    return s;
  }

  /** Whether `username`/`password` log in at `endpoint` and may reach `resource` there. */
  reach(endpoint: { host: string; port: number }, username: string, password: string, resource: string): boolean {
    const u = this.servers.get(`${endpoint.host}:${endpoint.port}`)?.get(username);
    return u !== undefined && u.password === password && u.owns === resource;
  }

  /** Users present at an endpoint (to find orphans). */
  users(endpoint?: { host: string; port: number }): string[] {
    if (endpoint) return [...(this.servers.get(`${endpoint.host}:${endpoint.port}`)?.keys() ?? [])].sort();
    return [...this.servers.values()].flatMap((s) => [...s.keys()]).sort();
  }

  provisioner(engine: Engine): Provisioner {
    return {
      engine,
      provision: async (admin: AdminEndpoint, grant: Grant): Promise<Granted> => {
        this.calls++;
        const id = checkedId(grant.id);
        const server = this.server(admin);
        // The user is made first, so an injected failure leaves a half-made binding for the retry or rollback.
        server.set(id, { password: grant.password, owns: id });
        this.maybeFail(engine);
        return granted(engine, id);
      },
      revoke: async (admin: AdminEndpoint, grant: Grant): Promise<void> => {
        this.calls++;
        this.maybeFail(engine);
        this.server(admin).delete(checkedId(grant.id));
      },
    };
  }
}

/** What an engine grants: a database (SQL), a vhost (RabbitMQ), a bucket (MinIO) or a prefix (Redis, Kafka). */
export function granted(engine: Engine, id: string): Granted {
  switch (engine) {
    case 'redis':
      return { username: id, prefix: `${id}:` };
    case 'kafka':
      return { username: id, prefix: `${id}.` };
    case 'minio':
      // S3 bucket names allow no `_` (minio-statements.ts).
      return { username: id, database: id.replace('_', '-') };
    default:
      return { username: id, database: id };
  }
}
