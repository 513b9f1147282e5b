/**
 * oam-coverage: how many of the definitions KubeVela 1.10 installs polis supports, counted from the renderer's own
 * registry (src/apps/render/supported.ts) against the list below. Counts per kind and in total; the goal (issue 14)
 * is at least 60 of the 91. polis's own policies (placement, residency, autoscaling, failover) are not KubeVela's
 * and are not counted.
 */
import {
  SUPPORTED_COMPONENTS,
  SUPPORTED_POLICIES,
  SUPPORTED_STEPS,
  SUPPORTED_TRAITS,
} from '../src/apps/render/supported.ts';
import { figure, printFigures, writeResult } from './support/results.ts';

/** KubeVela's built-in definitions by kind (10 components, 35 traits, 10 policies, 36 workflow steps). */
export const KUBEVELA_BUILTINS = {
  components: [
    'config-dex-connector',
    'config-image-registry',
    'cron-task',
    'daemon',
    'k8s-objects',
    'ref-objects',
    'statefulset',
    'task',
    'webservice',
    'worker',
  ],
  traits: [
    'affinity',
    'annotations',
    'command',
    'container-image',
    'container-ports',
    'cpuscaler',
    'env',
    'expose',
    'gateway',
    'hostalias',
    'hpa',
    'import-grafana-dashboard',
    'ingress',
    'ingress-1-20',
    'init-container',
    'json-merge-patch',
    'json-patch',
    'k8s-update-strategy',
    'kruise-rollout',
    'labels',
    'lifecycle',
    'node-affinity',
    'nocalhost',
    'podsecuritycontext',
    'pure-ingress',
    'register-grafana-datasource',
    'resource',
    'scaler',
    'securitycontext',
    'service-account',
    'service-binding',
    'sidecar',
    'startup-probe',
    'storage',
    'topologyspreadconstraints',
  ],
  policies: [
    'apply-once',
    'debug',
    'garbage-collect',
    'override',
    'read-only',
    'replication',
    'resource-update',
    'shared-resource',
    'take-over',
    'topology',
  ],
  workflowSteps: [
    'apply-application',
    'apply-application-in-parallel',
    'apply-component',
    'apply-deployment',
    'apply-object',
    'apply-remaining',
    'apply-terraform-config',
    'apply-terraform-provider',
    'build-push-image',
    'check-metrics',
    'clean-jobs',
    'collect-service-endpoints',
    'create-config',
    'delete-config',
    'depends-on-app',
    'deploy',
    'deploy-cloud-resource',
    'deploy2env',
    'deploy2runtime',
    'export-data',
    'export-service',
    'export2config',
    'export2secret',
    'generate-jdbc-connection',
    'list-config',
    'notification',
    'print-message-in-status',
    'read-config',
    'read-object',
    'request',
    'restart-workflow',
    'share-cloud-resource',
    'step-group',
    'suspend',
    'vela-cli',
    'webhook',
  ],
} as const;

const SUPPORTED = {
  components: SUPPORTED_COMPONENTS,
  traits: SUPPORTED_TRAITS,
  policies: SUPPORTED_POLICIES,
  workflowSteps: SUPPORTED_STEPS,
};

/**
 * Definitions the issue lets be counted out: deprecated upstream, and vendor-cloud ones (Terraform and cloud
 * resources). docs/oam.md lists them too.
 */
export const COUNTED_OUT: readonly string[] = [
  'ingress',
  'ingress-1-20',
  'pure-ingress',
  'node-affinity',
  'deploy2env',
  'apply-terraform-config',
  'apply-terraform-provider',
  'deploy-cloud-resource',
  'share-cloud-resource',
  'generate-jdbc-connection',
];

export function coverage(): Array<{ kind: string; supported: number; total: number; missing: string[] }> {
  return Object.entries(KUBEVELA_BUILTINS).map(([kind, names]) => {
    const have = SUPPORTED[kind as keyof typeof SUPPORTED];
    return {
      kind,
      supported: names.filter((n) => have.includes(n)).length,
      total: names.length,
      missing: names.filter((n) => !have.includes(n)),
    };
  });
}

function isListed(kind: string, name: string): boolean {
  return (KUBEVELA_BUILTINS as Record<string, readonly string[]>)[kind]!.includes(name);
}

async function main(): Promise<void> {
  const rows = coverage();
  const supported = rows.reduce((s, r) => s + r.supported, 0);
  const total = rows.reduce((s, r) => s + r.total, 0);
  const figures = [
    ...rows.map((r) => figure({ metric: `${r.kind} supported`, value: r.supported, unit: `of ${r.total}` })),
    figure({
      metric: 'built-ins supported',
      value: supported,
      unit: `of ${total}`,
      goal: '>= 60',
      baseline: '26 of 91 before issue 14',
    }),
    figure({
      metric: 'built-ins supported, deprecated and vendor-cloud counted out',
      value:
        supported -
        rows.reduce((s, r) => s + COUNTED_OUT.filter((n) => !r.missing.includes(n) && isListed(r.kind, n)).length, 0),
      unit: `of ${total - COUNTED_OUT.length}`,
    }),
  ];
  printFigures('KubeVela built-in definitions polis supports', figures);
  for (const r of rows) console.log(`  not supported (${r.kind}): ${r.missing.join(', ') || 'none'}`);
  const file = await writeResult({
    benchmark: 'oam-coverage',
    command: 'npm run bench:oam-coverage',
    figures,
    notes: [
      ...rows.map((r) => `${r.kind} not supported: ${r.missing.join(', ') || 'none'}`),
      `counted out in the second total: ${COUNTED_OUT.join(', ')}`,
    ],
  });
  console.log(`\nwrote ${file}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
