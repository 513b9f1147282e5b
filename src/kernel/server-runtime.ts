import { readFileSync } from 'node:fs';

const runtime = JSON.parse(readFileSync(new URL('./server-runtime.json', import.meta.url), 'utf8')) as {
  flags: string[];
  footprints: Record<string, string[]>;
  heapMb: number;
};

/** The V8 old-space cap in MB: POLIS_HEAP_MB, else the default (docs/configuration.md, Memory). */
export function heapLimitMb(value: string | undefined): number {
  const n = Number(value);
  return value && Number.isInteger(n) && n >= 128 ? n : runtime.heapMb;
}

/** The memory footprints polis runs in: `default` (fastest) or `small` (V8 favours memory over speed). */
export const FOOTPRINTS = Object.keys(runtime.footprints);

/** The node flags the polis server runs with for a footprint and heap cap (the same list bin/polis.js applies). */
export function serverNodeFlags(footprint = 'default', heapMb?: string): string[] {
  return [...runtime.flags, ...(runtime.footprints[footprint] ?? []), `--max-old-space-size=${heapLimitMb(heapMb)}`];
}
