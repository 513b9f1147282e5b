/** metadata.managedFields: reading and writing the field sets of each manager (FieldsV1 encoding). */
import { isMap, parsePathKey, pathKey } from './field-path.ts';
import type { ResourceDef } from './resources.ts';
import type { KubeObject, ManagedFieldsEntry } from './types.ts';

export interface Manager {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  subresource?: string;
  /** Path keys (see field-path.ts). */
  set: Set<string>;
}

export const sameEntry = (m: Manager, manager: string, operation: string, subresource?: string): boolean =>
  m.manager === manager && m.operation === operation && (m.subresource ?? '') === (subresource ?? '');

/** FieldsV1 as the API server writes it: `{"f:spec": {"f:replicas": {}}}`, `"."` marking an owned map or item. */
export function toFieldsV1(set: Iterable<string>): Record<string, unknown> {
  type Node = { self: boolean; children: Map<string, Node> };
  const root: Node = { self: false, children: new Map() };
  for (const key of set) {
    let node = root;
    for (const pe of parsePathKey(key)) {
      let child = node.children.get(pe);
      if (!child) node.children.set(pe, (child = { self: false, children: new Map() }));
      node = child;
    }
    node.self = true;
  }
  const render = (n: Node): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    if (n.self && n.children.size > 0) out['.'] = {};
    for (const pe of [...n.children.keys()].sort()) out[pe] = render(n.children.get(pe) as Node);
    return out;
  };
  return render(root);
}

export function fromFieldsV1(tree: unknown, prefix: string[] = [], out = new Set<string>()): Set<string> {
  if (!isMap(tree)) return out;
  for (const [pe, child] of Object.entries(tree)) {
    if (pe === '.') {
      out.add(pathKey(prefix));
      continue;
    }
    const p = [...prefix, pe];
    if (!isMap(child) || Object.keys(child).length === 0) out.add(pathKey(p));
    else fromFieldsV1(child, p, out);
  }
  return out;
}

export function readManagers(obj: KubeObject | undefined): Manager[] {
  const entries = (obj?.metadata?.managedFields ?? []) as ManagedFieldsEntry[];
  return entries.map((e) => ({
    manager: e.manager,
    operation: e.operation,
    apiVersion: e.apiVersion,
    time: e.time,
    ...(e.subresource ? { subresource: e.subresource } : {}),
    set: fromFieldsV1(e.fieldsV1),
  }));
}

/** Writes the managers back; managers left without fields are dropped, as the API server does. */
export function writeManagers(obj: KubeObject, managers: Manager[]): void {
  const entries: ManagedFieldsEntry[] = managers
    .filter((m) => m.set.size > 0)
    .map((m) => ({
      manager: m.manager,
      operation: m.operation,
      apiVersion: m.apiVersion,
      time: m.time,
      fieldsType: 'FieldsV1',
      fieldsV1: toFieldsV1(m.set),
      ...(m.subresource ? { subresource: m.subresource } : {}),
    }));
  const metadata = (obj.metadata ??= {});
  if (entries.length > 0) metadata.managedFields = entries;
  else delete metadata.managedFields;
}

const OWNED_METADATA = ['labels', 'annotations', 'finalizers', 'ownerReferences'];

/**
 * The part of an object whose fields are owned: not apiVersion/kind, only labels/annotations/finalizers/
 * ownerReferences of metadata, and status only through the status subresource of kinds that have one.
 */
export function ownedView(obj: KubeObject, def: ResourceDef, subresource?: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'apiVersion' || k === 'kind' || v === undefined) continue;
    if (subresource === 'status' && k !== 'status') continue;
    if (k === 'status' && def.status && subresource !== 'status') continue;
    if (k === 'metadata') {
      const meta: Record<string, unknown> = {};
      for (const m of OWNED_METADATA) {
        const value = (v as Record<string, unknown>)[m];
        if (value !== undefined) meta[m] = value;
      }
      if (Object.keys(meta).length > 0) out.metadata = meta;
      continue;
    }
    out[k] = v;
  }
  return out;
}
