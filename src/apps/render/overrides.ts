import type { ErrorCause } from '../../kernel/errors.ts';
import type { ComponentSpec } from '../application-kind.ts';
import { isObj, type Obj } from './objects.ts';
import { overrideProperties, type OverrideProperties } from './policy-schemas.ts';

/**
 * KubeVela's override policy (pkg/policy/envbinding `PatchComponents`): each entry of `components` merges into the
 * components it names (all of them, or those of its `type`, when it names none); properties merge deeply with lists
 * replaced; traits merge by type, `disable: true` removes one, a new type is appended; an entry whose `type` differs
 * from the component's replaces the component. `selector` then keeps only the components it lists.
 */

type Trait = NonNullable<ComponentSpec['traits']>[number];

/** A component while overrides apply, with the index it has in `spec.components` for error paths. */
export interface IndexedComponent extends ComponentSpec {
  readonly index: number;
}

/** Deep merge of `patch` into a copy of `base`; objects merge, everything else (lists too) is replaced. */
export function mergeProperties(base: Obj | undefined, patch: Obj | undefined): Obj {
  const out: Obj = structuredClone(base ?? {});
  for (const [k, v] of Object.entries(patch ?? {})) {
    out[k] = isObj(v) && isObj(out[k]) ? mergeProperties(out[k] as Obj, v) : structuredClone(v);
  }
  return out;
}

/** `*` matches any run of characters; the whole name must match. */
export function nameMatcher(pattern: string): (name: string) => boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  const re = new RegExp(`^${source}$`);
  return (name) => re.test(name);
}

type Entry = OverrideProperties['components'][number];

function mergeTraits(base: readonly Trait[], patch: Entry['traits']): Trait[] {
  const traits = base.map((t) => ({ ...t }));
  for (const t of patch ?? []) {
    const i = traits.findIndex((b) => b.type === t.type);
    if (i >= 0 && t.disable) traits.splice(i, 1);
    else if (i >= 0) traits[i] = { type: t.type, properties: mergeProperties(traits[i]!.properties, t.properties) };
    else if (!t.disable) traits.push({ type: t.type, properties: structuredClone(t.properties ?? {}) });
  }
  return traits;
}

function merge(c: IndexedComponent, e: Entry): IndexedComponent {
  if (e.type !== undefined && e.type !== c.type) {
    return {
      index: c.index,
      name: c.name,
      type: e.type,
      properties: structuredClone(e.properties ?? {}),
      traits: mergeTraits([], e.traits),
    };
  }
  return {
    ...c,
    properties: mergeProperties(c.properties, e.properties),
    traits: mergeTraits(c.traits ?? [], e.traits),
  };
}

/**
 * Applies override policies in order. `at(i)` is where the i-th policy's properties are in the input, for the
 * causes: an entry naming no component, or a selector naming one that does not exist.
 */
export function applyOverrides(
  components: readonly IndexedComponent[],
  overrides: readonly OverrideProperties[],
  at: (i: number) => string,
): { components: IndexedComponent[]; causes: ErrorCause[] } {
  let current = [...components];
  const causes: ErrorCause[] = [];
  overrides.forEach((policy, i) => {
    policy.components.forEach((entry, k) => {
      const matches = entry.name === undefined ? () => true : nameMatcher(entry.name);
      let matched = false;
      current = current.map((c) => {
        if (!matches(c.name)) return c;
        if (entry.name === undefined && entry.type !== undefined && entry.type !== c.type) return c;
        matched = true;
        return merge(c, entry);
      });
      if (entry.name !== undefined && !matched) {
        causes.push({
          path: `${at(i)}.components[${k}].name`,
          message: `no component is named "${entry.name}"; components: ${components.map((c) => c.name).join(', ')}`,
        });
      }
    });
    if (policy.selector && policy.selector.length > 0) {
      const keep = new Set(policy.selector);
      policy.selector.forEach((name, k) => {
        if (!current.some((c) => c.name === name)) {
          causes.push({
            path: `${at(i)}.selector[${k}]`,
            message: `no component is named "${name}"; components: ${current.map((c) => c.name).join(', ')}`,
          });
        }
      });
      current = current.filter((c) => keep.has(c.name));
    }
  });
  return { components: current, causes };
}

/**
 * The spec as a deploy step sees it: its components with the given override policies' properties applied in order
 * (invalid ones are skipped: validation reports them). Placement sizes components from this, so that an override
 * changing replicas or requests is what is placed.
 */
export function specWithOverrides<S extends { readonly components: readonly ComponentSpec[] }>(
  spec: S,
  overrides: readonly Record<string, unknown>[],
): S {
  const parsed = overrides.flatMap((o) => {
    const r = overrideProperties.safeParse(o);
    return r.success ? [r.data] : [];
  });
  if (parsed.length === 0) return spec;
  const indexed = spec.components.map((c, index) => ({ ...c, index }));
  const { components } = applyOverrides(indexed, parsed, () => 'spec.policies');
  return { ...spec, components: components.map(({ index: _index, ...c }) => c) };
}
