import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'polis-convert-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function polis(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    stdin: Readable.from(['']),
    env: { POLIS_CONFIG: '/nonexistent/polis.json', POLIS_SERVER: 'http://127.0.0.1:9', POLIS_TOKEN: 't' },
    cwd: dir,
  });
  return { code, stdout, stderr };
}

const header = 'apiVersion: core.oam.dev/v1beta1\nkind: Application\n';
mkdirSync(join(dir, 'apps', 'nested'), { recursive: true });
writeFileSync(
  join(dir, 'apps', 'plain.yaml'),
  `${header}metadata: { name: plain }\nspec:\n  components: [{ name: web, type: webservice, properties: { image: nginx } }]\n`,
);
writeFileSync(
  join(dir, 'apps', 'nested', 'changed.yaml'),
  `${header}metadata: { name: moved, namespace: prod }\nspec:\n  components: [{ name: web, type: webservice, properties: { image: nginx } }]\n  policies: [{ name: t, type: take-over, properties: { rules: [] } }]\n`,
);
writeFileSync(
  join(dir, 'apps', 'refused.yaml'),
  `${header}metadata: { name: bad }\nspec:\n  components: [{ name: web, type: config-image-registry, properties: {} }]\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }\n`,
);

describe('polis convert --check DIR', () => {
  it('says per file and Application what is accepted, changed and refused, with reason codes, and fails on a refusal', async () => {
    const r = await polis(['convert', '--check', 'apps']);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('changed   nested/changed.yaml  moved');
    expect(r.stdout).toContain('metadata.namespace: [NamespaceMapped]');
    expect(r.stdout).toContain('spec.policies[0].type: [PolicyWithoutEffect]');
    expect(r.stdout).toContain('accepted  plain.yaml  plain');
    expect(r.stdout).toContain('refused   refused.yaml  bad');
    expect(r.stdout).toContain('spec.components[0].type: [BuiltinNotSupported] component type "config-image-registry"');
    expect(r.stdout).toContain('skipped   refused.yaml  x');
    expect(lines.at(-1)).toBe('3 file(s), 3 Application(s): 1 accepted, 1 changed, 1 refused');
  });

  it('exits 0 when nothing is refused, and answers JSON', async () => {
    const r = await polis(['convert', '--check', 'apps/plain.yaml', '-o', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      kind: 'ConvertCheck',
      files: [{ file: 'apps/plain.yaml', documents: [{ outcome: 'accepted', name: 'plain' }] }],
    });
  });

  it('asks for --check and an existing folder', async () => {
    expect((await polis(['convert', 'apps'])).code).toBe(2);
    expect((await polis(['convert', '--check', 'nowhere'])).stderr).toContain('"nowhere" does not exist');
  });
});

describe('polis convert --check on polis documents', () => {
  it('checks an Application naming its department as that department', async () => {
    writeFileSync(
      join(dir, 'own.yaml'),
      `${header}metadata: { name: own, tenant: edu }\nspec:\n  components: [{ name: web, type: webservice, properties: { image: nginx } }]\n`,
    );
    expect((await polis(['convert', '--check', 'own.yaml'])).stdout).toContain('accepted  own.yaml  own');
    expect((await polis(['convert', '--check', 'own.yaml', '-n', 'tax'])).code).toBe(1);
  });

  it("says where a topology namespace goes: a namespace of the department's own, or the application's", async () => {
    writeFileSync(
      join(dir, 'stages.yaml'),
      `${header}metadata: { name: stages, tenant: edu, namespace: prod }\nspec:\n  components: [{ name: web, type: webservice, properties: { image: nginx } }]\n  policies:\n    - { name: p, type: topology, properties: { clusters: [a], namespace: prod } }\n    - { name: s, type: topology, properties: { clusters: [a], namespace: staging } }\n`,
    );
    const r = await polis(['convert', '--check', 'stages.yaml', '-o', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const notes = JSON.parse(r.stdout).files[0].documents[0].changes as {
      path: string;
      code: string;
      params: object;
    }[];
    expect(notes.filter((n) => n.code === 'TopologyNamespaceMapped')).toEqual([
      expect.objectContaining({ params: { namespace: 'prod', mapped: 'edu--stages' } }),
      expect.objectContaining({ params: { namespace: 'staging', mapped: 'edu-stages-staging-<hash>' } }),
    ]);
  });
});
