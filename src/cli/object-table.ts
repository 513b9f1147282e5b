import type { ApiResource } from './api-resources.ts';
import { age, cell, valueAt } from './printers.ts';

export interface TableShape {
  readonly wide: boolean;
  /** Listing across departments: a TENANT column first. */
  readonly withTenant: boolean;
}

export interface ObjectLike {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: {
    readonly name?: string;
    readonly tenant?: string;
    readonly creationTimestamp?: string;
    readonly [k: string]: unknown;
  };
  readonly [k: string]: unknown;
}

/** The header of `polis get`: [TENANT] NAME, the kind's print columns (wide ones with -o wide), AGE. */
export function objectHeader(r: ApiResource, shape: TableShape): string[] {
  const cols = r.printColumns.filter((c) => shape.wide || !c.wide).map((c) => c.name.toUpperCase());
  return [...(shape.withTenant ? ['TENANT'] : []), 'NAME', ...cols, 'AGE'];
}

export function objectRow(r: ApiResource, obj: ObjectLike, shape: TableShape, now: Date): string[] {
  const cols = r.printColumns
    .filter((c) => shape.wide || !c.wide)
    .map((c) => {
      const v = valueAt(obj, c.path);
      return c.format === 'age' ? (typeof v === 'string' ? age(v, now) : '<none>') : cell(v);
    });
  const meta = obj.metadata ?? {};
  return [...(shape.withTenant ? [cell(meta.tenant)] : []), cell(meta.name), ...cols, age(meta.creationTimestamp, now)];
}
