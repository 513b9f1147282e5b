import type { Manifest } from '../kernel/manifest.ts';
import type { Owner } from '../kernel/ownership.ts';
import { OWNER_LABELS } from '../kernel/ownership.ts';

/**
 * What the marketplace adds to an application's manifests in every cluster it runs on (pure):
 * - for a bound application, each binding's credentials Secret, and `envFrom` of it in every container, so the
 *   variables `<PREFIX>_HOST`, `_PORT`, `_USERNAME`, `_PASSWORD`, `_DATABASE`, `_URI` reach the processes;
 * - for an instance's application, one NetworkPolicy per binding admitting that application's pods (and no other
 *   department's) on the instance's port.
 * They carry the owner's labels, so delivery prunes them when a binding goes (the Secret leaves every cluster).
 */
export interface Attachments {
  readonly secrets: ReadonlyArray<{
    readonly name: string;
    readonly data: Readonly<Record<string, string>>;
    /** Injected into every container as environment variables (default); false: only there to be referenced. */
    readonly env?: boolean;
  }>;
  readonly ingress: ReadonlyArray<{
    readonly name: string;
    readonly component: string;
    readonly port: number;
    readonly fromNamespace: string;
    readonly fromApp: string;
  }>;
}

export const NO_ATTACHMENTS: Attachments = { secrets: [], ingress: [] };

export function hasAttachments(a: Attachments | undefined): a is Attachments {
  return a !== undefined && (a.secrets.length > 0 || a.ingress.length > 0);
}

function labels(owner: Owner): Record<string, string> {
  return {
    [OWNER_LABELS.app]: owner.app,
    [OWNER_LABELS.namespace]: owner.namespace,
    [OWNER_LABELS.tenant]: owner.tenant,
    [OWNER_LABELS.managedBy]: 'polis',
    'market.polis.io/attached': 'true',
  };
}

/** The pod spec of a workload manifest, wherever its kind keeps it. */
function podSpecPath(kind: string): readonly string[] | undefined {
  switch (kind) {
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'Job':
      return ['spec', 'template', 'spec'];
    case 'CronJob':
      return ['spec', 'jobTemplate', 'spec', 'template', 'spec'];
    default:
      return undefined;
  }
}

function withEnvFrom(m: Manifest, secrets: readonly string[]): Manifest {
  const path = podSpecPath(m.kind);
  if (!path || secrets.length === 0) return m;
  const clone = structuredClone(m) as Record<string, unknown>;
  let at: Record<string, unknown> | undefined = clone;
  for (const p of path) at = at?.[p] as Record<string, unknown> | undefined;
  if (!at) return m;
  for (const field of ['containers', 'initContainers']) {
    const list = at[field] as Array<Record<string, unknown>> | undefined;
    if (!Array.isArray(list)) continue;
    at[field] = list.map((c) => ({
      ...c,
      envFrom: [...((c.envFrom as unknown[] | undefined) ?? []), ...secrets.map((name) => ({ secretRef: { name } }))],
    }));
  }
  return clone as Manifest;
}

/** The manifests with the attachments added (namespace first as before; the rest in the caller's order). */
export function attach(manifests: readonly Manifest[], owner: Owner, a: Attachments): Manifest[] {
  const names = a.secrets
    .filter((s) => s.env !== false)
    .map((s) => s.name)
    .sort();
  const out = manifests.map((m) => withEnvFrom(m, names));
  for (const s of [...a.secrets].sort((x, y) => x.name.localeCompare(y.name)))
    out.push({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: s.name, namespace: owner.namespace, labels: labels(owner) },
      type: 'Opaque',
      data: Object.fromEntries(Object.entries(s.data).sort(([x], [y]) => x.localeCompare(y))),
    });
  for (const i of [...a.ingress].sort((x, y) => x.name.localeCompare(y.name)))
    out.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: i.name, namespace: owner.namespace, labels: labels(owner) },
      spec: {
        podSelector: { matchLabels: { [OWNER_LABELS.component]: i.component } },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [
              {
                namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': i.fromNamespace } },
                podSelector: { matchLabels: { [OWNER_LABELS.app]: i.fromApp } },
              },
            ],
            ports: [{ port: i.port, protocol: 'TCP' }],
          },
        ],
      },
    });
  return out;
}
