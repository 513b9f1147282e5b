/**
 * A kubeconfig for one polis server and token (pure), so kubectl and Kubernetes client libraries reach polis as the
 * logged-in user: one cluster (the server, and its CA when it serves HTTPS with a certificate the system does not
 * trust), one user (the bearer token), one context (with the default department as namespace), made current.
 */
export interface KubeconfigInput {
  readonly server: string;
  readonly token: string;
  readonly user?: string;
  /** The default department (`polis login --tenant`): kubectl's default namespace. */
  readonly namespace?: string;
  /** PEM of the CA that signed the server's certificate. */
  readonly caPem?: string;
  /** The context's name (default `polis`). */
  readonly name?: string;
}

export function kubeconfigDocument(input: KubeconfigInput): Record<string, unknown> {
  const name = input.name ?? 'polis';
  const user = input.user ? `${input.user}@${name}` : `${name}-user`;
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name,
        cluster: {
          server: input.server.replace(/\/+$/, ''),
          ...(input.caPem ? { 'certificate-authority-data': Buffer.from(input.caPem, 'utf8').toString('base64') } : {}),
        },
      },
    ],
    users: [{ name: user, user: { token: input.token } }],
    contexts: [{ name, context: { cluster: name, user, ...(input.namespace ? { namespace: input.namespace } : {}) } }],
    'current-context': name,
    preferences: {},
  };
}
