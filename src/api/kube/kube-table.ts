import { age } from '../../kernel/age.ts';
import type { KindDefinition, PrintColumn } from '../../resources/registry.ts';

/**
 * meta.k8s.io/v1 Tables (pure): what `kubectl get` asks for with `Accept: application/json;as=Table;…`. The columns
 * are those of `polis get`: NAME, the kind's print columns (wide ones at priority 1, shown by `-o wide`), AGE.
 */

interface MetaLike {
  readonly name: string;
  readonly tenant?: string;
  readonly namespace?: string;
  readonly creationTimestamp?: string;
}
export interface TableSource {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: MetaLike;
  readonly [k: string]: unknown;
}

/** Whether an Accept header asks for a Table (`as=Table;g=meta.k8s.io`, v1 or v1beta1), before any plain JSON. */
export function wantsTable(accept: string | undefined): boolean {
  if (!accept) return false;
  for (const part of accept.split(',')) {
    const params = part.split(';').map((s) => s.trim());
    if (params.includes('as=Table') && (params.includes('g=meta.k8s.io') || !params.some((p) => p.startsWith('g='))))
      return true;
    if (params[0] === 'application/json' && !params.some((p) => p.startsWith('as='))) return false;
  }
  return false;
}

/** `includeObject`: None, Metadata (default) or Object. */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function includeObjectOf(value: string | undefined): IncludeObject {
  return value === 'None' || value === 'Object' ? value : 'Metadata';
}

/** A print column's path split once into its steps (`spec.components.length`, `status.conditions[0].type`). */
const stepsOf = new Map<string, readonly string[]>();

function pathSteps(path: string): readonly string[] {
  let steps = stepsOf.get(path);
  if (steps === undefined) {
    steps = path.split('.').flatMap((p) => p.split(/\[(\d+)\]/).filter((s) => s !== ''));
    stepsOf.set(path, steps);
  }
  return steps;
}

function valueAt(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of pathSteps(path)) {
    if (cur === null || cur === undefined) return undefined;
    if (Array.isArray(cur) && part === 'length') cur = cur.length;
    else if (typeof cur === 'object') cur = (cur as Record<string, unknown>)[part];
    else return undefined;
  }
  return cur;
}

export { age };

function cell(value: unknown): string | number | boolean {
  if (value === undefined || value === null || value === '') return '<none>';
  if (typeof value === 'string') return value.replace(/\s*\n\s*/g, ' ');
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value);
}

function columnCell(c: PrintColumn, obj: TableSource, now: Date): string | number | boolean {
  const v = valueAt(obj, c.path);
  return c.format === 'age' ? (typeof v === 'string' ? age(v, now) : '<none>') : cell(v);
}

/** The column definitions of a kind. */
export function columnDefinitions(columns: readonly PrintColumn[]): Record<string, unknown>[] {
  return [
    { name: 'Name', type: 'string', format: 'name', description: 'metadata.name', priority: 0 },
    ...columns.map((c) => ({
      name: c.name.charAt(0) + c.name.slice(1).toLowerCase(),
      type: 'string',
      format: '',
      description: c.path,
      priority: c.wide ? 1 : 0,
    })),
    { name: 'Age', type: 'string', format: '', description: 'metadata.creationTimestamp', priority: 0 },
  ];
}

/** The metadata-only form of an object (PartialObjectMetadata), what a row carries by default. */
export function partialObjectMetadata(obj: TableSource): Record<string, unknown> {
  return { apiVersion: 'meta.k8s.io/v1', kind: 'PartialObjectMetadata', metadata: obj.metadata };
}

/** One row per object. */
export function tableRows(
  columns: readonly PrintColumn[],
  objects: readonly TableSource[],
  include: IncludeObject,
  now: Date,
): Record<string, unknown>[] {
  return objects.map((o) => ({
    cells: [o.metadata.name, ...columns.map((c) => columnCell(c, o, now)), age(o.metadata.creationTimestamp, now)],
    ...(include === 'None' ? {} : { object: include === 'Object' ? o : partialObjectMetadata(o) }),
  }));
}

/** A whole Table of a kind's objects (a list, one object, or one watch event's object). */
export function table(
  def: Pick<KindDefinition, 'printColumns'>,
  objects: readonly TableSource[],
  opts: { include: IncludeObject; now: Date; resourceVersion?: string; continue?: string; withColumns?: boolean },
): Record<string, unknown> {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: {
      ...(opts.resourceVersion !== undefined ? { resourceVersion: opts.resourceVersion } : {}),
      ...(opts.continue ? { continue: opts.continue } : {}),
    },
    ...(opts.withColumns === false ? {} : { columnDefinitions: columnDefinitions(def.printColumns) }),
    rows: tableRows(def.printColumns, objects, opts.include, opts.now),
  };
}

/** How many rows a Table's text is built from at a time: one pass of the serializer each, a bounded live set. */
const TABLE_BATCH = 500;

/**
 * A list's Table as JSON text, the same bytes as `JSON.stringify(table(...))`, built from the objects' stored JSON
 * in batches: each batch is parsed, shown through `view`, turned into rows, serialized and dropped, so a Table of
 * 10,000 rows never holds 10,000 parsed objects (nor their rows) at once, and a page of 500 costs one serializer pass.
 */
export function tableText(
  def: Pick<KindDefinition, 'printColumns'>,
  rawItems: readonly string[],
  view: (obj: TableSource) => TableSource,
  opts: { include: IncludeObject; now: Date; resourceVersion?: string; continue?: string },
): string {
  const head = JSON.stringify(table(def, [], opts));
  const parts: string[] = [];
  for (let at = 0; at < rawItems.length; at += TABLE_BATCH) {
    const objects = rawItems.slice(at, at + TABLE_BATCH).map((raw) => view(JSON.parse(raw) as TableSource));
    parts.push(JSON.stringify(tableRows(def.printColumns, objects, opts.include, opts.now)).slice(1, -1));
  }
  // head ends in `"rows":[]}`.
  return `${head.slice(0, -2)}${parts.join(',')}]}`;
}
