import type { ApiResource } from './api-resources.ts';
import type { CodedText } from './cli-lang.ts';
import { say } from './cli-lang.ts';
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

/**
 * A `…message` column whose object carries the message's code beside it (events, conditions): said in the command
 * line's language.
 */
function codedMessage(obj: ObjectLike, path: string, english: string): string {
  if (!path.endsWith('.message')) return english;
  const parent = valueAt(obj, path.slice(0, -'.message'.length)) as CodedText | undefined;
  return parent?.code ? say({ ...parent, message: english }) : english;
}

export function objectRow(r: ApiResource, obj: ObjectLike, shape: TableShape, now: Date): string[] {
  const cols = r.printColumns
    .filter((c) => shape.wide || !c.wide)
    .map((c) => {
      const v = valueAt(obj, c.path);
      if (c.format === 'age') return typeof v === 'string' ? age(v, now) : '<none>';
      return cell(typeof v === 'string' ? codedMessage(obj, c.path, v) : v);
    });
  const meta = obj.metadata ?? {};
  return [...(shape.withTenant ? [cell(meta.tenant)] : []), cell(meta.name), ...cols, age(meta.creationTimestamp, now)];
}
