import type { StoredObject } from '../../src/resources/envelope.ts';

/**
 * A stored object of department `finance` at `revision`, as the store tests write them (the resource service's job
 * in production): `kind` Application unless said, the other fields fixed so that two calls with the same arguments
 * give the same object.
 */
export function storedObject(
  name: string,
  revision: number,
  options: {
    readonly kind?: string;
    readonly apiVersion?: string;
    readonly spec?: unknown;
    readonly annotations?: Record<string, string>;
  } = {},
): StoredObject {
  return {
    apiVersion: options.apiVersion ?? 'polis.example/v1',
    kind: options.kind ?? 'Application',
    metadata: {
      name,
      tenant: 'finance',
      uid: `uid-${name}`,
      resourceVersion: String(revision),
      generation: 1,
      creationTimestamp: '2026-01-01T00:00:00.000Z',
      ...(options.annotations ? { annotations: options.annotations } : {}),
    },
    spec: options.spec ?? { replicas: 1 },
  };
}
