import { z } from 'zod';
import { defineKind } from '../../resources/kind-schema.ts';
import type { KindDefinition } from '../../resources/registry.ts';
import { CHARGE_BASES, SPLIT_RULES } from './allocation.ts';

const dnsLabel = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'a DNS label (e.g. edu)');
const weights = z.record(dnsLabel, z.number().min(0).max(1_000_000));
const yuan = z
  .number()
  .min(0)
  .max(1e10)
  .refine((x) => Math.abs(Math.round(x * 100) - x * 100) < 1e-6, 'yuan with at most two decimals (whole fen)');

/** The name of the one CostPolicy object polis reads. */
export const COST_POLICY_NAME = 'default';

export const costPolicySpecSchema = z
  .object({
    /** What a replica is charged on (default max: the larger of request and usage). */
    basis: z.enum(CHARGE_BASES).optional(),
    /** Idle cost on its own line (default) or spread over departments by their share of use. */
    idle: z.enum(['line', 'spread']).optional(),
    /** How the platform's own components (department `platform`, not shared instances) are split (default use). */
    platform: z
      .object({ rule: z.enum(SPLIT_RULES), weights: weights.optional() })
      .strict()
      .optional(),
    /** How a shared marketplace instance is split among the departments bound to it (default use). */
    sharedInstances: z
      .object({ rule: z.enum(SPLIT_RULES), weights: weights.optional() })
      .strict()
      .optional(),
  })
  .strict();

export type CostPolicySpec = z.infer<typeof costPolicySpecSchema>;

/** The data bureau's cost allocation rules (object "default"; docs/operations.md). Platform-scoped. */
export const costPolicyKind: KindDefinition = defineKind({
  group: 'polis.io',
  version: 'v1',
  kind: 'CostPolicy',
  plural: 'costpolicies',
  scope: 'platform',
  category: 'config',
  description: 'Cost allocation rules (object "default"): charge basis, idle cost, how shared cost is split.',
  spec: costPolicySpecSchema,
  validate: (obj) => {
    const spec = obj.spec as CostPolicySpec;
    const causes = [];
    for (const key of ['platform', 'sharedInstances'] as const)
      if (spec[key]?.rule === 'weights' && !spec[key].weights)
        causes.push({ path: `spec.${key}.weights`, message: 'the weights rule needs a weight per department' });
    return causes;
  },
  printColumns: [
    { name: 'BASIS', path: 'spec.basis' },
    { name: 'IDLE', path: 'spec.idle' },
    { name: 'PLATFORM', path: 'spec.platform.rule' },
    { name: 'SHARED', path: 'spec.sharedInstances.rule' },
  ],
});

export const budgetSpecSchema = z
  .object({
    /** Yuan per month for the whole department. */
    amount: yuan,
    /** Percentages of the amount at which an alert is raised (default 80 and 100). */
    thresholds: z.array(z.number().int().min(1).max(1000)).min(1).max(10).optional(),
  })
  .strict();

export type BudgetSpec = z.infer<typeof budgetSpecSchema>;

export const budgetStatusSchema = z
  .object({
    month: z.string().optional(),
    /** Month to date and the month-end forecast, in yuan. */
    spent: z.number().optional(),
    forecast: z.number().optional(),
    percent: z.number().optional(),
    /** The thresholds already alerted this month. */
    alerted: z.array(z.number()).optional(),
  })
  .strict();

export const DEFAULT_THRESHOLDS: readonly number[] = [80, 100];

/** A department's monthly budget (tenant-scoped): alerts at its thresholds as Events (BudgetThreshold, BudgetExceeded). */
export const budgetKind: KindDefinition = defineKind({
  group: 'polis.io',
  version: 'v1',
  kind: 'Budget',
  plural: 'budgets',
  scope: 'tenant',
  category: 'tenancy',
  description: "A department's monthly budget in yuan and the percentages at which it is alerted.",
  spec: budgetSpecSchema,
  status: budgetStatusSchema,
  printColumns: [
    { name: 'AMOUNT', path: 'spec.amount' },
    { name: 'SPENT', path: 'status.spent' },
    { name: 'FORECAST', path: 'status.forecast' },
    { name: 'PERCENT', path: 'status.percent' },
  ],
});

export const billingKinds: readonly KindDefinition[] = [costPolicyKind, budgetKind];
