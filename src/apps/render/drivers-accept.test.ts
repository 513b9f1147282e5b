import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { RENDERED_KINDS } from '../../clusters/drivers/kubernetes/discovery.ts';
import { validateManifest } from '../../sim/manifest-validation.ts';

/**
 * What the golden files render, both cluster drivers take: the simulated cloud's API checks accept every object,
 * and the Kubernetes driver applies, watches and prunes its kind (RENDERED_KINDS, granted by the agent's role).
 */

const DIR = new URL('./golden/', import.meta.url);
const expected = readdirSync(DIR)
  .filter((f) => f.endsWith('.expected.yaml'))
  .sort();

describe('every rendered golden object', () => {
  for (const file of expected) {
    const out = parse(readFileSync(new URL(file, DIR), 'utf8')) as { manifests?: Array<Record<string, unknown>> };
    if (!out.manifests) continue;
    it(`of ${file} is accepted by the simulated cloud and applied by the Kubernetes driver`, () => {
      for (const m of out.manifests!) {
        expect(() => validateManifest(m)).not.toThrow();
        const known = RENDERED_KINDS.some((r) => r.apiVersion === m.apiVersion && r.kind === m.kind);
        expect(known, `${String(m.apiVersion)} ${String(m.kind)}`).toBe(true);
      }
    });
  }
});
