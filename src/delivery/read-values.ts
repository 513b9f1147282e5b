import type { StoredObject } from '../resources/envelope.ts';
import type { Owner } from '../kernel/ownership.ts';
import { OWNER_LABELS } from '../kernel/ownership.ts';
import { LOCAL_CLUSTER } from '../placement/topology-policy.ts';
import type { RefReadDeps } from './ref-objects.ts';
import { refNamespace } from './ref-objects.ts';

export interface ReadStepDeps extends RefReadDeps {
  /** An Application of the owner's department by name (never another department's). */
  readonly application: (name: string) => Promise<StoredObject | undefined>;
}

/**
 * What each read-object step reads now (read-object.cue), by step name; a step whose object is not there (yet) is
 * left out, and the workflow waits at it. An Application (the default kind) is read from the department's own
 * applications only; any other kind from a namespace of the department's own on the named cluster (or the one
 * `local` stands for), the namespace mapped and its ownership labels checked as for ref-objects.
 */
export async function readStepValues(
  steps: readonly { name: string; properties: Record<string, unknown> }[],
  owner: Owner,
  declared: string | undefined,
  deps: ReadStepDeps,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const { name: step, properties: p } of steps) {
    const apiVersion = typeof p.apiVersion === 'string' ? p.apiVersion : 'core.oam.dev/v1beta1';
    const kind = typeof p.kind === 'string' ? p.kind : 'Application';
    const name = typeof p.name === 'string' ? p.name : undefined;
    if (!name) continue;
    if (apiVersion === 'core.oam.dev/v1beta1' && kind === 'Application') {
      const app = await deps.application(name);
      if (app)
        out[step] = {
          apiVersion,
          kind,
          metadata: { name, ...(app.metadata.namespace ? { namespace: app.metadata.namespace } : {}) },
          spec: app.spec,
          ...(app.status ? { status: app.status } : {}),
        };
      continue;
    }
    const named = typeof p.cluster === 'string' && p.cluster !== '' ? p.cluster : LOCAL_CLUSTER;
    const cluster = named === LOCAL_CLUSTER ? deps.localCluster : named;
    const driver = cluster === undefined ? undefined : deps.driver(cluster);
    if (!driver?.read) continue;
    const ns = typeof p.namespace === 'string' ? p.namespace : 'default';
    const namespace = refNamespace(owner, declared, ns);
    try {
      const nsObject = await driver.read('v1', 'Namespace', '', namespace);
      if (nsObject?.metadata.labels?.[OWNER_LABELS.tenant] !== owner.tenant) continue;
      const live = await driver.read(apiVersion, kind, namespace, name);
      if (live) out[step] = live;
    } catch {
      // Unreachable or refused: not read this round; the step waits and delivery looks again.
    }
  }
  return out;
}
