/**
 * How polis's kinds' lists merge (pure data): a list of objects keyed by one field merges item by item (strategic
 * merge patch's `patchMergeKey`, server-side apply's `x-kubernetes-list-type: map`); a list of scalars marked
 * `set` merges as a set; every other list is atomic (replaced whole, owned whole). Paths are dotted field names,
 * `[]` standing for "each item of the list".
 */
export type ListRule = { readonly type: 'map'; readonly key: string } | { readonly type: 'set' };

/** Lists every object has (ObjectMeta's, as Kubernetes merges them). */
const METADATA: Readonly<Record<string, ListRule>> = {
  'metadata.finalizers': { type: 'set' },
  'metadata.ownerReferences': { type: 'map', key: 'uid' },
};

/** The kinds' own keyed lists. An Application's components by name, their traits by type, env by name, … */
const KINDS: Readonly<Record<string, Readonly<Record<string, ListRule>>>> = {
  Application: {
    'spec.components': { type: 'map', key: 'name' },
    'spec.components[].traits': { type: 'map', key: 'type' },
    'spec.components[].properties.env': { type: 'map', key: 'name' },
    'spec.components[].properties.ports': { type: 'map', key: 'port' },
    'spec.components[].dependsOn': { type: 'set' },
    'spec.policies': { type: 'map', key: 'name' },
    'spec.workflow.steps': { type: 'map', key: 'name' },
    'spec.workflow.steps[].subSteps': { type: 'map', key: 'name' },
  },
};

/** The rule of the list at `path` of a `kind`, or undefined: the list is atomic. */
export function listRuleOf(kind: string, path: string): ListRule | undefined {
  return KINDS[kind]?.[path] ?? METADATA[path];
}

/** Every keyed or set list of a kind (OpenAPI marks them; docs list them). */
export function listRulesOf(kind: string): Readonly<Record<string, ListRule>> {
  return { ...METADATA, ...(KINDS[kind] ?? {}) };
}
