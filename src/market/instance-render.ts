import type { Message } from '../kernel/messages/index.ts';
import { stableName } from '../kernel/names.ts';
import { appNamespace } from '../delivery/namespace.ts';
import type { CatalogItemVersionSpec, MarketInstanceSpec } from './market-kinds.ts';
import { COPY_OF_LABEL, INSTANCE_LABEL } from './market-types.ts';
import { renderTemplate } from './template.ts';

/** The name of an instance's Application and of its administrator's Secret. */
export function instanceNames(name: string, spec: MarketInstanceSpec): { application: string; adminSecret: string } {
  return { application: spec.application ?? name, adminSecret: spec.adminSecret ?? `${name}-admin`.slice(0, 63) };
}

/** The label value naming the instance a copy was made from (`dept.instance`, hashed past 63 characters). */
export function copyOfLabel(department: string, instance: string): string {
  const v = `${department}.${instance}`;
  return v.length <= 63 ? v : stableName([department, instance], 63);
}

/**
 * Sets the regions of every placement policy of an Application spec (or adds one placement policy when it has
 * none): how a copy to another region keeps its replicas on that region's clusters.
 */
export function withRegions(spec: Record<string, unknown>, regions: readonly string[]): Record<string, unknown> {
  if (regions.length === 0) return spec;
  const policies = Array.isArray(spec.policies) ? (spec.policies as Array<Record<string, unknown>>) : [];
  const placements = policies.filter((p) => p.type === 'placement');
  const next =
    placements.length > 0
      ? policies.map((p) =>
          p.type === 'placement'
            ? { ...p, properties: { ...((p.properties as Record<string, unknown>) ?? {}), regions: [...regions] } }
            : p,
        )
      : [...policies, { name: 'market-region', type: 'placement', properties: { regions: [...regions] } }];
  return { ...spec, policies: next };
}

export type RenderedInstance =
  | {
      readonly ok: true;
      /** The Application as the instance owns it (no resourceVersion). */
      readonly application: {
        apiVersion: string;
        kind: 'Application';
        metadata: {
          name: string;
          tenant: string;
          labels: Record<string, string>;
          annotations: Record<string, string>;
        };
        spec: Record<string, unknown>;
      };
      readonly parameters: Record<string, unknown>;
    }
  | { readonly ok: false; readonly problems: readonly Message[] };

/**
 * The Application an instance renders to: its version's template with its parameters, its region constraint, and the
 * labels naming the instance (and the instance it was copied from). Pure: the controller and a copy render the same.
 */
export function renderInstance(
  tenant: string,
  name: string,
  spec: MarketInstanceSpec,
  version: CatalogItemVersionSpec,
  existing?: { labels?: Record<string, string>; annotations?: Record<string, string> },
): RenderedInstance {
  const { application, adminSecret } = instanceNames(name, spec);
  const namespace = appNamespace(tenant, application);
  const rendered = renderTemplate(version.template, version.parameters, spec.parameters ?? {}, {
    name: application,
    namespace,
    adminSecret,
  });
  if (!rendered.ok) return rendered;
  const labels: Record<string, string> = { ...(existing?.labels ?? {}), [INSTANCE_LABEL]: name };
  if (spec.copyOf) labels[COPY_OF_LABEL] = copyOfLabel(spec.copyOf.department, spec.copyOf.instance);
  return {
    ok: true,
    parameters: rendered.parameters,
    application: {
      apiVersion: 'core.oam.dev/v1beta1',
      kind: 'Application',
      metadata: {
        name: application,
        tenant,
        labels,
        annotations: {
          ...(existing?.annotations ?? {}),
          'market.polis.io/item': spec.item,
          'market.polis.io/version': spec.version,
        },
      },
      spec: withRegions(rendered.spec, spec.placement?.regions ?? []),
    },
  };
}
