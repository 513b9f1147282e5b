import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseDocuments } from '../../kernel/documents.ts';
import type { ApplicationSpec } from '../application-kind.ts';
import { renderApplication, type RenderContext } from './render.ts';
import { SUPPORTED_COMPONENTS, SUPPORTED_POLICIES, SUPPORTED_STEPS, SUPPORTED_TRAITS } from './supported.ts';

/**
 * Golden files: `golden/<case>.input.yaml` holds an Application and, optionally, a `RenderContext` document (what
 * placement and delivery would pass); `golden/<case>.expected.yaml` what polis must render for it, checked by hand
 * against KubeVela's definitions. `UPDATE_GOLDEN=1` rewrites the expected files; review the diff before keeping it.
 */

const DIR = new URL('./golden/', import.meta.url);
const UPDATE = process.env.UPDATE_GOLDEN === '1';

interface Doc {
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly tenant?: string };
  readonly spec?: ApplicationSpec;
  readonly [field: string]: unknown;
}

function contextFor(app: Doc, extra: Doc | undefined): RenderContext {
  const name = app.metadata?.name ?? 'app';
  const policies = app.spec?.policies ?? [];
  const props = (type: string) => policies.filter((p) => p.type === type).map((p) => p.properties ?? {});
  const { kind: _kind, ...given } = extra ?? {};
  return {
    appName: name,
    tenant: app.metadata?.tenant ?? 'edu',
    namespace: app.metadata?.tenant ?? 'edu',
    revision: `${name}-v1`,
    cluster: 'gov-private-1',
    overrides: props('override'),
    applyOnce: props('apply-once'),
    garbageCollect: props('garbage-collect'),
    ...(given as Partial<RenderContext>),
  };
}

/** The expected text, formatted as `prettier --write` leaves the golden files. */
async function renderGolden(input: string, file: URL): Promise<string> {
  const docs = parseDocuments(input) as Doc[];
  const app = docs.find((d) => d.kind === 'Application');
  if (!app?.spec) throw new Error('a golden input needs an Application');
  const result = renderApplication(
    app.spec,
    contextFor(
      app,
      docs.find((d) => d.kind === 'RenderContext'),
    ),
  );
  const out = result.ok
    ? {
        manifests: result.manifests,
        ...(Object.keys(result.createOnlyPaths).length > 0 ? { createOnlyPaths: result.createOnlyPaths } : {}),
        ...(Object.keys(result.gc).length > 0 ? { gc: result.gc } : {}),
      }
    : { errors: result.errors };
  // YAML 1.1 quoting, so that values such as "on" stay strings for kubectl and other 1.1 readers.
  const text = stringify(out, { lineWidth: 0, version: '1.1' });
  return format(text, { ...(await resolveConfig(file)), parser: 'yaml' });
}

const cases = readdirSync(DIR)
  .filter((f) => f.endsWith('.input.yaml'))
  .map((f) => f.slice(0, -'.input.yaml'.length))
  .sort();

describe('rendering matches the golden files', () => {
  it('has a case for every component, trait, policy and step type', () => {
    const used = new Set<string>();
    for (const name of cases) {
      const docs = parseDocuments(readFileSync(new URL(`${name}.input.yaml`, DIR), 'utf8')) as Doc[];
      for (const d of docs) {
        for (const c of d.spec?.components ?? []) [c, ...(c.traits ?? [])].forEach((t) => used.add(t.type));
        for (const p of d.spec?.policies ?? []) used.add(p.type);
        for (const s of d.spec?.workflow?.steps ?? []) {
          for (const x of [s, ...((s as { subSteps?: { type: string }[] }).subSteps ?? [])]) used.add(x.type);
        }
      }
    }
    const polisOwn = ['autoscaling', 'failover', 'residency', 'slo'];
    const all = [...SUPPORTED_COMPONENTS, ...SUPPORTED_TRAITS, ...SUPPORTED_POLICIES, ...SUPPORTED_STEPS];
    expect(all.filter((t) => !used.has(t) && !polisOwn.includes(t))).toEqual([]);
  });

  for (const name of cases) {
    it(`renders ${name}`, async () => {
      const expectedUrl = new URL(`${name}.expected.yaml`, DIR);
      const actual = await renderGolden(readFileSync(new URL(`${name}.input.yaml`, DIR), 'utf8'), expectedUrl);
      if (UPDATE) writeFileSync(expectedUrl, actual);
      expect(actual).toBe(readFileSync(expectedUrl, 'utf8'));
    });
  }
});
