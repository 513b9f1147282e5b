import { OWNER_LABELS } from '../../kernel/ownership.ts';
import { manifestKey, type Manifest } from '../../kernel/manifest.ts';
import { OAM_LABELS } from './labels.ts';
import type {
  ApplyOnceProperties,
  GarbageCollectProperties,
  ReadOnlyProperties,
  RuleSelector,
} from './policy-schemas.ts';

/**
 * The apply-once and garbage-collect policies, resolved per rendered object as KubeVela's resource keeper does
 * (apis/core.oam.dev/v1alpha1 `ResourcePolicyRuleSelector.Match`, `FindStrategy`): a rule selects an object when
 * any of its lists contains the object's component name, component type, OAM resource type, trait type, kind or
 * name; the first matching rule wins.
 */

export type GcStrategy = 'onAppUpdate' | 'onAppDelete' | 'never';

export function selectorMatches(selector: RuleSelector | undefined, m: Manifest): boolean {
  if (!selector) return false;
  const labels = m.metadata.labels ?? {};
  const hit = (list: readonly string[] | undefined, value: string | undefined) =>
    value !== undefined && value !== '' && (list ?? []).includes(value);
  return (
    hit(selector.componentNames, labels[OWNER_LABELS.component]) ||
    hit(selector.componentTypes, labels[OAM_LABELS.workloadType]) ||
    hit(selector.oamTypes, labels[OAM_LABELS.resourceType]) ||
    hit(selector.traitTypes, labels[OAM_LABELS.traitType]) ||
    hit(selector.resourceTypes, m.kind) ||
    hit(selector.resourceNames, m.metadata.name)
  );
}

/** Paths apply-once leaves as first created; `['*']` for the whole object. Only policies with `enable: true` act. */
export function applyOncePaths(policies: readonly ApplyOnceProperties[], m: Manifest): string[] {
  for (const policy of policies) {
    if (!policy.enable) continue;
    const rule = (policy.rules ?? []).find((r) => selectorMatches(r.selector, m));
    if (rule) return rule.strategy.path.includes('*') ? ['*'] : [...rule.strategy.path];
  }
  return [];
}

export function gcStrategy(policies: readonly GarbageCollectProperties[], m: Manifest): GcStrategy {
  for (const policy of policies) {
    const rule = (policy.rules ?? []).find((r) => selectorMatches(r.selector, m));
    if (rule) return rule.strategy;
  }
  return 'onAppUpdate';
}

/** createOnlyPaths and gc for the rendered objects; `replicasFrozen` holds the keys of workloads under an HPA. */
export function resourcePolicies(
  manifests: readonly Manifest[],
  replicasFrozen: ReadonlySet<string>,
  applyOnce: readonly ApplyOnceProperties[],
  garbageCollect: readonly GarbageCollectProperties[],
  readOnly: readonly ReadOnlyProperties[] = [],
): { createOnlyPaths: Record<string, string[]>; gc: Record<string, GcStrategy> } {
  const createOnlyPaths: Record<string, string[]> = {};
  const gc: Record<string, GcStrategy> = {};
  for (const m of manifests) {
    const key = manifestKey(m);
    // read-only: never updated and never deleted by the application (created once only when missing).
    if (readOnly.some((p) => (p.rules ?? []).some((r) => selectorMatches(r.selector, m)))) {
      createOnlyPaths[key] = ['*'];
      gc[key] = 'never';
      continue;
    }
    const rulePaths = applyOncePaths(applyOnce, m);
    const paths = rulePaths.includes('*')
      ? ['*']
      : [...new Set([...(replicasFrozen.has(key) ? ['spec.replicas'] : []), ...rulePaths])];
    if (paths.length > 0) createOnlyPaths[key] = paths;
    const strategy = gcStrategy(garbageCollect, m);
    if (strategy !== 'onAppUpdate') gc[key] = strategy;
  }
  return { createOnlyPaths, gc };
}
