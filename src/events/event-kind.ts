import { z } from 'zod';
import { defineKind } from '../resources/kind-schema.ts';
import type { KindDefinition } from '../resources/registry.ts';
import { paramsSchema } from '../resources/message-schema.ts';

export const eventSpecSchema = z
  .object({
    involvedObject: z
      .object({ apiVersion: z.string().optional(), kind: z.string().min(1), name: z.string().min(1) })
      .strict(),
    type: z.enum(['Normal', 'Warning']),
    /** A short CamelCase cause: Placed, Applied, DriftRepaired, Pruned, ClusterUnreachable, … */
    reason: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Z][A-Za-z0-9]*$/, 'CamelCase, e.g. DriftRepaired'),
    /** The English sentence, for plain API clients; readers render `code` + `params` in their language. */
    message: z.string().max(2000),
    /** The message's code in the catalogue (src/kernel/messages); `message` is its English rendering. */
    code: z.string().min(1).max(64).optional(),
    /** The code's parameters: names, numbers, nested coded messages. */
    params: paramsSchema.optional(),
    /** Which controller recorded it, and about which cluster if any. */
    source: z.object({ component: z.string().min(1), cluster: z.string().optional() }).strict(),
    count: z.number().int().positive(),
    firstTimestamp: z.string(),
    lastTimestamp: z.string(),
  })
  .strict();

export type EventSpec = z.infer<typeof eventSpecSchema>;

/**
 * What a controller did and why, about one object, like Kubernetes events: repeated events with the same reason
 * and message are one Event whose count grows. Kept for a while, then pruned.
 */
export const eventKind: KindDefinition = defineKind({
  group: 'polis.io',
  version: 'v1',
  kind: 'Event',
  plural: 'events',
  shortNames: ['ev'],
  scope: 'tenant',
  category: 'events',
  description: 'What a controller did and why, about one object (placement, delivery, drift repair, faults).',
  spec: eventSpecSchema,
  hasStatus: false,
  printColumns: [
    { name: 'LAST', path: 'spec.lastTimestamp' },
    { name: 'TYPE', path: 'spec.type' },
    { name: 'REASON', path: 'spec.reason' },
    { name: 'OBJECT', path: 'spec.involvedObject.name' },
    { name: 'COUNT', path: 'spec.count', wide: true },
    { name: 'MESSAGE', path: 'spec.message' },
  ],
});
