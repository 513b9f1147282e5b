import { z } from 'zod';
import type { ErrorCause } from '../kernel/errors.ts';
import { zodCauses } from '../resources/validation.ts';

export const failoverPropertiesSchema = z
  .object({
    /** Move replicas off a cluster that becomes Unreachable (default true). */
    enabled: z.boolean().optional(),
    /** auto: come back once the original cluster has been healthy for `stabilizationSeconds`; manual: stay. */
    failback: z.enum(['auto', 'manual']).optional(),
    stabilizationSeconds: z.number().int().min(0).max(86_400).optional(),
    /** A component crash-looping in one cluster while healthy elsewhere is moved after this long. */
    crashLoopTolerationSeconds: z.number().int().min(0).max(86_400).optional(),
    /** Never fewer ready replicas than this fraction of desired during failback (make-before-break). */
    minReadyFraction: z.number().min(0).max(1).optional(),
  })
  .strict();

export type FailoverProperties = z.infer<typeof failoverPropertiesSchema>;

/** Checks a `failover` policy's properties (polis's own; the failover controller of a later issue acts on them). */
export function failoverCauses(properties: unknown, at: string): ErrorCause[] {
  const parsed = failoverPropertiesSchema.safeParse(properties ?? {});
  return parsed.success ? [] : zodCauses(parsed.error, [at]);
}
