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

/**
 * The Application annotation that lets polis take over fields another field manager applied to its objects
 * (server-side apply with force): `polis.io/force-conflicts: "true"`. Without it such a conflict is reported, naming
 * the manager and fields, and the object is left as it is. Fields held by a manager that only updated (kubectl
 * edit, scale) are drift and are taken back without it.
 */
export const FORCE_CONFLICTS_ANNOTATION = 'polis.io/force-conflicts';

/** Whether an application's annotations ask polis to force server-side apply conflicts. */
export function forcesConflicts(annotations: Readonly<Record<string, string>> | undefined): boolean {
  return annotations?.[FORCE_CONFLICTS_ANNOTATION] === 'true';
}
