import type { ChangeFeed } from '../resources/change-feed.ts';
import type { ClusterDriver } from '../clusters/driver.ts';
import type { Clock } from '../kernel/clock.ts';
import type { Message } from '../kernel/messages/index.ts';
import type { StoredObject } from '../resources/envelope.ts';
import type { ResourceService } from '../resources/service.ts';
import type { Store } from '../resources/store.ts';
import type { Connection } from './market-kinds.ts';
import type { ProvisionerSet } from './provisioners/index.ts';
import type { MarketWrites } from './market-writes.ts';

export const BINDING_FINALIZER = 'market.polis.io/binding';
export const INSTANCE_FINALIZER = 'market.polis.io/instance';
/** Labels an Application with the instance that owns it. */
export const INSTANCE_LABEL = 'market.polis.io/instance';
/** Labels a copied instance, its Application and its bindings with the instance of the set it was copied from. */
export const COPY_OF_LABEL = 'market.polis.io/copy-of';
/** Labels a binding's credentials Secret with its binding. */
export const BINDING_LABEL = 'market.polis.io/binding';

export interface MarketDeps {
  readonly store: Store;
  readonly resources: ResourceService;
  readonly feed: ChangeFeed;
  readonly clock: Clock;
  readonly provisioners: ProvisionerSet;
  /** Asks delivery to reconcile an application again (its attachments changed). */
  readonly redeliver: (tenant: string, app: string) => void;
  /** The driver of a cluster by name: where an instance's provisioning Jobs run (`spec.provisioner: job`). */
  readonly drivers?: (cluster: string) => ClusterDriver | undefined;
  /** Attempts before a binding is rolled back (default 5). */
  readonly maxAttempts?: number;
  /** First retry delay in ms, doubled per attempt (default 500). */
  readonly retryBaseMs?: number;
  readonly log?: (msg: string, err?: unknown) => void;
}

export interface BindingStatus {
  readonly phase: 'Pending' | 'Provisioning' | 'Ready' | 'Failed' | 'Revoking';
  readonly reason?: string;
  readonly detail?: Message;
  readonly attempts?: number;
  readonly secret?: string;
  readonly username?: string;
  readonly database?: string;
  readonly prefix?: string;
  readonly envPrefix?: string;
  readonly engine?: string;
  /** Where the application reaches the instance. */
  readonly endpoint?: { readonly host: string; readonly port: number };
  readonly instanceApplication?: { readonly namespace: string; readonly name: string };
}

export interface InstanceStatus {
  readonly phase: 'Ready' | 'Failed';
  readonly reason?: string;
  readonly detail?: Message;
  readonly application?: string;
  readonly item?: string;
  readonly version?: string;
  readonly parameters?: Record<string, unknown>;
  readonly connection?: Connection & { readonly host: string };
  readonly adminSecret?: string;
  readonly observedGeneration?: number;
}

/** What the instance and binding reconcilers share with the controller that runs them. */
export interface ReconcileContext {
  readonly deps: MarketDeps;
  readonly writes: MarketWrites;
  /** Queues an instance or binding (`Kind/tenant/name`) again, now or after a delay. */
  requeue(key: string, afterMs?: number): void;
  event(o: StoredObject, type: 'Normal' | 'Warning', reason: string, detail: Message): void;
  /** The bindings (`tenant/name`) that name an instance (`tenant/name`). */
  bindingsOf(instance: string): Iterable<string>;
}
