import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { runCli } from '../src/cli/run-cli.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

interface RunOptions {
  readonly env?: Record<string, string>;
  readonly stdin?: string;
  readonly signal?: AbortSignal;
  /** Stands for a terminal's hidden prompt (polis login without a token flag). */
  readonly readSecret?: (prompt: string) => Promise<string>;
  /** Receives output as it is written (for watching). */
  readonly live?: { stdout: string };
}

const app = (name: string, tenant: string, replicas = 1) => `apiVersion: core.oam.dev/v1beta1
kind: Application
metadata:
  name: ${name}
  tenant: ${tenant}
  labels: { app.polis.io/service: ${name} }
spec:
  components:
    - name: web
      type: webservice
      properties: { image: registry.example.gov.cn/${tenant}/${name}:1.0.0, cpu: 100m, memory: 128Mi }
      traits:
        - type: scaler
          properties: { replicas: ${replicas} }
`;

let t: TestPolis;
let home: string;
/** The admin's login, saved by the first test and used by most others. */
let adminConfig: string;

/** Runs the CLI in-process with its own config file (never the developer's) and captured output. */
async function polis(args: string[], opts: RunOptions = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: {
      write: (s: string) => {
        stdout += s;
        if (opts.live) opts.live.stdout += s;
      },
    },
    stderr: { write: (s: string) => (stderr += s) },
    stdin: Readable.from(opts.stdin === undefined ? [] : [opts.stdin]),
    env: { HOME: home, POLIS_CONFIG: adminConfig, ...opts.env },
    signal: opts.signal,
    cwd: home,
    ...(opts.readSecret ? { readSecret: opts.readSecret } : {}),
  });
  return { code, stdout, stderr };
}

/** As a demo user, through POLIS_TOKEN (which overrides the saved login's token). */
const as = (user: string) => ({ POLIS_TOKEN: t.tokens[user]! });

