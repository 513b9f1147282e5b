/** Kubeconfig text for the fake: an http cluster (insecure-skip-tls-verify, which client-node requires for http). */
import { stringify } from 'yaml';

export function kubeconfigFor(
  url: string,
  user: { token: string } | { username: string; password: string },
  context = 'fake',
): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'fake', cluster: { server: url, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'fake-user', user }],
    contexts: [{ name: context, context: { cluster: 'fake', user: 'fake-user', namespace: 'default' } }],
    'current-context': context,
  });
}
