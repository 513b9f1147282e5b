import { z } from 'zod';
import type { ErrorCause } from '../../kernel/errors.ts';
import { OWNER_LABELS } from '../../kernel/ownership.ts';
import { always, type TraitResult, type TraitType } from './builtin-types.ts';
import { isObj, type Obj } from './objects.ts';

/**
 * json-patch (RFC 6902) and json-merge-patch (RFC 7396) on the workload, after KubeVela's
 * `vela-templates/definitions/internal/trait/json-{patch,merge-patch}.cue`. A department may patch anything of its
 * workload but what keeps it inside its own space: the kind, the namespace, the owner references and the owner
 * labels polis and KubeVela stamp. A patch that changes them is refused, whole.
 */

const operation = z.discriminatedUnion('op', [
  z.object({ op: z.literal('add'), path: z.string(), value: z.unknown() }).strict(),
  z.object({ op: z.literal('replace'), path: z.string(), value: z.unknown() }).strict(),
  z.object({ op: z.literal('test'), path: z.string(), value: z.unknown() }).strict(),
  z.object({ op: z.literal('remove'), path: z.string() }).strict(),
  z.object({ op: z.literal('move'), path: z.string(), from: z.string() }).strict(),
  z.object({ op: z.literal('copy'), path: z.string(), from: z.string() }).strict(),
]);
type Operation = z.infer<typeof operation>;

export const jsonPatchProperties = z.object({ operations: z.array(operation) }).strict();
export const jsonMergePatchProperties = z.record(z.string(), z.unknown());

class PatchError extends Error {}

function tokens(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchError(`"${pointer}" is not a JSON pointer: it must start with /`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The parent container of the pointer's target and the last token; the parent must exist. */
function locate(root: Obj, pointer: string): { parent: Obj | unknown[]; key: string } {
  const ts = tokens(pointer);
  if (ts.length === 0) throw new PatchError('the whole object cannot be patched; name a field');
  let at: unknown = root;
  for (const t of ts.slice(0, -1)) {
    if (Array.isArray(at)) at = at[Number(t)];
    else if (isObj(at)) at = at[t];
    else at = undefined;
    if (at === undefined) throw new PatchError(`${pointer}: ${t} does not exist`);
  }
  if (!Array.isArray(at) && !isObj(at)) throw new PatchError(`${pointer}: the parent is not an object or list`);
  return { parent: at, key: ts[ts.length - 1]! };
}

function index(list: unknown[], key: string, forAdd: boolean, pointer: string): number {
  if (forAdd && key === '-') return list.length;
  const i = /^(0|[1-9]\d*)$/.test(key) ? Number(key) : NaN;
  if (!(i >= 0 && i < list.length + (forAdd ? 1 : 0))) throw new PatchError(`${pointer}: no list index ${key}`);
  return i;
}

function get(root: Obj, pointer: string): unknown {
  const { parent, key } = locate(root, pointer);
  const v = Array.isArray(parent) ? parent[index(parent, key, false, pointer)] : parent[key];
  if (v === undefined) throw new PatchError(`${pointer} does not exist`);
  return v;
}

function add(root: Obj, pointer: string, value: unknown): void {
  const { parent, key } = locate(root, pointer);
  if (Array.isArray(parent)) parent.splice(index(parent, key, true, pointer), 0, structuredClone(value));
  else parent[key] = structuredClone(value);
}

function remove(root: Obj, pointer: string): unknown {
  const { parent, key } = locate(root, pointer);
  if (Array.isArray(parent)) return parent.splice(index(parent, key, false, pointer), 1)[0];
  if (!(key in parent)) throw new PatchError(`${pointer} does not exist`);
  const v = parent[key];
  delete parent[key];
  return v;
}

function applyOperation(root: Obj, o: Operation): void {
  switch (o.op) {
    case 'add':
      return add(root, o.path, o.value);
    case 'remove':
      remove(root, o.path);
      return;
    case 'replace':
      remove(root, o.path);
      return add(root, o.path, o.value);
    case 'move':
      return add(root, o.path, remove(root, o.from));
    case 'copy':
      return add(root, o.path, get(root, o.from));
    case 'test':
      if (JSON.stringify(get(root, o.path)) !== JSON.stringify(o.value)) {
        throw new PatchError(`test failed: ${o.path} is not ${JSON.stringify(o.value)}`);
      }
  }
}

/** RFC 7396: objects merge key by key, null removes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return structuredClone(patch);
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

const GUARDED_LABELS = Object.values(OWNER_LABELS);

/** What a patch must not change, with the field to name when it does. */
function guarded(o: Obj): Array<[string, string]> {
  const meta = isObj(o.metadata) ? o.metadata : {};
  const labels = isObj(meta.labels) ? meta.labels : {};
  return [
    ['apiVersion', JSON.stringify(o.apiVersion)],
    ['kind', JSON.stringify(o.kind)],
    ['metadata.namespace', JSON.stringify(meta.namespace)],
    ['metadata.ownerReferences', JSON.stringify(meta.ownerReferences)],
    ...GUARDED_LABELS.map((l): [string, string] => [`metadata.labels["${l}"]`, JSON.stringify(labels[l])]),
  ];
}

/** Patches a copy, checks it, and only then puts the result in place of the workload's fields. */
function patchWorkload(workload: Obj, at: string, patch: (copy: Obj) => Obj): TraitResult {
  let result: Obj;
  try {
    result = patch(structuredClone(workload));
  } catch (e) {
    if (!(e instanceof PatchError)) throw e;
    return { outputs: [], causes: [{ path: at, message: e.message }] };
  }
  const before = new Map(guarded(workload));
  const changed = guarded(result).filter(([field, v]) => before.get(field) !== v);
  if (changed.length > 0) {
    const causes: ErrorCause[] = changed.map(([field]) => ({
      path: at,
      message: `must not change ${field}: polis sets the kind, namespace, owner references and owner labels that keep an application inside its department's namespace`,
    }));
    return { outputs: [], causes };
  }
  for (const k of Object.keys(workload)) delete workload[k];
  Object.assign(workload, result);
  return { outputs: [], causes: [] };
}

export const PATCH_TRAITS: Readonly<Record<string, TraitType>> = {
  'json-patch': {
    schema: always(jsonPatchProperties),
    appliesTo: ['*'],
    apply: (workload, props, ctx) => {
      const p = props as z.infer<typeof jsonPatchProperties>;
      return patchWorkload(workload, `${ctx.path}.properties.operations`, (copy) => {
        p.operations.forEach((o, i) => {
          try {
            applyOperation(copy, o);
          } catch (e) {
            if (e instanceof PatchError) throw new PatchError(`operations[${i}] (${o.op}): ${e.message}`);
            throw e;
          }
        });
        return copy;
      });
    },
  },
  'json-merge-patch': {
    schema: always(jsonMergePatchProperties),
    appliesTo: ['*'],
    apply: (workload, props, ctx) =>
      patchWorkload(workload, `${ctx.path}.properties`, (copy) => mergePatch(copy, props) as Obj),
  },
};
