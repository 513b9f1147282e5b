import { z } from 'zod';

/**
 * The object envelope every kind shares, Kubernetes style. `tenant` is the owning department for tenant-scoped
 * kinds and absent for platform-scoped ones. `resourceVersion` is the store revision of the last write (a decimal
 * string, compared for optimistic concurrency); `generation` moves only when `spec` changes.
 */
export interface ObjectMeta {
  readonly name: string;
  readonly tenant?: string;
  /** Only on kinds that take it (KindDefinition.metadataNamespace): KubeVela Applications carry one. */
  readonly namespace?: string;
  readonly uid?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly resourceVersion?: string;
  readonly generation?: number;
  readonly creationTimestamp?: string;
  readonly deletionTimestamp?: string;
  readonly finalizers?: readonly string[];
  /** Server-side apply's field ownership, per manager (Kubernetes FieldsV1 shape; src/api/kube/managed-fields.ts). */
  readonly managedFields?: readonly Readonly<Record<string, unknown>>[];
}

export interface ResourceObject<Spec = unknown, Status = unknown> {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: ObjectMeta;
  readonly spec?: Spec;
  readonly status?: Status;
  /** Kinds such as Secret carry their payload outside spec; kept generic here. */
  readonly [extra: string]: unknown;
}

/** An object as the store returns it: every server-set field is present. */
export interface StoredObject<Spec = unknown, Status = unknown> extends ResourceObject<Spec, Status> {
  readonly metadata: ObjectMeta & {
    readonly uid: string;
    readonly resourceVersion: string;
    readonly generation: number;
    readonly creationTimestamp: string;
  };
}

/** Identity of an object in the store. `tenant` is '' for platform-scoped kinds. */
export interface ObjectKey {
  readonly kind: string;
  readonly tenant: string;
  readonly name: string;
}

export function keyOf(obj: { kind: string; metadata: { name: string; tenant?: string } }): ObjectKey {
  return { kind: obj.kind, tenant: obj.metadata.tenant ?? '', name: obj.metadata.name };
}

export function describeKey(key: ObjectKey): string {
  return key.tenant ? `${key.kind} ${key.tenant}/${key.name}` : `${key.kind} ${key.name}`;
}

/** Metadata a client may send; server-set fields are accepted (for round trips) and then overwritten or checked. */
export const objectMetaInput = z
  .object({
    name: z.string(),
    tenant: z.string().optional(),
    namespace: z.string().optional(),
    uid: z.string().optional(),
    // Keys, values and sizes are checked by metadata-limits.ts, which names each key in its path.
    labels: z
      .record(z.string(), z.string())
      .describe(
        'Keys: optional DNS-subdomain prefix (≤ 253) and "/", then a name ≤ 63 [A-Za-z0-9-_.]; values empty or ≤ 63 of the same set; at most 256 labels',
      )
      .optional(),
    annotations: z
      .record(z.string(), z.string())
      .describe('Keys as label keys; keys and values of all annotations together at most 256 KiB')
      .optional(),
    resourceVersion: z.string().optional(),
    generation: z.number().int().optional(),
    creationTimestamp: z.string().optional(),
    deletionTimestamp: z.string().optional(),
    finalizers: z.array(z.string().min(1)).optional(),
    managedFields: z.array(z.record(z.string(), z.unknown())).optional(),
  })
  .strict();

/** Deep copy of JSON data, for freezing what the store hands out against later mutation. */
export function cloneJson<T>(value: T): T {
  return structuredClone(value);
}
