import type { z } from 'zod';
import type { KindCategory } from '../tenancy/authorization.ts';
import type { ErrorCause } from '../kernel/errors.ts';
import type { ResourceObject, StoredObject } from './envelope.ts';

export type Scope = 'platform' | 'tenant';
export type { KindCategory };

/** Verbs the generic routes serve for a kind. */
export type ResourceVerb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete';
export const ALL_VERBS: readonly ResourceVerb[] = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

/** A column for table output (`polis get`), read from a dotted path into the object. */
export interface PrintColumn {
  readonly name: string;
  readonly path: string;
  /** Shown only with `-o wide`. */
  readonly wide?: boolean;
  /** `age`: a timestamp shown as the time since then (`45s`, `3m`), like the AGE column. */
  readonly format?: 'age';
}

/**
 * Everything polis knows about one kind, registered once. CRUD, watch, optimistic concurrency, audit and
 * authorization then follow for it from the generic machinery.
 */
export interface KindDefinition {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  readonly scope: Scope;
  /** Decides which roles may touch it (see tenancy/authorization.ts). */
  readonly category: KindCategory;
  readonly description: string;
  /**
   * Schema of the whole object minus metadata: `spec`, `status` and any extra top-level fields (Secret's `data`).
   * Must be strict: unknown fields are errors. Paths in its issues are reported from the object root.
   */
  readonly schema: z.ZodType;
  /** Fills defaults and normal forms after validation (Kubernetes "defaulting"), so equal intents compare equal. */
  readonly defaults?: (obj: ResourceObject) => ResourceObject;
  /**
   * Objects of this kind may carry `metadata.namespace` (as KubeVela Applications do); `validate` says what it may
   * name. Other kinds refuse it.
   */
  readonly metadataNamespace?: boolean;
  /** Checks zod cannot express; each cause names its path. */
  readonly validate?: (obj: ResourceObject) => ErrorCause[];
  /** Turns an accepted object into its stored form and back (Secret encryption). */
  readonly codec?: {
    encode(obj: ResourceObject): ResourceObject;
    decode(obj: StoredObject): StoredObject;
  };
  /**
   * Top-level fields holding sensitive values (Secret's data). They are removed from lists and watch events,
   * from reads by principals without the right to see values, and masked in audit records.
   */
  readonly sensitiveFields: readonly string[];
  /**
   * Top-level fields only the server reads (Token's secretHash): never returned by any route, to anyone, whatever
   * its rights. Each is also a sensitive field, so lists, watches and audit records leave it out as well.
   */
  readonly serverOnlyFields: readonly string[];
  /** Verbs served by the generic routes; others are served by the kind's own routes, if any. */
  readonly verbs: readonly ResourceVerb[];
  /** Whether `status` is a subresource (ignored on create and replace, written through /status). */
  readonly hasStatus: boolean;
  readonly printColumns: readonly PrintColumn[];
  /**
   * Finalizers by which a controller deletes the kind's dependants elsewhere (an Application's delivered objects on
   * the clusters). A delete with Kubernetes' `propagationPolicy: Orphan` drops them, so the dependants stay.
   */
  readonly orphanFinalizers?: readonly string[];
}

export function apiVersionOf(def: Pick<KindDefinition, 'group' | 'version'>): string {
  return `${def.group}/${def.version}`;
}

/** The kinds this server serves. Kind names are unique across groups (the store keys objects by kind). */
export class KindRegistry {
  private readonly byKind = new Map<string, KindDefinition>();
  private readonly byPlural = new Map<string, KindDefinition>();

  register(def: KindDefinition): void {
    if (this.byKind.has(def.kind)) throw new Error(`kind ${def.kind} is already registered`);
    const key = `${def.group}/${def.plural}`;
    if (this.byPlural.has(key)) throw new Error(`resource ${key} is already registered`);
    this.byKind.set(def.kind, def);
    this.byPlural.set(key, def);
  }

  get(kind: string): KindDefinition | undefined {
    return this.byKind.get(kind);
  }

  byResource(group: string, plural: string): KindDefinition | undefined {
    return this.byPlural.get(`${group}/${plural}`);
  }

  all(): KindDefinition[] {
    return [...this.byKind.values()].sort((a, b) => a.kind.localeCompare(b.kind));
  }
}
