import { z } from 'zod';
import { InputError, codedCause } from '../../kernel/errors.ts';
import { msg } from '../../kernel/messages/index.ts';
import { defineKind } from '../../resources/kind-schema.ts';
import type { KindDefinition } from '../../resources/registry.ts';
import type { AdmissionPlugin } from '../../resources/service.ts';
import type { StoreTx } from '../../resources/store.ts';
import type { ApplicationSpec } from '../../apps/application-kind.ts';
import { CHECK_IDS } from './checks.ts';
import { assess } from './scorecard.ts';

/** The name of the one AssessmentPolicy object polis reads. */
export const ASSESSMENT_POLICY_NAME = 'default';

export interface AssessmentPolicySpec {
  readonly mandatoryChecks: readonly string[];
}

/** The data bureau's assessment settings (object "default"): checks an application must pass to be applied. */
export const assessmentPolicyKind: KindDefinition = defineKind({
  group: 'polis.io',
  version: 'v1',
  kind: 'AssessmentPolicy',
  plural: 'assessmentpolicies',
  scope: 'platform',
  category: 'config',
  description:
    'The data bureau’s maturity assessment settings (object "default"): checks every application must pass to be applied.',
  spec: z
    .object({
      mandatoryChecks: z
        .array(z.enum(CHECK_IDS as [string, ...string[]], { error: `a check id: one of ${CHECK_IDS.join(', ')}` }))
        .max(CHECK_IDS.length),
    })
    .strict(),
  printColumns: [{ name: 'MANDATORY', path: 'spec.mandatoryChecks' }],
});

/** The mandatory checks and the allowed registries, as the store holds them now. */
export async function assessmentSettings(
  get: StoreTx['get'],
): Promise<{ mandatory: readonly string[]; allowedRegistries: readonly string[] }> {
  const policy = await get({ kind: 'AssessmentPolicy', tenant: '', name: ASSESSMENT_POLICY_NAME });
  const market = await get({ kind: 'MarketPolicy', tenant: '', name: 'default' });
  return {
    mandatory: (policy?.spec as AssessmentPolicySpec | undefined)?.mandatoryChecks ?? [],
    allowedRegistries: (market?.spec as { allowedRegistries?: string[] } | undefined)?.allowedRegistries ?? [],
  };
}

/**
 * Refuses an Application (create or update) that fails a check the data bureau made mandatory, naming each failed
 * check with its reason code and fix. Without an AssessmentPolicy nothing is mandatory.
 */
export const assessmentAdmission: AdmissionPlugin = async ({ operation, definition, object, tx }) => {
  if (definition.kind !== 'Application' || operation === 'delete') return;
  const { mandatory, allowedRegistries } = await assessmentSettings((k) => tx.get(k));
  if (mandatory.length === 0) return;
  const card = assess(
    {
      spec: object.spec as ApplicationSpec,
      labels: object.metadata.labels ?? {},
      annotations: object.metadata.annotations ?? {},
      allowedRegistries,
      recommendations: {},
    },
    mandatory,
  );
  if (card.refusals.length === 0) return;
  const spec = object.spec as ApplicationSpec;
  const causes = card.refusals.map((r) =>
    codedCause(
      r.component ? `spec.components[${spec.components.findIndex((c) => c.name === r.component)}]` : 'metadata',
      msg('AssessMandatoryCheck', { check: r.check, reason: r.reason! }),
    ),
  );
  throw new InputError(msg('AssessMandatoryChecksFailed', { checks: card.refusals.map((r) => r.reason!) }), causes, {
    invalid: true,
  });
};
