import type { ErrorCause } from '../../kernel/errors.ts';

/**
 * KubeVela built-ins polis does not run, with the reason, so that a refusal says why and what to use instead
 * (docs/oam.md, "Coverage of KubeVela's built-ins"). A type in none of these lists is simply unknown.
 */
export const UNSUPPORTED_BUILTINS: Readonly<
  Record<'component' | 'trait' | 'policy' | 'workflow step', Readonly<Record<string, string>>>
> = {
  component: {
    'config-image-registry':
      "KubeVela's config management, not an application workload; use an export2secret step (kind docker-registry)",
    'config-dex-connector': "KubeVela's config management (its own Dex), not an application workload",
  },
  trait: {
    nocalhost: 'a developer tool, not a delivery trait',
    'kruise-rollout': 'needs OpenKruise on every cluster; polis rolls out with the workload itself',
    'import-grafana-dashboard': "a vendor add-on's objects; dashboards come with polis's monitoring",
    'register-grafana-datasource': "a vendor add-on's objects; data sources come with polis's monitoring",
  },
  policy: {
    debug: 'a KubeVela debugging aid; polis render shows what would be applied',
  },
  'workflow step': {
    'read-config': "KubeVela's config store; polis has none (use export2config / export2secret and mount them)",
    'create-config': "KubeVela's config store; use export2config or export2secret",
    'delete-config': "KubeVela's config store",
    'list-config': "KubeVela's config store",
    'apply-application': 'another delivery model (an application applying itself); use deploy',
    'apply-application-in-parallel': 'another delivery model; use deploy',
    deploy2env: 'deprecated (env-binding); use deploy with topology and override policies',
    deploy2runtime: 'another delivery model; use deploy',
    'collect-service-endpoints': 'reads live Services from member clusters',
    'export-data': "writes into other clusters' namespaces",
    'export-service': "writes Services and Endpoints into other clusters' namespaces",
    'share-cloud-resource': 'Terraform cloud resources',
    request: 'arbitrary HTTP calls from the control plane; use webhook or notification',
    'check-metrics': 'queries a Prometheus the application names; polis watches golden signals itself',
    'clean-jobs': 'deletes Jobs and pods by label; polis garbage-collects what it delivered',
    'restart-workflow': 'polis re-runs a workflow on every new generation',
    'generate-jdbc-connection': 'reads cloud-resource secrets across namespaces',
    'apply-terraform-config': 'Terraform: vendor cloud resources',
    'apply-terraform-provider': 'Terraform: vendor cloud resources',
    'deploy-cloud-resource': 'Terraform: vendor cloud resources',
    'build-push-image': 'builds images in the cluster; build before delivery',
    'vela-cli': 'runs the vela CLI in a Job with cluster rights',
  },
};

/** The cause for a type polis does not run: code `TypeNotSupported`, the reason when KubeVela has it. */
export function unsupportedTypeCause(
  path: string,
  noun: keyof typeof UNSUPPORTED_BUILTINS,
  type: string,
  supported: readonly string[],
  suffix = '',
): ErrorCause {
  const reason = UNSUPPORTED_BUILTINS[noun][type];
  return {
    path,
    code: reason ? 'BuiltinNotSupported' : 'TypeUnknown',
    params: { kind: noun, type, supported: supported.join(', '), ...(reason ? { reason } : {}) },
    message: reason
      ? `${noun} type "${type}" is a KubeVela built-in polis does not run: ${reason}; supported: ${supported.join(', ')}${suffix}`
      : `unknown ${noun} type "${type}"; supported: ${supported.join(', ')}${suffix}`,
  };
}
