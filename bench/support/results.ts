import { cpus, release, totalmem, type } from 'node:os';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One measured figure, in the shape docs and CI read (see /work/shared/CONVENTIONS.md). */
export interface Figure {
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
  /** What the issue asks for: ">= N" or "<= N". */
  readonly goal?: string;
  /** What the figure is compared against, measured in the same run where possible. */
  readonly baseline?: string;
  /** Whether `value` meets `goal` (absent without a goal). */
  readonly met?: boolean;
}

export interface BenchResult {
  readonly benchmark: string;
  readonly date: string;
  readonly machine: string;
  readonly command: string;
  readonly figures: readonly Figure[];
  /** How the run was set up (sizes, durations), so a quick run is never mistaken for a full one. */
  readonly parameters?: Readonly<Record<string, unknown>>;
  /** Goals missed, skipped parts, profiles. */
  readonly notes?: readonly string[];
}

export const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

/** "2 cores, <model>, 23.5 GB RAM, Linux 6.1, node v24.21.0". */
export function machine(): string {
  const cores = cpus();
  const model = cores[0]?.model.replace(/\s+/g, ' ').trim() ?? 'unknown CPU';
  return `${cores.length} cores, ${model}, ${(totalmem() / 2 ** 30).toFixed(1)} GB RAM, ${type()} ${release()}, node ${process.version}`;
}

/** Adds `met` to a figure with a goal. */
export function figure(f: Omit<Figure, 'met'>): Figure {
  if (f.goal === undefined) return f;
  const m = /^(>=|<=)\s*(-?[\d.]+)$/.exec(f.goal);
  if (!m) throw new Error(`goal "${f.goal}" is not ">= N" or "<= N"`);
  const limit = Number(m[2]);
  return { ...f, met: m[1] === '>=' ? f.value >= limit : f.value <= limit };
}

export function round(value: number, digits = 1): number {
  const p = 10 ** digits;
  return Math.round(value * p) / p;
}

/** The p-th percentile (0–100) of unsorted samples, nearest-rank. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

/** Prints the figures as a table, goals missed marked plainly. */
export function printFigures(title: string, figures: readonly Figure[]): void {
  console.log(`\n${title}`);
  const width = Math.max(...figures.map((f) => f.metric.length));
  for (const f of figures) {
    const verdict = f.met === undefined ? '' : f.met ? `  goal ${f.goal}: met` : `  goal ${f.goal}: MISSED`;
    const base = f.baseline ? `  (${f.baseline})` : '';
    console.log(`  ${f.metric.padEnd(width)}  ${String(f.value).padStart(10)} ${f.unit}${verdict}${base}`);
  }
}

/**
 * Writes bench/results/<benchmark>.json (or <benchmark>.<variant>.json, e.g. for a profiled run whose figures are
 * perturbed and must not replace the real ones) and returns its path.
 */
export async function writeResult(result: Omit<BenchResult, 'date' | 'machine'>, variant?: string): Promise<string> {
  const full: BenchResult = {
    benchmark: result.benchmark,
    date: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    machine: machine(),
    command: result.command,
    figures: result.figures,
    ...(result.parameters ? { parameters: result.parameters } : {}),
    ...(result.notes?.length ? { notes: result.notes } : {}),
  };
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${result.benchmark}${variant ? `.${variant}` : ''}.json`);
  await writeFile(file, `${JSON.stringify(full, null, 2)}\n`);
  return file;
}

/** A whole number from the environment, or the fallback. */
export function envInt(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name}="${v}" is not a whole number`);
  return n;
}
