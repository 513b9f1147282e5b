import { z } from 'zod';
import type { ErrorCause } from '../kernel/errors.ts';
import { timeZoneProblem } from '../kernel/time-zone.ts';
import { zodCauses } from '../resources/validation.ts';
import { burstLimitsSchema, burstWindowCauses } from '../placement/burst-limits.ts';

const int = (min: number) => z.number().int().min(min);

const rule = z
  .object({
    type: z.enum(['Pods', 'Percent']),
    value: int(1),
    periodSeconds: int(1).max(1800),
  })
  .strict();

const direction = z
  .object({
    stabilizationWindowSeconds: int(0).max(3600).optional(),
    selectPolicy: z.enum(['Max', 'Min', 'Disabled']).optional(),
    policies: z.array(rule).optional(),
  })
  .strict();

const schedule = z
  .object({
    name: z.string().min(1).optional(),
    /** Five-field cron of the window's start. */
    cron: z.string().min(1),
    timezone: z.string().min(1).optional(),
    durationMinutes: int(1).max(7 * 24 * 60),
    /** The floor while the window is open; the metric decision may still go higher. */
    minReplicas: int(0),
  })
  .strict();

const componentScaling = z
  .object({
    name: z.string().min(1),
    minReplicas: int(0),
    maxReplicas: int(1),
    targets: z
      .object({
        cpuUtilization: int(1).max(100).optional(),
        requestsPerReplica: z.number().positive().optional(),
        latencyMs: z.number().positive().optional(),
      })
      .strict(),
    tolerance: z.number().min(0).max(1).optional(),
    behavior: z.object({ scaleUp: direction.optional(), scaleDown: direction.optional() }).strict().optional(),
    schedules: z.array(schedule).optional(),
    prediction: z
      .object({
        enabled: z.boolean(),
        horizonMinutes: int(1)
          .max(24 * 60)
          .optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export const autoscalingPropertiesSchema = z
  .object({
    components: z.array(componentScaling).min(1),
    /** Compute decisions and record them as events without acting. */
    preview: z.boolean().optional(),
    /** Limits on this application's replicas in burst clusters (src/placement/burst-limits.ts). */
    burst: burstLimitsSchema.optional(),
  })
  .strict();

export type AutoscalingProperties = z.infer<typeof autoscalingPropertiesSchema>;

/**
 * Checks an `autoscaling` policy's properties (polis's own; the autoscaler of a later issue acts on them):
 * shape, min ≤ max, at least one target, known components, valid cron and time zones.
 */
export function autoscalingCauses(
  properties: unknown,
  at: string,
  components: readonly string[],
  cronProblem: (expr: string) => string | undefined,
): ErrorCause[] {
  const parsed = autoscalingPropertiesSchema.safeParse(properties ?? {});
  if (!parsed.success) return zodCauses(parsed.error, [at]);
  const causes: ErrorCause[] = [];
  parsed.data.components.forEach((c, i) => {
    const p = `${at}.components[${i}]`;
    if (!components.includes(c.name))
      causes.push({ path: `${p}.name`, message: `no component "${c.name}"; components: ${components.join(', ')}` });
    if (c.minReplicas > c.maxReplicas)
      causes.push({ path: `${p}.minReplicas`, message: `must be ≤ maxReplicas (${c.maxReplicas})` });
    if (Object.keys(c.targets).length === 0)
      causes.push({
        path: `${p}.targets`,
        message: 'name at least one of cpuUtilization, requestsPerReplica, latencyMs',
      });
    (c.schedules ?? []).forEach((s, j) => causes.push(...scheduleCauses(s, `${p}.schedules[${j}]`, cronProblem)));
  });
  causes.push(...burstWindowCauses(parsed.data.burst, `${at}.burst`));
  return causes;
}

function scheduleCauses(
  s: { cron: string; timezone?: string },
  at: string,
  cronProblem: (expr: string) => string | undefined,
): ErrorCause[] {
  const out: ErrorCause[] = [];
  const c = cronProblem(s.cron);
  if (c) out.push({ path: `${at}.cron`, message: c });
  const tz = s.timezone ? timeZoneProblem(s.timezone) : undefined;
  if (tz) out.push({ path: `${at}.timezone`, message: tz });
  return out;
}
