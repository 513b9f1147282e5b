import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { runCli } from '../src/cli/run-cli.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

// The delivery commands of `polis` (rollout, render, export, describe app) against a whole polis with its
// controllers and the simulated cloud, driven in-process through runCli.

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

let t: TestPolis;
let home: string;
/** Two clusters of the sandbox, for the workflow's topology policies. */
let east: string;
let west: string;

async function polis(args: string[], opts: { tty?: boolean; stdin?: string } = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: { write: (s: string) => (stdout += s), isTTY: opts.tty },
    stderr: { write: (s: string) => (stderr += s) },
    stdin: Readable.from(opts.stdin === undefined ? [] : [opts.stdin]),
    env: {
      HOME: home,
      POLIS_CONFIG: join(home, 'no-login.json'),
      POLIS_SERVER: t.polis.url!,
      POLIS_TOKEN: t.adminToken,
    },
    cwd: home,
  });
  return { code, stdout, stderr };
}

const department = `apiVersion: polis.io/v1
kind: Tenant
metadata: { name: edu }
spec:
  displayName: { zh: 教育局, en: Education Bureau }
  quota: { cpu: "64", memory: 256Gi, storage: 2Ti, applications: 30 }
`;

const webApp = (image: string, cause: string, replicas = 2) => `apiVersion: core.oam.dev/v1beta1
kind: Application
metadata:
  name: cli-web
  tenant: edu
  annotations: { polis.io/change-cause: "${cause}" }
spec:
  components:
    - name: web
      type: webservice
      properties: { image: registry.example.gov.cn/edu/cli-web:${image}, cpu: 100m, memory: 128Mi }
      traits:
        - type: scaler
          properties: { replicas: ${replicas} }
`;

const gatedApp = () => `apiVersion: core.oam.dev/v1beta1
kind: Application
metadata:
  name: cli-gate
  tenant: edu
spec:
  components:
    - name: web
      type: webservice
      properties: { image: registry.example.gov.cn/edu/cli-gate:1.0.0, cpu: 100m, memory: 128Mi }
      traits:
        - type: scaler
          properties: { replicas: 1 }
  policies:
    - { name: east, type: topology, properties: { clusters: [${east}] } }
    - { name: west, type: topology, properties: { clusters: [${west}] } }
  workflow:
    steps:
      - { name: deploy-east, type: deploy, properties: { policies: [east] } }
      - { name: approve-west, type: suspend }
      - { name: deploy-west, type: deploy, properties: { policies: [west] } }
`;

