import { z } from 'zod';
import { defineKind } from '../../resources/kind-schema.ts';
import type { KindDefinition } from '../../resources/registry.ts';

/**
 * An incident as one department sees it: the symptoms of its components with one cause, the demarcation verdict
 * from its point of view (another department's service is a shared dependency to it), the ranked candidates with
 * their evidence, the recorded input (replay: demarcate(spec.input, spec.options) gives spec.verdict again), and a
 * timeline of who did what. Written by the incident controller; acknowledged and resolved through
 * `…/incidents/{name}/acknowledge|resolve`.
 */
const loose = z.record(z.string(), z.unknown());

export const incidentSpecSchema = z
  .object({
    /** The cause's id, the same in every department the cause touches. */
    cause: z.string().min(1).max(128),
    state: z.enum(['open', 'acknowledged', 'resolved']),
    /** Onset, RFC 3339. */
    at: z.string(),
    openedAt: z.string(),
    verdictAt: z.string(),
    /** The verdict no longer changes: the window after the onset is complete. */
    final: z.boolean(),
    /** Infrastructure, application, shared dependency (or undetermined): for the console's columns. */
    verdictKind: z.string(),
    culprit: z.string().optional(),
    symptoms: z.array(loose).max(500),
    verdict: loose,
    candidates: z.array(loose).max(20),
    input: loose,
    options: loose,
    timeline: z.array(loose).max(1000),
  })
  .strict();

export type IncidentSpec = z.infer<typeof incidentSpecSchema>;

export const incidentKind: KindDefinition = defineKind({
  group: 'polis.io',
  version: 'v1',
  kind: 'Incident',
  plural: 'incidents',
  shortNames: ['inc'],
  scope: 'tenant',
  category: 'events',
  description:
    'One cause of symptoms in a department: the demarcation verdict, ranked root causes, evidence, timeline.',
  spec: incidentSpecSchema,
  hasStatus: false,
  // Written by the controller; people acknowledge and resolve through the incident's own routes.
  verbs: ['get', 'list', 'watch', 'delete'],
  printColumns: [
    { name: 'STATE', path: 'spec.state' },
    { name: 'VERDICT', path: 'spec.verdictKind' },
    { name: 'CULPRIT', path: 'spec.culprit' },
    { name: 'ONSET', path: 'spec.at', format: 'age' },
    { name: 'CAUSE', path: 'spec.cause', wide: true },
  ],
});
