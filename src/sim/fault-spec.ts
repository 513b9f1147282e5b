import { z } from 'zod';

/**
 * The faults the simulated cloud can inject, as plain JSON: what `polis sim fault add` sends and what a scenario
 * file lists. Each names its target the way an operator would (a cluster and node, or a component by namespace and
 * name) and, where it has one, its size. A fault lasts until cleared, or `durationSeconds` after it began.
 */

const dns = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a DNS label: lower-case letters, digits and "-"');
/** An application component, as the cluster runs it: its namespace and component name. */
export const ComponentRefSchema = z.object({ namespace: dns, component: dns }).strict();
export type ComponentRef = z.infer<typeof ComponentRefSchema>;

const common = {
  /** Ends by itself this long after it began; absent: until cleared. */
  durationSeconds: z
    .number()
    .int()
    .positive()
    .max(7 * 86_400)
    .optional(),
};

export const FaultSpecSchema = z.discriminatedUnion('type', [
  /** The node stops: NotReady, its pods lost and recreated elsewhere. */
  z.object({ type: z.literal('node-down'), cluster: dns, node: dns, ...common }).strict(),
  /** polis loses its route to the cluster: unreachable, its metrics silent; its pods go on serving. */
  z.object({ type: z.literal('cluster-partition'), cluster: dns, ...common }).strict(),
  /** The component's containers exit at start: CrashLoopBackOff, restarts, no ready pods. */
  z.object({ type: z.literal('crash-loop'), target: ComponentRefSchema, ...common }).strict(),
  /** Every request the component serves takes `ms` longer. */
  z
    .object({
      type: z.literal('latency'),
      target: ComponentRefSchema,
      ms: z.number().positive().max(60_000),
      ...common,
    })
    .strict(),
  /** A share `rate` (0–1) of the requests the component serves fail. */
  z
    .object({ type: z.literal('errors'), target: ComponentRefSchema, rate: z.number().gt(0).max(1), ...common })
    .strict(),
  /**
   * A process burns `cores` of CPU: inside each pod of a component (its requests slow down), or on a node outside
   * any pod (a noisy neighbour: every pod there gets less CPU).
   */
  z
    .object({
      type: z.literal('cpu-hog'),
      target: ComponentRefSchema.optional(),
      cluster: dns.optional(),
      node: dns.optional(),
      cores: z.number().positive().max(256),
      ...common,
    })
    .strict()
    .refine((f) => (f.target !== undefined) !== (f.node !== undefined && f.cluster !== undefined), {
      message: 'give either target (a component) or cluster and node',
      path: ['target'],
    }),
  /** The component's memory grows by `mibPerMinute` until its limit: OOMKilled, restarted, and again. */
  z
    .object({
      type: z.literal('memory-leak'),
      target: ComponentRefSchema,
      mibPerMinute: z.number().positive().max(100_000),
      ...common,
    })
    .strict(),
  /** A new revision of the component rolls out and a share `rate` of its requests fail. */
  z
    .object({
      type: z.literal('bad-rollout'),
      target: ComponentRefSchema,
      revision: dns.optional(),
      rate: z.number().gt(0).max(1),
      ...common,
    })
    .strict(),
  /** A shared dependency (a marketplace instance, another department's service) answers `ms` slower. */
  z
    .object({
      type: z.literal('slow-dependency'),
      target: ComponentRefSchema,
      ms: z.number().positive().max(60_000),
      ...common,
    })
    .strict(),
  /** Packets between two components are lost: a share `loss` of the calls fail, the others retransmit. */
  z
    .object({
      type: z.literal('network-loss'),
      from: ComponentRefSchema,
      to: ComponentRefSchema,
      loss: z.number().gt(0).max(1),
      ...common,
    })
    .strict(),
]);
export type FaultSpec = z.infer<typeof FaultSpecSchema>;
export type FaultType = FaultSpec['type'];

export const FAULT_TYPES: readonly FaultType[] = [
  'node-down',
  'cluster-partition',
  'crash-loop',
  'latency',
  'errors',
  'cpu-hog',
  'memory-leak',
  'bad-rollout',
  'slow-dependency',
  'network-loss',
];

/** A fault as the cloud holds it. */
export interface ActiveFault {
  readonly id: string;
  readonly spec: FaultSpec;
  /** Epoch ms. */
  readonly startedAt: number;
  readonly endsAt?: number;
  /** For a bad rollout: the revision it rolled out. */
  readonly revision?: string;
}

/** A scenario: faults at offsets from its start, replayed exactly with the cloud's seed. */
export const FaultScenarioSchema = z
  .object({
    apiVersion: z.literal('sim.polis.io/v1').optional(),
    kind: z.literal('FaultScenario').optional(),
    faults: z
      .array(
        z
          .object({
            afterSeconds: z
              .number()
              .min(0)
              .max(30 * 86_400),
            fault: FaultSpecSchema,
          })
          .strict(),
      )
      .max(10_000),
  })
  .strict();
export type FaultScenario = z.infer<typeof FaultScenarioSchema>;

/** `ns/component`: how the mesh, its telemetry and the demarcation input name a component. */
export function componentKey(ref: ComponentRef): string {
  return `${ref.namespace}/${ref.component}`;
}