async function until(check: () => boolean, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function freePortThatIsClosed(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

beforeAll(async () => {
  t = await startTestPolis({ listen: true });
  home = mkdtempSync(join(tmpdir(), 'polis-cli-'));
  adminConfig = join(home, 'cfg', 'polis', 'config.json');
  writeFileSync(join(home, 'admin.token'), `${t.adminToken}\n`);
});

afterAll(async () => {
  await t?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('polis login', () => {
  it('checks the token, saves server and token readable by the owner only, and whoami then works', async () => {
    const r = await polis(['login', t.polis.url!, '--token-file', 'admin.token']);
    expect(r.stderr).toContain(adminConfig);
    expect(r).toMatchObject({ code: 0 });
    expect(r.stdout).toContain('as admin (platform-admin)');
    expect(statSync(adminConfig).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, 'cfg', 'polis')).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(adminConfig, 'utf8'))).toEqual({
      server: t.polis.url,
      token: t.adminToken,
      user: 'admin',
    });

    const me = await polis(['whoami']);
    expect(me.code).toBe(0);
    expect(me.stdout).toMatch(/user:\s+admin/);
    expect(me.stdout).toContain('platform-admin (platform-wide)');
  });

  it('refuses a wrong token with exit 3 and saves nothing', async () => {
    const config = join(home, 'wrong', 'config.json');
    const r = await polis(['login', t.polis.url!, '--token', 'polis_nope'], { env: { POLIS_CONFIG: config } });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^error: /);
    expect(() => statSync(config)).toThrow();
  });

  it('says how to log in when there is no login (exit 3)', async () => {
    const r = await polis(['get', 'tenants'], { env: { POLIS_CONFIG: join(home, 'none.json') } });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('error: not logged in');
    expect(r.stderr).toContain('polis login SERVER --token-file data/admin.token');
  });

  it('reads the token from standard input with --token-stdin, so it is never on the command line', async () => {
    const config = join(home, 'stdin', 'config.json');
    const r = await polis(['login', t.polis.url!, '--token-stdin'], {
      env: { POLIS_CONFIG: config },
      stdin: `${t.tokens['edu-admin']}\n`,
    });
    expect(r).toMatchObject({ code: 0 });
    expect(r.stdout).toContain('as edu-admin (tenant-admin in edu)');
    expect(r.stderr).not.toContain('note: --token');
    expect(JSON.parse(readFileSync(config, 'utf8')).token).toBe(t.tokens['edu-admin']);

    const empty = await polis(['login', t.polis.url!, '--token-stdin'], {
      env: { POLIS_CONFIG: join(home, 'stdin-empty.json') },
      stdin: '\n',
    });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('error: the token from standard input (--token-stdin) is empty');
  });

  it('refuses two token sources at once, naming the ways (exit 2)', async () => {
    const r = await polis(['login', t.polis.url!, '--token-stdin', '--token', 'x'], { stdin: 'y' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: give the token one way: --token, --token-file or --token-stdin');
  });

  it('asks for the token on a terminal without a token flag, and says what to do without a terminal', async () => {
    const config = join(home, 'prompt', 'config.json');
    const prompts: string[] = [];
    const r = await polis(['login', t.polis.url!], {
      env: { POLIS_CONFIG: config },
      readSecret: async (prompt) => {
        prompts.push(prompt);
        return t.tokens['auditor']!;
      },
    });
    expect(r).toMatchObject({ code: 0 });
    expect(prompts).toEqual([`token for ${t.polis.url} (not shown): `]);
    expect(r.stdout).toContain('as auditor');
    expect(r.stdout + r.stderr).not.toContain(t.tokens['auditor']!);

    const piped = await polis(['login', t.polis.url!], { env: { POLIS_CONFIG: join(home, 'no-tty.json') } });
    expect(piped.code).toBe(2);
    expect(piped.stderr).toContain('error: give the token: standard input is not a terminal to ask on');
    expect(piped.stderr).toContain('--token-stdin');
  });

  it('notes that --token shows the token in the command line', async () => {
    const r = await polis(['login', t.polis.url!, '--token', t.tokens['auditor']!], {
      env: { POLIS_CONFIG: join(home, 'flag', 'config.json') },
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('note: --token shows the token in the command line');
  });

  it('logs out by removing the saved login', async () => {
    const config = join(home, 'logout', 'config.json');
    expect(
      (await polis(['login', t.polis.url!, '--token', t.tokens['auditor']!], { env: { POLIS_CONFIG: config } })).code,
    ).toBe(0);
    const r = await polis(['logout'], { env: { POLIS_CONFIG: config } });
    expect(r.code).toBe(0);
    expect(() => statSync(config)).toThrow();
    expect((await polis(['whoami'], { env: { POLIS_CONFIG: config } })).code).toBe(3);
  });
});

describe('polis get', () => {
  it('prints departments as a table with print columns and AGE', async () => {
    const r = await polis(['get', 'tenants']);
    expect(r.code).toBe(0);
    const [header, ...rows] = r.stdout.trimEnd().split('\n');
    expect(header!.split(/\s{2,}/)).toEqual(['NAME', 'ZH', 'EN', 'CPU', 'MEMORY', 'APPS', 'AGE']);
    expect(rows.map((l) => l.split(/\s+/)[0])).toEqual(['edu', 'health', 'hrss', 'samr', 'tax']);
    expect(rows[0]).toMatch(/^edu\s+教育局\s+Education Bureau\s+64\s+256Gi\s+30\s+\d+[smhd]$/);
  });

  it('resolves kinds by short name, singular and kind, and says which exist for an unknown one (exit 2)', async () => {
    for (const kind of ['dept', 'tenant', 'Tenant', 'tenants.polis.io'])
      expect((await polis(['get', kind, 'edu', '-o', 'name'])).stdout).toBe('tenant.polis.io/edu\n');
    const r = await polis(['get', 'gadgets']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no resource type "gadgets"');
    expect(r.stderr).toContain('applications');
  });

  it('lists across departments with a TENANT column (-A), or one department without it (--tenant)', async () => {
    const all = await polis(['get', 'apps', '-A']);
    expect(all.code).toBe(0);
    expect(all.stdout.split('\n')[0]).toMatch(/^TENANT\s+NAME\s+COMPONENTS\s+PHASE\s+HEALTHY\s+AGE$/);
    expect(all.stdout).toMatch(/^edu\s+enrolment-portal\s+4\s/m);
    expect(all.stdout).toMatch(/^tax\s+e-invoice\s/m);

    const edu = await polis(['get', 'apps', '--tenant', 'edu']);
    expect(edu.code).toBe(0);
    expect(edu.stdout.split('\n')[0]).toMatch(/^NAME\s+COMPONENTS/);
    expect(edu.stdout).toContain('enrolment-portal');
    expect(edu.stdout).not.toContain('e-invoice');

    // Without either flag and without a default department: across all of them, like -A.
    const firstTwo = (text: string) => text.split('\n').map((l) => l.split(/\s+/).slice(0, 2).join(' '));
    expect(firstTwo((await polis(['get', 'apps'])).stdout)).toEqual(firstTwo(all.stdout));
  });

  it('uses the default department saved with login --tenant', async () => {
    const config = join(home, 'edu-login', 'config.json');
    expect(
      (
        await polis(['login', t.polis.url!, '--token', t.tokens['edu-admin']!, '--tenant', 'edu'], {
          env: { POLIS_CONFIG: config },
        })
      ).code,
    ).toBe(0);
    const r = await polis(['get', 'apps'], { env: { POLIS_CONFIG: config } });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^NAME\s/);
    expect(r.stdout).toContain('enrolment-portal');
  });

  it('prints yaml, json, wide and name output', async () => {
    const yaml = await polis(['get', 'tenants', '-o', 'yaml']);
    const list = parseYaml(yaml.stdout) as { kind: string; items: Array<{ metadata: { name: string } }> };
    expect(list.kind).toBe('List');
    expect(list.items.map((i) => i.metadata.name)).toContain('edu');

    const json = await polis(['get', 'app', 'enrolment-portal', '-n', 'edu', '-o', 'json']);
    const obj = JSON.parse(json.stdout) as {
      kind: string;
      metadata: { tenant: string };
      spec: { components: unknown[] };
    };
    expect(obj).toMatchObject({ kind: 'Application', metadata: { tenant: 'edu' } });
    expect(obj.spec.components).toHaveLength(4);

    const wide = await polis(['get', 'tenants', '-o', 'wide']);
    expect(wide.stdout.split('\n')[0]).toMatch(/\sPARENT\s+AGE$/);
    expect((await polis(['get', 'tenants'])).stdout.split('\n')[0]).not.toContain('PARENT');

    const names = await polis(['get', 'apps', '-A', '-o', 'name']);
    expect(names.stdout.split('\n')).toContain('application.core.oam.dev/enrolment-portal');

    const bad = await polis(['get', 'tenants', '-o', 'xml']);
    expect(bad.code).toBe(2);
  });

  it('finds a named object in the one department that has it', async () => {
    const r = await polis(['get', 'app', 'e-invoice']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^tax\s+e-invoice\s/m);
  });

  it('pages with --limit and --continue', async () => {
    const first = await polis(['get', 'tenants', '--limit', '2', '-o', 'name']);
    expect(first.stdout.trim().split('\n')).toEqual(['tenant.polis.io/edu', 'tenant.polis.io/health']);
    const token = /--continue (\S+)/.exec(first.stderr)?.[1];
    expect(token).toBeDefined();
    const next = await polis(['get', 'tenants', '--limit', '2', '--continue', token!, '-o', 'name']);
    expect(next.stdout.trim().split('\n')).toEqual(['tenant.polis.io/hrss', 'tenant.polis.io/samr']);
  });

  it('answers exit 4 for an object that does not exist, with what to run', async () => {
    const r = await polis(['get', 'app', 'no-such-app', '-n', 'edu']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^error: .*not found/m);
    expect(r.stderr).toContain('hint: polis get applications -n edu');
  });

  it('refuses an edu user a look into tax (exit 3) and shows it only its own department across all', async () => {
    const r = await polis(['get', 'apps', '--tenant', 'tax'], { env: as('edu-admin') });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('may not list Application in tax');
    expect(r.stderr).toContain('hint: polis whoami');

    const mine = await polis(['get', 'apps', '-A'], { env: as('edu-admin') });
    expect(mine.code).toBe(0);
    expect(mine.stdout).toContain('enrolment-portal');
    expect(mine.stdout).not.toContain('e-invoice');
  });
});

describe('polis apply', () => {
  it('creates from a file, then reports unchanged, then configured', async () => {
    const file = join(home, 'library.yaml');
    writeFileSync(file, app('library', 'edu'));
    const created = await polis(['apply', '-f', file]);
    expect(created).toMatchObject({ code: 0, stdout: 'application.core.oam.dev/library created\n' });
    expect((await polis(['apply', '-f', 'library.yaml'])).stdout).toBe('application.core.oam.dev/library unchanged\n');
    writeFileSync(file, app('library', 'edu', 3));
    expect((await polis(['apply', '-f', file])).stdout).toBe('application.core.oam.dev/library configured\n');
    const got = JSON.parse((await polis(['get', 'app', 'library', '-n', 'edu', '-o', 'json'])).stdout) as {
      spec: { components: Array<{ traits: Array<{ properties: { replicas: number } }> }> };
    };
    expect(got.spec.components[0]!.traits[0]!.properties.replicas).toBe(3);
  });

  it('applies every manifest of a folder in name order, and standard input', async () => {
    const dir = join(home, 'manifests');
    mkdirSync(dir);
    writeFileSync(join(dir, 'b.yml'), `${app('canteen', 'edu')}---\n${app('transcripts', 'edu')}`);
    writeFileSync(join(dir, 'a.json'), JSON.stringify(parseYaml(app('admissions', 'edu'))));
    writeFileSync(join(dir, 'notes.txt'), 'not a manifest');
    const r = await polis(['apply', '-f', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([
      'application.core.oam.dev/admissions created',
      'application.core.oam.dev/canteen created',
      'application.core.oam.dev/transcripts created',
    ]);
    const fromStdin = await polis(['apply', '-f', '-'], { stdin: app('tax-helpdesk', 'tax') });
    expect(fromStdin).toMatchObject({ code: 0, stdout: 'application.core.oam.dev/tax-helpdesk created\n' });
  });

  it('stores nothing on --dry-run', async () => {
    const r = await polis(['apply', '-f', '-', '--dry-run'], { stdin: app('dry-only', 'edu') });
    expect(r.stdout).toBe('application.core.oam.dev/dry-only created (dry run)\n');
    expect((await polis(['get', 'app', 'dry-only', '-n', 'edu'])).code).toBe(4);
  });

  it('takes back what get -o yaml prints', async () => {
    const yaml = await polis(['get', 'apps', '-n', 'edu', '-o', 'yaml']);
    const r = await polis(['apply', '-f', '-'], { stdin: yaml.stdout });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('application.core.oam.dev/enrolment-portal unchanged\n');
  });

  it('refuses an invalid document with exit 2, prints the cause with its path and file, and stores nothing', async () => {
    const file = join(home, 'mixed.yaml');
    writeFileSync(file, `${app('fine-app', 'edu')}---\n${app('broken-app', 'edu', -2)}`);
    const r = await polis(['apply', '-f', file]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: Application "broken-app" is invalid\n/);
    expect(r.stderr).toContain(
      `  documents[1].spec.components[0].traits[0].properties.replicas: must be a whole number ≥ 0 (in ${file}, document 2)`,
    );
    expect((await polis(['get', 'app', 'fine-app', '-n', 'edu'])).code).toBe(4);
  });

  it('refuses malformed YAML before sending anything, naming the file and line', async () => {
    const r = await polis(['apply', '-f', '-'], { stdin: 'apiVersion: v1\nkind: [\n' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: (stdin) is not valid YAML or JSON');
    expect(r.stderr).toMatch(/\(stdin\) \(document 1\): line \d+, column \d+/);
    expect((await polis(['apply', '-f', join(home, 'missing.yaml')])).code).toBe(2);
  });

  it('says how to send more than one request body holds (--batch), and --batch applies it part by part', async () => {
    // Three Applications of ~400 KB each: 1.2 MB in one request, over the server's 1 MiB POLIS_BODY_LIMIT.
    const big = (name: string) =>
      app(name, 'edu').replace('cpu: 100m', `cpu: 100m, env: [{ name: NOTES, value: "${'x'.repeat(400_000)}" }]`);
    const file = join(home, 'big.yaml');
    writeFileSync(file, ['big-a', 'big-b', 'big-c'].map(big).join('---\n'));
    const whole = await polis(['apply', '-f', file]);
    expect(whole.code).toBe(2);
    expect(whole.stderr).toContain(
      'nothing was applied: the 3 documents are more than the server takes in one request',
    );
    expect(whole.stderr).toContain('--batch 200');
    expect((await polis(['get', 'app', 'big-a', '-n', 'edu'])).code).toBe(4);

    const parts = await polis(['apply', '-f', file, '--batch', '2']);
    expect(parts).toMatchObject({ code: 0, stderr: '' });
    expect(parts.stdout.trim().split('\n')).toEqual([
      'application.core.oam.dev/big-a created',
      'application.core.oam.dev/big-b created',
      'application.core.oam.dev/big-c created',
    ]);
    const json = JSON.parse((await polis(['apply', '-f', file, '--batch', '1', '-o', 'json'])).stdout) as {
      items: Array<{ action: string }>;
    };
    expect(json.items.map((i) => i.action)).toEqual(['unchanged', 'unchanged', 'unchanged']);
  });

  it('with --batch, stops at the first part refused: the parts before stay applied, the rest is not sent', async () => {
    const file = join(home, 'parts.yaml');
    writeFileSync(file, [app('part-one', 'edu'), app('part-two', 'edu', -2), app('part-three', 'edu')].join('---\n'));
    const r = await polis(['apply', '-f', file, '--batch', '1']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('application.core.oam.dev/part-one created\n');
    expect(r.stderr).toContain(
      `  documents[1].spec.components[0].traits[0].properties.replicas: must be a whole number ≥ 0 (in ${file}, document 2)`,
    );
    expect(r.stderr).toContain(
      'parts 1–1 of 3 were applied (1 objects, printed above); part 2 (documents 2–2 of 3) was not',
    );
    expect((await polis(['get', 'app', 'part-one', '-n', 'edu'])).code).toBe(0);
    expect((await polis(['get', 'app', 'part-three', '-n', 'edu'])).code).toBe(4);
    for (const bad of ['0', '-1', 'ten', '1.5']) {
      const b = await polis(['apply', '-f', file, '--batch', bad]);
      expect(b.code).toBe(2);
      expect(b.stderr).toContain(`--batch: "${bad}" is not a number of documents`);
    }
  });

  it('answers exit 3 when a department user applies into another department', async () => {
    const r = await polis(['apply', '-f', '-'], { stdin: app('intruder', 'tax'), env: as('edu-admin') });
    expect(r.code).toBe(3);
  });
});

describe('polis describe', () => {
  it('shows metadata, labels, spec, status and the audit entries of the object', async () => {
    const r = await polis(['describe', 'app', 'enrolment-portal']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Name:\s+enrolment-portal$/m);
    expect(r.stdout).toMatch(/^Tenant:\s+edu$/m);
    expect(r.stdout).toMatch(/^Labels:\s+app.polis.io\/service=enrolment$/m);
    expect(r.stdout).toMatch(/^Spec:\n {2}components:\n/m);
    expect(r.stdout).toMatch(/^Status:\s+<none>$/m);
    expect(r.stdout).toMatch(/^Audit \(last \d+\):\n\s+AGE\s+ACTOR\s+VERB/m);
    expect(r.stdout).toMatch(/system:demo\s+apply\s+success/);
  });

  it('shows a Secret’s values as byte counts only', async () => {
    const secret = `apiVersion: polis.io/v1
kind: Secret
metadata: { name: db-login, tenant: edu }
stringData: { username: enrolment, password: change-me-now }
`;
    expect((await polis(['apply', '-f', '-'], { stdin: secret })).code).toBe(0);
    const r = await polis(['describe', 'secret', 'db-login', '-n', 'edu']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ {2}password: 13 bytes$/m);
    expect(r.stdout).not.toContain('change-me-now');
  });

  it('shows a department’s share of the private cloud: percentage of its guarantee, borrowed, held back', async () => {
    const r = await polis(['describe', 'tenant', 'edu'], { env: as('edu-admin') });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Private Share:\n {2}Of guarantee: +0%$/m);
    expect(r.stdout).toMatch(/^ {2}Guarantee: +64 cores, 256Gi$/m);
    expect(r.stdout).toMatch(/^ {2}Borrowed: +0 cores, 0$/m);
    expect(r.stdout).toMatch(/^ {2}Held back: +0 replicas$/m);
  });

  it('leaves the audit section out for a user who may not read the audit log', async () => {
    const r = await polis(['describe', 'app', 'enrolment-portal', '-n', 'edu'], { env: as('edu-staff') });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Name:');
    expect(r.stdout).not.toContain('Audit');
  });
});

describe('polis delete', () => {
  it('deletes by kind and name, then the object is gone (exit 4)', async () => {
    expect((await polis(['apply', '-f', '-'], { stdin: app('short-lived', 'edu') })).code).toBe(0);
    const r = await polis(['delete', 'app', 'short-lived', '--tenant', 'edu']);
    expect(r).toMatchObject({ code: 0, stdout: 'application.core.oam.dev/short-lived deleted\n' });
    expect((await polis(['get', 'app', 'short-lived', '-n', 'edu'])).code).toBe(4);
    expect((await polis(['delete', 'app', 'short-lived', '-n', 'edu'])).code).toBe(4);
    expect((await polis(['delete', 'app', 'short-lived', '-n', 'edu', '--ignore-not-found'])).code).toBe(0);
  });

  it('wants the department of a tenant-scoped object and says which it is', async () => {
    const r = await polis(['delete', 'app', 'canteen']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('hint: pass --tenant edu');
    expect((await polis(['get', 'app', 'canteen', '-n', 'edu'])).code).toBe(0);
  });

  it('deletes what a file describes, and --dry-run keeps it', async () => {
    const file = join(home, 'to-delete.yaml');
    writeFileSync(file, app('doomed', 'edu'));
    expect((await polis(['apply', '-f', file])).code).toBe(0);
    expect((await polis(['delete', '-f', file, '--dry-run'])).stdout).toBe(
      'application.core.oam.dev/doomed deleted (dry run)\n',
    );
    expect((await polis(['get', 'app', 'doomed', '-n', 'edu'])).code).toBe(0);
    expect((await polis(['delete', '-f', file])).stdout).toBe('application.core.oam.dev/doomed deleted\n');
    expect((await polis(['get', 'app', 'doomed', '-n', 'edu'])).code).toBe(4);
  });
});

describe('polis token', () => {
  it('creates a token shown once, lists it, and a revoked token is refused with exit 3', async () => {
    const created = await polis(['token', 'create', '--description', 'cli test', '--ttl', '12h']);
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^polis_/);
    expect(created.stderr).toContain('warning: this token is shown only once');
    const id = /token (\S+) for admin, expires/.exec(created.stderr)?.[1];
    expect(id).toBeDefined();

    const list = await polis(['token', 'list']);
    expect(list.stdout.split('\n')[0]).toMatch(/^ID\s+USER\s+EXPIRES\s+AGE\s+DESCRIPTION$/);
    expect(list.stdout).toMatch(new RegExp(`^${id}\\s+admin\\s+in 11h\\s+\\d+s\\s+cli test$`, 'm'));

    expect((await polis(['whoami'], { env: { POLIS_TOKEN: token } })).code).toBe(0);
    expect(await polis(['token', 'revoke', id!])).toMatchObject({ code: 0, stdout: `token ${id} of admin revoked\n` });
    const refused = await polis(['whoami'], { env: { POLIS_TOKEN: token } });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('polis login');
  });

  it('refuses a ttl it cannot read (exit 2)', async () => {
    const r = await polis(['token', 'create', '--ttl', 'soon']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--ttl "soon" is not a duration');
  });
});

describe('polis audit', () => {
  it('lists entries filtered by kind and department, as a table or json', async () => {
    // People first: the seeding's entries (system:demo) only with --system or when named as the actor.
    const people = await polis(['audit', 'list', '--kind', 'apps', '--tenant', 'edu', '--limit', '1000']);
    expect(people.stdout).not.toContain('system:');
    const r = await polis(['audit', 'list', '--kind', 'apps', '--tenant', 'edu', '--limit', '1000', '--system']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^SEQ\s+TIME\s+ACTOR\s+VERB\s+KIND\s+TENANT\s+NAME\s+OUTCOME\s+CODE$/);
    expect(r.stdout).toMatch(/\sapply\s+Application\s+edu\s+enrolment-portal\s+success\s+200$/m);
    const json = JSON.parse(
      (await polis(['audit', 'list', '--actor', 'system:demo', '--limit', '2', '-o', 'json'])).stdout,
    ) as { items: Array<{ actor: string }> };
    expect(json.items).toHaveLength(2);
    expect(json.items.every((e) => e.actor === 'system:demo')).toBe(true);
  });

  it('shows the newest entries in time order, pages back with --before and forward with --after', async () => {
    const seqs = (out: string) => (JSON.parse(out) as { items: Array<{ seq: number }> }).items.map((e) => e.seq);
    const newest = await polis(['audit', 'list', '--system', '--limit', '3', '-o', 'json']);
    const last3 = seqs(newest.stdout);
    expect(last3).toEqual([...last3].sort((a, b) => a - b));
    const table = await polis(['audit', 'list', '--system', '--limit', '3']);
    expect(table.stderr).toContain(`older entries: add --before ${last3[0]}`);
    const older = seqs(
      (await polis(['audit', 'list', '--system', '--limit', '3', '--before', String(last3[0]), '-o', 'json'])).stdout,
    );
    expect(older).toEqual([last3[0]! - 3, last3[0]! - 2, last3[0]! - 1]);
    const forward = seqs(
      (await polis(['audit', 'list', '--system', '--limit', '2', '--after', '1', '-o', 'json'])).stdout,
    );
    expect(forward).toEqual([2, 3]);
    expect((await polis(['audit', 'list', '--after', '1', '--before', '9'])).code).toBe(2);
  });

  it('verifies the chain', async () => {
    const r = await polis(['audit', 'verify']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^audit log intact: \d+ entries/);
  });

  it('is refused to a department member (exit 3)', async () => {
    expect((await polis(['audit', 'list'], { env: as('edu-staff') })).code).toBe(3);
  });
});

describe('polis get -w', () => {
  it('prints the current rows, then a change made while watching, and ends when its signal aborts', async () => {
    const stop = new AbortController();
    const live = { stdout: '' };
    const watching = polis(['get', 'apps', '-n', 'health', '-w'], { signal: stop.signal, live });
    await until(() => live.stdout.includes('appointment'), 'the first rows');
    expect(live.stdout.split('\n')[0]).toMatch(/^NAME\s+COMPONENTS/);
    const res = await t.request('POST', '/api/v1/apply', {
      token: t.adminToken,
      body: app('immunisation', 'health'),
      contentType: 'application/yaml',
    });
    expect(res.statusCode).toBe(200);
    await until(() => live.stdout.includes('immunisation'), 'the new application');
    stop.abort();
    const r = await watching;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^immunisation\s+1\s+<none>\s+<none>\s+\d+s$/m);
  });

  it('prints events as JSON lines with -o json and stops after --timeout', async () => {
    const r = await polis(['get', 'app', 'appointment', '-n', 'health', '-w', '-o', 'json', '--timeout', '1s']);
    expect(r.code).toBe(0);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; object: { metadata: { name: string } } });
    expect(events[0]).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'appointment' } } });
  });
});

describe('polis version, api-resources and errors', () => {
  it('prints the client and the server version', async () => {
    const r = await polis(['version']);
    expect(r).toMatchObject({ code: 0 });
    expect(r.stdout).toMatch(/^client: \d+\.\d+\.\d+\nserver: \d+\.\d+\.\d+ \(http/);
  });

  it('lists the served kinds with their short names', async () => {
    const r = await polis(['api-resources']);
    expect(r.stdout).toMatch(/^applications\s+app,apps\s+core.oam.dev\/v1beta1\s+tenant\s+Application$/m);
    expect(r.stdout).toMatch(/^tenants\s+dept,department\s+polis.io\/v1\s+platform\s+Tenant$/m);
  });

  it('answers exit 6 when the server cannot be reached', async () => {
    const port = await freePortThatIsClosed();
    const r = await polis(['get', 'tenants'], { env: { POLIS_SERVER: `http://127.0.0.1:${port}` } });
    expect(r.code).toBe(6);
    expect(r.stderr).toContain(`error: cannot reach the polis server at http://127.0.0.1:${port}`);
    expect(r.stderr).toContain('hint: ');
  });

  it('answers exit 2 for an unknown command or flag, with commander’s message', async () => {
    const cmd = await polis(['frobnicate']);
    expect(cmd.code).toBe(2);
    expect(cmd.stderr).toContain("error: unknown command 'frobnicate'");
    const flag = await polis(['get', 'tenants', '--colour']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("unknown option '--colour'");
    expect((await polis(['get', 'apps', '-n', 'edu', '-A'])).code).toBe(2);
  });

  it('prints help with exit 0', async () => {
    const r = await polis(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: polis');
    expect((await polis([])).stdout).toContain('Usage: polis');
  });
});

describe('polis serve', () => {
  it('starts, prints the URL, token files and the login command, and stops when its signal aborts', async () => {
    const dataDir = join(home, 'serve-data');
    const stop = new AbortController();
    const live = { stdout: '' };
    const serving = polis(['serve', '--data-dir', dataDir, '--port', '0', '--demo'], {
      signal: stop.signal,
      live,
      env: { POLIS_LOG_LEVEL: 'silent' },
    });
    await until(() => live.stdout.includes('next:'), 'serve to start', 20_000);
    const url = /serving on (http:\/\/\S+)/.exec(live.stdout)?.[1];
    expect(url).toBeDefined();
    expect(live.stdout).toContain(`admin token: ${join(dataDir, 'admin.token')}`);
    expect(live.stdout).toContain(join(dataDir, 'demo-tokens.json'));
    expect(live.stdout).toContain(`polis login ${url} --token-file ${join(dataDir, 'admin.token')}`);
    const config = join(home, 'serve-login.json');
    expect(
      (await polis(['login', url!, '--token-file', join(dataDir, 'admin.token')], { env: { POLIS_CONFIG: config } }))
        .code,
    ).toBe(0);
    stop.abort();
    expect((await serving).code).toBe(0);
  });

  it('refuses bad configuration with exit 2 and the variable at fault', async () => {
    const r = await polis(['serve', '--data-dir', join(home, 'never')], { env: { POLIS_LOG_LEVEL: 'chatty' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('  POLIS_LOG_LEVEL: expected one of');
    expect((await polis(['serve', '--port', 'eighty'])).code).toBe(2);
  });
});

describe('polis audit verify on a tampered log', () => {
  it('exits 1 and says which entry broke the chain', async () => {
    // A separate instance: the tampering would break the chain for the other tests.
    const other = await startTestPolis({ listen: true });
    try {
      const db = new DatabaseSync(join(other.dataDir, 'polis.db'));
      try {
        db.exec('PRAGMA busy_timeout = 10000');
        db.prepare('UPDATE audit SET message = ? WHERE seq = ?').run('nothing to see here', 3);
      } finally {
        db.close();
      }
      const r = await polis(['audit', 'verify'], {
        env: { POLIS_SERVER: other.polis.url!, POLIS_TOKEN: other.adminToken },
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('error: the audit chain is broken at entry 3');
      expect(r.stderr).toContain('hint: entries 1..2 verify');
    } finally {
      await other.stop();
    }
  });
});

describe('the polis executable', () => {
  it('runs from src/cli/main.ts and exits with the command’s code', async () => {
    const config = join(home, 'spawned.json');
    writeFileSync(config, JSON.stringify({ server: t.polis.url, token: t.adminToken }));
    const run = (args: string[]) =>
      new Promise<{ code: number; stdout: string }>((resolve) => {
        execFile(
          'npx',
          ['node', 'src/cli/main.ts', ...args],
          { cwd: join(import.meta.dirname, '..'), env: { ...process.env, POLIS_CONFIG: config } },
          (err, stdout) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout }),
        );
      });
    const version = await run(['version']);
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^client: \d+\.\d+\.\d+\nserver: /);
    expect((await run(['get', 'app', 'nope', '-n', 'edu'])).code).toBe(4);
  });
});
