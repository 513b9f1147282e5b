import { stringify } from 'yaml';
import { usageError } from './cli-errors.ts';

export { age } from '../kernel/age.ts';

/** The value at a dotted path such as `spec.quota.cpu`, `spec.components.length` or `spec.items[0].name`. */
export function valueAt(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.').flatMap((p) => p.split(/\[(\d+)\]/).filter((s) => s !== ''))) {
    if (cur === null || cur === undefined) return undefined;
    if (Array.isArray(cur) && part === 'length') cur = cur.length;
    else if (typeof cur === 'object') cur = (cur as Record<string, unknown>)[part];
    else return undefined;
  }
  return cur;
}

/** A value as one table cell: `<none>` when absent, JSON for structures, never a line break. */
export function cell(value: unknown): string {
  if (value === undefined || value === null || value === '') return '<none>';
  if (typeof value === 'string') return value.replace(/\s*\n\s*/g, ' ');
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** Columns of terminal a string takes: East Asian wide and full-width characters (教育局) count two. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x20 || (c >= 0x300 && c <= 0x36f) || c === 0x200b) continue;
    width += isWide(c) ? 2 : 1;
  }
  return width;
}

function isWide(c: number): boolean {
  return (
    (c >= 0x1100 && c <= 0x115f) ||
    (c >= 0x2e80 && c <= 0x303e) ||
    (c >= 0x3041 && c <= 0x33ff) ||
    (c >= 0x3400 && c <= 0x4dbf) ||
    (c >= 0x4e00 && c <= 0x9fff) ||
    (c >= 0xa000 && c <= 0xa4cf) ||
    (c >= 0xac00 && c <= 0xd7a3) ||
    (c >= 0xf900 && c <= 0xfaff) ||
    (c >= 0xfe30 && c <= 0xfe4f) ||
    (c >= 0xff00 && c <= 0xff60) ||
    (c >= 0xffe0 && c <= 0xffe6) ||
    (c >= 0x1f300 && c <= 0x1f64f) ||
    (c >= 0x20000 && c <= 0x3fffd)
  );
}

/** Column widths for a header and rows (at least the header's). */
export function columnWidths(header: readonly string[], rows: readonly (readonly string[])[]): number[] {
  return header.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))));
}

/** One table line: cells left-aligned, three spaces apart, no trailing blanks. */
export function tableLine(cells: readonly string[], widths: readonly number[]): string {
  return cells
    .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(Math.max((widths[i] ?? 0) - displayWidth(c), 0))))
    .join('   ')
    .trimEnd();
}

/** A whole table, kubectl style (upper-case header, aligned columns). */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = columnWidths(header, rows);
  return [header, ...rows].map((r) => `${tableLine(r, widths)}\n`).join('');
}

/** YAML as polis prints it: key order kept, no line folding. */
export function toYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });
}

export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Output formats of commands that print objects. */
export type OutputFormat = 'table' | 'wide' | 'name' | 'json' | 'yaml';

export function indent(text: string, by = 2): string {
  const pad = ' '.repeat(by);
  return text
    .replace(/\n$/, '')
    .split('\n')
    .map((l) => (l === '' ? l : pad + l))
    .join('\n');
}

/** The -o value, checked against what the command supports (a usage error names them). */
export function parseOutput(value: string | undefined, allowed: readonly OutputFormat[]): OutputFormat {
  if (value === undefined) return allowed[0]!;
  const v = value.toLowerCase() as OutputFormat;
  if (allowed.includes(v) && v !== 'table') return v;
  const accepted = allowed.filter((a) => a !== 'table');
  throw usageError(`-o "${value}" is not supported here`, `use one of: ${accepted.join(', ')}`);
}
