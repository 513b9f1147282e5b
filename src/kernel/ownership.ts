/** Which objects in a cluster belong to one application: the labels every rendered object carries. */
export interface Owner {
  readonly tenant: string;
  readonly app: string;
  /** The namespace the application's objects live in, in that cluster. */
  readonly namespace: string;
}

/** Labels that mark an object as owned by a polis application (KubeVela's own labels plus the department). */
export const OWNER_LABELS = {
  app: 'app.oam.dev/name',
  namespace: 'app.oam.dev/namespace',
  component: 'app.oam.dev/component',
  tenant: 'polis.io/tenant',
  managedBy: 'app.kubernetes.io/managed-by',
} as const;

/**
 * What a department's name may not contain: in an application's namespace `<department>--<application>` it marks
 * where the department's name ends (src/delivery/namespace.ts), so that no two pairs share a namespace.
 */
export const NAMESPACE_SEPARATOR = '--';