async function until(check: () => Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function appStatus(name: string): Promise<Record<string, unknown> | undefined> {
  const res = await t.request('GET', `/apis/core.oam.dev/v1beta1/tenants/edu/applications/${name}`, {
    token: t.adminToken,
  });
  return (res.json() as { status?: Record<string, unknown> }).status;
}

beforeAll(async () => {
  // Its own department rather than the demo city: only this file's applications keep the controllers busy.
  t = await startTestPolis({ listen: true, controllers: true, demo: false });
  home = mkdtempSync(join(tmpdir(), 'polis-cli-delivery-'));
  const clusters = (await t.request('GET', '/apis/polis.io/v1/clusters', { token: t.adminToken })).json() as {
    items: { metadata: { name: string }; spec?: { role?: string } }[];
  };
  const names = clusters.items.filter((c) => c.spec?.role !== 'burst').map((c) => c.metadata.name);
  east = names[0]!;
  west = names[1] ?? names[0]!;
  expect((await polis(['apply', '-f', '-'], { stdin: department })).code).toBe(0);
  expect((await polis(['apply', '-f', '-'], { stdin: webApp('1.0.0', 'first release') })).code).toBe(0);
  expect((await polis(['apply', '-f', '-'], { stdin: webApp('1.1.0', 'image 1.1.0') })).code).toBe(0);
});

afterAll(async () => {
  await t?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('polis get finds the delivery kinds by their short names', () => {
  it.each([
    'apps',
    'app',
    'application',
    'applications',
    'clusters',
    'cl',
    'events',
    'ev',
    'applicationrevisions',
    'apprev',
  ])('polis get %s', async (kind) => {
    const r = await polis(['get', kind, '-A', '-o', 'name']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('polis rollout history', () => {
  it('lists the kept revisions with a star on the current one and the change cause', async () => {
    const r = await polis(['rollout', 'history', 'cli-web', '-n', 'edu']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^REVISION\s+CREATED\s+CURRENT\s+ROLLBACK-OF\s+CHANGE-CAUSE$/);
    expect(lines[1]).toMatch(/^1\s+\d+[smh]\s+<none>\s+first release$/);
    expect(lines[2]).toMatch(/^2\s+\d+[smh]\s+\*\s+<none>\s+image 1\.1\.0$/);
  });

  it('finds the department itself when the name is unique, and prints JSON with -o json', async () => {
    const r = await polis(['rollout', 'history', 'cli-web', '-o', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: 'RevisionHistory', application: 'cli-web', current: 2 });
  });

  it('says an unknown application is not found (exit 4) and what lists them', async () => {
    const r = await polis(['rollout', 'history', 'no-such-app', '-n', 'edu']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('hint: polis get apps -n edu lists the applications of edu');
  });

  it('refuses a name that cannot be an application (exit 2) before asking the server', async () => {
    const r = await polis(['rollout', 'history', 'Not_A_Name', '-n', 'edu']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: APP "Not_A_Name" is not an application name');
  });
});

describe('polis rollout diff', () => {
  it('prints the unified diff of the previous and the current revision, plain when not on a terminal', async () => {
    const r = await polis(['rollout', 'diff', 'cli-web', '-n', 'edu']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^--- cli-web-v1\n\+\+\+ cli-web-v2\n@@/);
    expect(r.stdout).toContain('-');
    expect(r.stdout).toMatch(/\+.*cli-web:1\.1\.0/);
    expect(r.stdout).not.toContain('\u001b[');
  });

  it('colours the diff on a terminal', async () => {
    const r = await polis(['rollout', 'diff', 'cli-web', '-n', 'edu', '--from', '1', '--to', '2'], { tty: true });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('\u001b[32m+');
    expect(r.stdout).toContain('\u001b[31m-');
  });

  it('says so when two revisions do not differ', async () => {
    const r = await polis(['rollout', 'diff', 'cli-web', '-n', 'edu', '--from', '2', '--to', '2']);
    expect(r).toMatchObject({ code: 0, stdout: '' });
    expect(r.stderr).toContain('no difference between revisions 2 and 2 of cli-web');
  });

  it('names the flag when a revision is not a number (exit 2) or not kept (exit 2, with the kept ones)', async () => {
    const bad = await polis(['rollout', 'diff', 'cli-web', '-n', 'edu', '--from', 'two']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('error: --from "two" is not a revision number');
    const missing = await polis(['rollout', 'diff', 'cli-web', '-n', 'edu', '--from', '99']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('revision 99 of cli-web is not kept');
    expect(missing.stderr).toContain('kept revisions: 1, 2');
  });
});

describe('polis rollout undo', () => {
  it('with --dry-run says what it would do and changes nothing', async () => {
    const r = await polis(['rollout', 'undo', 'cli-web', '-n', 'edu', '--dry-run']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe('application/cli-web rolled back to revision 1 (now cli-web-v3) (dry run)\n');
    const h = JSON.parse((await polis(['rollout', 'history', 'cli-web', '-n', 'edu', '-o', 'json'])).stdout);
    expect(h.current).toBe(2);
  });

  it('goes back to the revision before the current one, recorded as a new revision', async () => {
    const r = await polis(['rollout', 'undo', 'cli-web', '-n', 'edu']);
    expect(r).toMatchObject({ code: 0, stdout: 'application/cli-web rolled back to revision 1 (now cli-web-v3)\n' });
    const history = await polis(['rollout', 'history', 'cli-web', '-n', 'edu']);
    expect(history.stdout.trimEnd().split('\n')[3]).toMatch(/^3\s+\d+[smh]\s+\*\s+1\s/);
  });

  it('is a conflict (exit 5) to roll back to the spec it already runs', async () => {
    const r = await polis(['rollout', 'undo', 'cli-web', '-n', 'edu', '--to-revision', '3']);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('already runs the spec of revision 3');
  });

  it('refuses --to-revision 0 (exit 2) and a revision that is not kept (exit 2)', async () => {
    const zero = await polis(['rollout', 'undo', 'cli-web', '-n', 'edu', '--to-revision', '0']);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain('--to-revision "0" is not a revision number');
    const gone = await polis(['rollout', 'undo', 'cli-web', '-n', 'edu', '--to-revision', '42']);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain('hint: polis rollout history cli-web -n edu lists the kept revisions');
  });
});

describe('polis rollout status', () => {
  it('prints where the application stands', async () => {
    const r = await polis(['rollout', 'status', 'cli-web', '-n', 'edu']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^application\/cli-web in edu\nPhase: /);
    expect(r.stdout).toContain('Generation:  3');
    expect(r.stdout).toContain('Components:');
  });

  it('with -w follows the rollout until the application is Running and healthy', async () => {
    const r = await polis(['rollout', 'status', 'cli-web', '-n', 'edu', '-w', '--timeout', '60s']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('application/cli-web successfully rolled out (revision cli-web-v3)');
  });

  it('refuses --timeout without -w and a timeout that is not a duration (exit 2)', async () => {
    expect((await polis(['rollout', 'status', 'cli-web', '-n', 'edu', '--timeout', '1m'])).stderr).toContain(
      '--timeout applies only with -w/--watch',
    );
    const r = await polis(['rollout', 'status', 'cli-web', '-n', 'edu', '-w', '--timeout', 'soon']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--timeout "soon" is not a duration');
  });
});

describe('polis rollout resume', () => {
  it('approves the suspend step the workflow waits at', async () => {
    expect((await polis(['apply', '-f', '-'], { stdin: gatedApp() })).code).toBe(0);
    await until(async () => {
      const steps = ((await appStatus('cli-gate'))?.workflow as { steps?: { name: string; phase: string }[] })?.steps;
      return steps?.some((s) => s.name === 'approve-west' && s.phase === 'suspending') ?? false;
    }, 'cli-gate to wait at approve-west');
    const status = await polis(['rollout', 'status', 'cli-gate', '-n', 'edu']);
    expect(status.stdout).toContain('polis rollout resume cli-gate -n edu --step approve-west');

    const r = await polis(['rollout', 'resume', 'cli-gate', '-n', 'edu']);
    expect(r).toMatchObject({ code: 0, stdout: 'application/cli-gate: step approve-west approved\n' });
  });

  it('refuses a step that is not a suspend step (exit 2), naming the suspend steps', async () => {
    const r = await polis(['rollout', 'resume', 'cli-gate', '-n', 'edu', '--step', 'deploy-east']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('suspend steps: approve-west');
    expect(r.stderr).toContain('hint: polis rollout status cli-gate -n edu shows the workflow steps');
  });

  it('refuses an empty --step before asking the server (exit 2)', async () => {
    const r = await polis(['rollout', 'resume', 'cli-gate', '-n', 'edu', '--step', '']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: --step is empty');
  });
});

describe('polis render', () => {
  it('prints the placement as comments, then per cluster its manifests as a YAML stream', async () => {
    writeFileSync(join(home, 'render.yaml'), webApp('2.0.0', 'next', 3).replace('name: cli-web', 'name: cli-draft'));
    const r = await polis(['render', '-f', 'render.yaml']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^# application: cli-draft \(tenant edu, rendered, not applied\)\n# COMPONENT\s+CLUSTER\s+REPLICAS\n/,
    );
    expect(r.stdout).toMatch(/^# cluster: \S+$/m);
    const docs = parseAllDocuments(r.stdout).map((d) => d.toJSON() as { apiVersion?: string; kind?: string });
    expect(docs.length).toBeGreaterThan(0);
    for (const d of docs) expect(d).toMatchObject({ apiVersion: expect.any(String), kind: expect.any(String) });
    expect((await polis(['get', 'app', 'cli-draft', '-n', 'edu'])).code).toBe(4);
  });

  it('prints the server’s answer with -o json', async () => {
    const r = await polis(['render', '-f', '-', '-o', 'json'], { stdin: webApp('2.0.0', 'next') });
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ kind: 'RenderResult', application: 'cli-web', placement: { web: {} } });
    expect(result.clusters.length).toBeGreaterThan(0);
  });

  it('refuses a file of several documents, another kind, or no -f (exit 2)', async () => {
    const two = await polis(['render', '-f', '-'], { stdin: `${webApp('1', 'a')}---\n${gatedApp()}` });
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('error: -f - holds 2 documents');
    const tenant = await polis(['render', '-f', '-'], {
      stdin: 'apiVersion: polis.io/v1\nkind: Tenant\nmetadata: { name: x }\n',
    });
    expect(tenant.code).toBe(2);
    expect(tenant.stderr).toContain('the document is a Tenant, not an Application');
    expect((await polis(['render'])).stderr).toContain('error: -f FILE is required');
  });

  it('prints every problem of an invalid application with its path (exit 2)', async () => {
    const r = await polis(['render', '-f', '-'], { stdin: webApp('1', 'a', -1) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/replicas/);
  });
});

describe('polis export', () => {
  it('prints the stored application’s manifests as one YAML stream, a comment per cluster', async () => {
    const r = await polis(['export', 'app', 'cli-web', '-n', 'edu']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^# application: cli-web \(tenant edu, revision cli-web-v3\)\n# cluster: /);
    const docs = parseAllDocuments(r.stdout).map((d) => d.toJSON() as { kind?: string });
    expect(docs.length).toBeGreaterThan(0);
  });

  it('keeps one cluster’s manifests with --cluster, and says where the application is for another (exit 4)', async () => {
    const all = JSON.parse((await polis(['export', 'app', 'cli-web', '-n', 'edu', '-o', 'json'])).stdout);
    expect(all).toMatchObject({ kind: 'ExportResult', application: 'cli-web', revision: 'cli-web-v3' });
    const first = all.clusters[0].cluster as string;
    const one = await polis(['export', 'app', 'cli-web', '-n', 'edu', '--cluster', first]);
    expect(one.code).toBe(0);
    expect(one.stdout.match(/^# cluster: .*$/gm)).toEqual([`# cluster: ${first}`]);
    const none = await polis(['export', 'app', 'cli-web', '-n', 'edu', '--cluster', 'nowhere']);
    expect(none.code).toBe(4);
    expect(none.stderr).toContain('hint: it is placed on: ');
  });

  it('exports applications only (exit 2)', async () => {
    const r = await polis(['export', 'tenant', 'edu']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('polis export cannot export "tenant"');
  });
});

describe('polis describe app', () => {
  it('shows placement, conditions, workflow, revisions and events after the metadata', async () => {
    const r = await polis(['describe', 'app', 'cli-web', '-n', 'edu']);
    expect(r.code).toBe(0);
    const order = [
      'Name:',
      'Phase:',
      'Placement:',
      'Conditions:',
      'Workflow',
      'Revisions (last 3 of 3):',
      'Events',
      'Spec:',
    ];
    const at = order.map((s) => r.stdout.indexOf(s));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(r.stdout).toMatch(/COMPONENT\s+CLUSTER\s+DESIRED\s+READY\s+PHASE\s+REASON/);
    expect(r.stdout).toMatch(/TYPE\s+STATUS\s+REASON\s+MESSAGE/);
  });

  it('keeps the generic describe for other kinds', async () => {
    const r = await polis(['describe', 'tenant', 'edu']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('Placement:');
  });
});
