import { usageError } from '../cli-errors.ts';
import type { CliContext } from '../context.ts';
import { eprintln, println } from '../io.ts';

/** What each maintenance verb writes into the Cluster's spec (a JSON merge patch; null removes the field). */
const PATCHES = {
  cordon: { cordoned: true },
  drain: { cordoned: true, draining: true },
  uncordon: { cordoned: null, draining: null },
} as const;

export type ClusterMaintenance = keyof typeof PATCHES;

const SAID: Record<ClusterMaintenance, string> = {
  cordon: 'cordoned: it takes no new replicas; those already there stay (polis cluster drain moves them off)',
  drain: 'draining: its replicas move to other clusters and are removed here once the applications are healthy there',
  uncordon: 'uncordoned: placement may use it again',
};

/**
 * `polis cluster cordon|drain|uncordon NAME`: Kubernetes' meanings, for a member cluster. Cordon places nothing new
 * there; drain moves everything off, make-before-break; uncordon ends both. One merge patch of the Cluster through
 * the resource API (audited like any change).
 */
export async function runClusterMaintenance(ctx: CliContext, verb: ClusterMaintenance, name: string): Promise<number> {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name))
    throw usageError(`cluster name ${JSON.stringify(name)} is not valid`, 'the name polis get clusters shows');
  const client = await ctx.connect();
  await client.request('PATCH', `/apis/polis.io/v1/clusters/${name}`, {
    body: { spec: PATCHES[verb] },
    contentType: 'application/merge-patch+json',
  });
  println(ctx.io, `cluster/${name} ${verb === 'drain' ? 'draining' : `${verb}ed`}`);
  eprintln(ctx.io, SAID[verb]);
  return 0;
}
