import type { ErrorCause } from '../../kernel/errors.ts';
import { codedCause } from '../../kernel/errors.ts';
import { msg } from '../../kernel/messages/index.ts';
import type { ApplicationSpec } from '../application-kind.ts';
import { expandWorkflow, type ExpandOptions } from '../workflow/expand.ts';
import { applyOverrides } from './overrides.ts';
import { POLICY_SCHEMAS, type OverrideProperties } from './policy-schemas.ts';
import { parseWith } from './schemas.ts';
import {
  OAM_POLICIES,
  POLIS_POLICIES,
  SUPPORTED_COMPONENTS,
  SUPPORTED_POLICIES,
  SUPPORTED_STEPS,
  SUPPORTED_TRAITS,
} from './supported.ts';
import { unsupportedTypeCause } from './unsupported-builtins.ts';

/**
 * The checks on an application that need no rendering: every type known, policies and workflow steps well formed,
 * and every name they refer to present.
 */
export function specCauses(spec: ApplicationSpec, opts: ExpandOptions = {}): ErrorCause[] {
  return [...componentTypeCauses(spec), ...policyCauses(spec), ...workflowCauses(spec, opts)];
}

function componentTypeCauses(spec: ApplicationSpec): ErrorCause[] {
  const causes: ErrorCause[] = [];
  const names = new Set(spec.components.map((c) => c.name));
  spec.components.forEach((c, i) => {
    const at = `spec.components[${i}]`;
    if (!SUPPORTED_COMPONENTS.includes(c.type)) {
      causes.push(unsupportedTypeCause(`${at}.type`, 'component', c.type, SUPPORTED_COMPONENTS));
    }
    (c.traits ?? []).forEach((t, j) => {
      if (!SUPPORTED_TRAITS.includes(t.type)) {
        causes.push(unsupportedTypeCause(`${at}.traits[${j}].type`, 'trait', t.type, SUPPORTED_TRAITS));
      }
    });
    const dependsOn = (c as { dependsOn?: readonly string[] }).dependsOn ?? [];
    dependsOn.forEach((d, k) => {
      if (d === c.name || !names.has(d)) {
        causes.push(
          codedCause(
            `${at}.dependsOn[${k}]`,
            d === c.name ? msg('ComponentDependsOnItself') : msg('NoComponentNamed', { name: d }),
          ),
        );
      }
    });
  });
  return causes;
}

function policyCauses(spec: ApplicationSpec): ErrorCause[] {
  const causes: ErrorCause[] = [];
  const first = new Map<string, number>();
  const overrides: OverrideProperties[] = [];
  const overridePaths: string[] = [];
  (spec.policies ?? []).forEach((p, i) => {
    const at = `spec.policies[${i}]`;
    const earlier = p.name === undefined ? undefined : first.get(p.name);
    if (earlier !== undefined) {
      causes.push(
        codedCause(`${at}.name`, msg('PolicyNameTaken', { name: p.name!, earlier: `spec.policies[${earlier}]` })),
      );
    } else if (p.name !== undefined) first.set(p.name, i);
    if (!SUPPORTED_POLICIES.includes(p.type)) {
      causes.push(unsupportedTypeCause(`${at}.type`, 'policy', p.type, SUPPORTED_POLICIES));
      return;
    }
    // polis's own policies are validated where they are used (placement, scaling, failover).
    if (POLIS_POLICIES.includes(p.type) || !OAM_POLICIES.includes(p.type)) return;
    const parsed = parseWith<OverrideProperties>(POLICY_SCHEMAS[p.type]!, p.properties, `${at}.properties`);
    if (!parsed.ok) {
      causes.push(...parsed.causes);
      return;
    }
    if (p.type === 'override') {
      causes.push(...overrideTypeCauses(parsed.value, `${at}.properties`));
      overrides.push(parsed.value);
      overridePaths.push(`${at}.properties`);
    }
  });
  // Each override policy against the components as written: every name it gives must match one.
  const components = spec.components.map((c, index) => ({ ...c, index }));
  overrides.forEach((o, i) => causes.push(...applyOverrides(components, [o], () => overridePaths[i]!).causes));
  return causes;
}

function overrideTypeCauses(o: OverrideProperties, at: string): ErrorCause[] {
  const causes: ErrorCause[] = [];
  o.components.forEach((c, k) => {
    if (c.type !== undefined && !SUPPORTED_COMPONENTS.includes(c.type)) {
      causes.push(unsupportedTypeCause(`${at}.components[${k}].type`, 'component', c.type, SUPPORTED_COMPONENTS));
    }
    (c.traits ?? []).forEach((t, j) => {
      if (!SUPPORTED_TRAITS.includes(t.type)) {
        causes.push(
          unsupportedTypeCause(`${at}.components[${k}].traits[${j}].type`, 'trait', t.type, SUPPORTED_TRAITS),
        );
      }
    });
  });
  return causes;
}

/** Policies a deploy step may name: KubeVela's deploy step takes topology, override and replication policies. */
const DEPLOY_POLICY_TYPES = ['override', 'replication', 'topology'];

function workflowCauses(spec: ApplicationSpec, opts: ExpandOptions): ErrorCause[] {
  const causes: ErrorCause[] = [];
  const expanded = expandWorkflow(spec, opts);
  const names = new Map<string, string>();
  const policies = new Map((spec.policies ?? []).flatMap((p) => (p.name === undefined ? [] : [[p.name, p.type]])));
  for (const s of expanded.steps) {
    const earlier = names.get(s.name);
    if (earlier !== undefined) {
      causes.push({
        path: `${s.path}.name`,
        code: 'StepNameTaken',
        params: { step: s.name },
        message: `"${s.name}" is already the name of ${earlier}; step names are unique`,
      });
    } else names.set(s.name, s.path);
    if (!SUPPORTED_STEPS.includes(s.type)) {
      causes.push(unsupportedTypeCause(`${s.path}.type`, 'workflow step', s.type, SUPPORTED_STEPS));
      continue;
    }
    if (s.type !== 'deploy') continue;
    const named = Array.isArray(s.properties.policies) ? (s.properties.policies as unknown[]) : [];
    named.forEach((name, k) => {
      if (typeof name !== 'string') return;
      const type = policies.get(name);
      const path = `${s.path}.properties.policies[${k}]`;
      if (type === undefined) {
        const known = [...policies.keys()].join(', ') || 'none';
        causes.push(codedCause(path, msg('NoPolicyNamed', { name, known })));
      } else if (!DEPLOY_POLICY_TYPES.includes(type)) {
        causes.push(
          codedCause(path, msg('DeployPolicyWrongType', { name, type, accepted: DEPLOY_POLICY_TYPES.join(', ') })),
        );
      }
    });
  }
  causes.push(...expanded.causes);
  const declared = spec.workflow?.steps ?? [];
  declared.forEach((s, i) => {
    (s.dependsOn ?? []).forEach((d, k) => {
      if (d === s.name || !names.has(d)) {
        causes.push(
          codedCause(
            `spec.workflow.steps[${i}].dependsOn[${k}]`,
            d === s.name ? msg('StepDependsOnItself') : msg('NoStepNamed', { name: d }),
          ),
        );
      }
    });
  });
  return causes;
}
