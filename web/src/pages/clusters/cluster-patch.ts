import { api } from '../../api/client.ts';
import { paths } from '../../api/paths.ts';

/** A JSON merge patch of the cluster, as `polis` sends it: the server validates, authorizes and audits it. */
export function patchCluster(name: string, patch: unknown) {
  return api(paths.cluster(name), {
    method: 'PATCH',
    body: JSON.stringify(patch),
    contentType: 'application/merge-patch+json',
  });
}
