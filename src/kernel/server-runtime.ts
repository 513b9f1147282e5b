import { readFileSync } from 'node:fs';

const runtime = JSON.parse(readFileSync(new URL('./server-runtime.json', import.meta.url), 'utf8')) as {
  flags: string[];
  footprints: Record<string, string[]>;
};

/** The memory footprints polis runs in: `default` (fastest) or `small` (V8 favours memory over speed). */
export const FOOTPRINTS = Object.keys(runtime.footprints);

/** The node flags the polis server runs with for a footprint (the same list bin/polis.js applies). */
export function serverNodeFlags(footprint = 'default'): string[] {
  return [...runtime.flags, ...(runtime.footprints[footprint] ?? [])];
}
