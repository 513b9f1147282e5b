import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/run-cli.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';
import { skipTitle } from './support/skip.ts';

/**
 * Real Kubernetes clients that polis did not write, against a polis serving HTTPS (kubectl sends no token over plain
 * http): the machine's kubectl, and @kubernetes/client-node's KubernetesObjectApi and informer.
 */
const KUBECTL = '/usr/bin/kubectl';
const OPENSSL = '/usr/bin/openssl';
const missing = !existsSync(KUBECTL)
  ? `${KUBECTL} is not installed`
  : !existsSync(OPENSSL)
    ? `${OPENSSL} is not installed (it makes the test's TLS certificate)`
    : undefined;
if (missing) console.warn(`skipping the kubectl tests: ${missing}`);

const run = promisify(execFile);
let t: TestPolis;
let dir: string;
const configs: Record<string, string> = {};
const APPS = '/apis/core.oam.dev/v1beta1';

const app = (name: string) => ({
  apiVersion: 'core.oam.dev/v1beta1',
  kind: 'Application',
  metadata: { name },
  spec: {
    components: [{ name: 'web', type: 'webservice', properties: { image: 'nginx:1.27', cpu: '100m', memory: '64Mi' } }],
  },
});

/** `polis kubeconfig` for a user, written to a file of the test's folder. */
async function kubeconfigFor(user: string, tenant?: string): Promise<string> {
  const file = join(dir, `${user}.kubeconfig`);
  let stderr = '';
  const code = await runCli(['kubeconfig', '--certificate-authority', join(dir, 'cert.pem'), '--file', file], {
    stdout: { write: () => true },
    stderr: { write: (s: string) => (stderr += s) },
    stdin: Readable.from([]),
    env: {
      HOME: dir,
      POLIS_CONFIG: join(dir, 'none.json'),
      POLIS_SERVER: t.polis.url!,
      POLIS_TOKEN: user === 'admin' ? t.adminToken : t.tokens[user]!,
      ...(tenant ? { POLIS_TENANT: tenant } : {}),
    },
    cwd: dir,
  });
  if (code !== 0) throw new Error(`polis kubeconfig: ${code} ${stderr}`);
  return file;
}

async function kubectl(user: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(KUBECTL, ['--kubeconfig', configs[user]!, '--cache-dir', join(dir, `cache-${user}`), ...args], {
      env: { PATH: process.env.PATH, HOME: dir },
      timeout: 60_000,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  if (missing) return;
  dir = mkdtempSync(join(tmpdir(), 'polis-kubectl-'));
  execFileSync(
    OPENSSL,
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=polis-test',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  t = await startTestPolis({
    listen: true,
    config: { host: '127.0.0.1', tls: { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') } },
  });
  configs.admin = await kubeconfigFor('admin');
  configs['edu-admin'] = await kubeconfigFor('edu-admin', 'edu');
  configs['vendor-dev'] = await kubeconfigFor('vendor-dev', 'edu');
}, 120_000);

afterAll(async () => {
  await t?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(missing !== undefined)(skipTitle('kubectl against polis', missing), () => {
  it('writes a kubeconfig with the server, the token and the CA', () => {
    const doc = parse(readFileSync(configs['edu-admin']!, 'utf8'));
    expect(doc.clusters[0].cluster.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(doc.clusters[0].cluster['certificate-authority-data']).toBeTypeOf('string');
    expect(doc.users[0].user.token).toBe(t.tokens['edu-admin']);
    expect(doc.contexts[0].context.namespace).toBe('edu');
  });

  it('lists the API resources through discovery', async () => {
    const r = await kubectl('admin', ['api-resources']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^applications\s+app,apps\s+core\.oam\.dev\/v1beta1\s+true\s+Application$/m);
    expect(r.stdout).toMatch(/^namespaces\s+ns\s+v1\s+false\s+Namespace$/m);
    expect(r.stdout).toMatch(/^secrets\s+v1\s+true\s+Secret$/m);
    expect(r.stdout).toMatch(/^events\s+ev\s+v1\s+true\s+Event$/m);
    expect(r.stdout).toMatch(/^catalogitems\s+\S*\s*market\.polis\.io\/v1\s+false\s+CatalogItem$/m);
    expect(r.stdout).toMatch(/^clusters\s+cl\s+polis\.io\/v1\s+false\s+Cluster$/m);
  });

  it('reads discovery aggregated: /api and /apis once each, no request per group version', async () => {
    const r = await kubectl('admin', ['api-resources', '-v=6', '--cache-dir', join(dir, 'cache-aggregated')]);
    expect(r.code, r.stderr).toBe(0);
    const gets = [...r.stderr.matchAll(/GET https:\/\/\S+?(\/apis?(?:\/[^\s?]*)?)\S* 200/g)].map((m) => m[1] ?? '');
    expect(gets).toContain('/api');
    expect(gets).toContain('/apis');
    expect(gets.filter((p) => /^\/apis\/[^/]+\/[^/]+$/.test(p) || p === '/api/v1')).toEqual([]);
    expect(r.stdout).toMatch(/^applications\s+app,apps\s+core\.oam\.dev\/v1beta1\s+true\s+Application$/m);
  });

  it('gets applications as a table (-o wide) and as YAML', async () => {
    const wide = await kubectl('edu-admin', ['get', 'applications', '-o', 'wide']);
    expect(wide.code, wide.stderr).toBe(0);
    expect(wide.stdout).toMatch(/^NAME\s+COMPONENTS\s+PHASE\s+HEALTHY\s+AGE$/m);
    expect(wide.stdout).toMatch(/^enrolment-portal\s+\d+\s/m);
    const yaml = await kubectl('edu-admin', ['get', 'application', 'enrolment-portal', '-o', 'yaml']);
    expect(yaml.code, yaml.stderr).toBe(0);
    const obj = parse(yaml.stdout);
    expect(obj).toMatchObject({
      apiVersion: 'core.oam.dev/v1beta1',
      kind: 'Application',
      metadata: { name: 'enrolment-portal', namespace: 'edu', tenant: 'edu' },
    });
  });

  it('shows a department user only its own namespace, with -A too, and refuses another', async () => {
    const ns = await kubectl('edu-admin', ['get', 'namespaces', '-o', 'name']);
    expect(ns.code, ns.stderr).toBe(0);
    expect(ns.stdout.trim().split('\n')).toEqual(['namespace/edu']);
    const all = await kubectl('edu-admin', ['get', 'applications', '-A', '--no-headers']);
    expect(all.code, all.stderr).toBe(0);
    const namespaces = new Set(
      all.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(/\s+/)[0]),
    );
    expect([...namespaces]).toEqual(['edu']);
    const vendor = await kubectl('vendor-dev', ['get', 'applications', '-A', '--no-headers']);
    expect(
      new Set(
        vendor.stdout
          .trim()
          .split('\n')
          .map((l) => l.split(/\s+/)[0]),
      ),
    ).toEqual(new Set(['edu', 'health']));
    const other = await kubectl('edu-admin', ['get', 'applications', '-n', 'tax']);
    expect(other.code).not.toBe(0);
    expect(other.stderr).toMatch(/Forbidden/);
  });

  it('describes an application and explains its fields', async () => {
    const d = await kubectl('edu-admin', ['describe', 'application', 'enrolment-portal']);
    expect(d.code, d.stderr).toBe(0);
    expect(d.stdout).toMatch(/^Name:\s+enrolment-portal$/m);
    expect(d.stdout).toMatch(/^Namespace:\s+edu$/m);
    const e = await kubectl('edu-admin', ['explain', 'applications.spec.components']);
    expect(e.code, e.stderr).toBe(0);
    expect(e.stdout).toMatch(/^KIND:\s+Application$/m);
    expect(e.stdout).toMatch(/^FIELDS:$/m);
    expect(e.stdout).toMatch(/^\s+traits\s+<\[\]Object>/m);
  });

  it('watches applications with get -w', async () => {
    const child = spawn(
      KUBECTL,
      ['--kubeconfig', configs['edu-admin']!, '--cache-dir', join(dir, 'cache-watch'), 'get', 'applications', '-w'],
      { env: { PATH: process.env.PATH, HOME: dir }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    try {
      await until(() => /^enrolment-portal\s/m.test(out), `the first rows of kubectl get -w (so far: ${out} ${err})`);
      const r = await t.request('POST', `${APPS}/namespaces/edu/applications`, {
        token: t.tokens['edu-admin'],
        body: app('watched-by-kubectl'),
      });
      expect(r.statusCode).toBe(201);
      await until(
        () => /^watched-by-kubectl\s/m.test(out),
        `the new application in kubectl get -w (so far: ${out} ${err})`,
      );
    } finally {
      child.kill('SIGTERM');
    }
  });
});

describe.skipIf(missing !== undefined)(skipTitle('@kubernetes/client-node against polis', missing), () => {
  const load = (user: string) => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(configs[user]!);
    return kc;
  };

  it('lists applications with KubernetesObjectApi through discovery', async () => {
    const client = k8s.KubernetesObjectApi.makeApiClient(load('edu-admin'));
    const list = await client.list('core.oam.dev/v1beta1', 'Application', 'edu');
    const names = list.items.map((i) => i.metadata?.name);
    expect(names).toContain('enrolment-portal');
    expect(list.items.every((i) => i.metadata?.namespace === 'edu')).toBe(true);
    const one = await client.read({
      apiVersion: 'core.oam.dev/v1beta1',
      kind: 'Application',
      metadata: { name: 'enrolment-portal', namespace: 'edu' },
    });
    expect(one.metadata?.uid).toBeTypeOf('string');
  });

  it('lists and watches applications with an informer', async () => {
    const kc = load('edu-admin');
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    const path = `${APPS}/namespaces/edu/applications`;
    const informer = k8s.makeInformer(
      kc,
      path,
      () =>
        custom.listNamespacedCustomObject({
          group: 'core.oam.dev',
          version: 'v1beta1',
          namespace: 'edu',
          plural: 'applications',
        }) as never,
    );
    const added: string[] = [];
    const errors: unknown[] = [];
    informer.on('add', (o: k8s.KubernetesObject) => added.push(o.metadata!.name!));
    informer.on('error', (e: unknown) => errors.push(e));
    await informer.start();
    try {
      expect(informer.list('edu').map((o) => o.metadata?.name)).toContain('enrolment-portal');
      const r = await t.request('POST', `${APPS}/namespaces/edu/applications`, {
        token: t.tokens['edu-admin'],
        body: app('seen-by-informer'),
      });
      expect(r.statusCode).toBe(201);
      await until(() => added.includes('seen-by-informer'), `the informer's add event (errors: ${String(errors)})`);
      expect(informer.get('seen-by-informer', 'edu')?.metadata?.namespace).toBe('edu');
    } finally {
      await informer.stop();
    }
  });
});

describe.skipIf(missing !== undefined)(skipTitle('kubectl writes against polis', missing), () => {
  const manifest = (name: string, image: string, labels: Record<string, string> = {}) => {
    const file = join(dir, `${name}-${image.replace(/[^a-z0-9]/g, '-')}.yaml`);
    const doc = app(name);
    writeFileSync(
      file,
      stringify({
        ...doc,
        metadata: { ...doc.metadata, ...(Object.keys(labels).length ? { labels } : {}) },
        spec: {
          components: [{ ...doc.spec.components[0], properties: { ...doc.spec.components[0]!.properties, image } }],
        },
      }),
    );
    return file;
  };
  const read = async (name: string) =>
    (await t.request('GET', `${APPS}/namespaces/edu/applications/${name}`, { token: t.tokens['edu-admin'] })).json();
  const imageOf = (o: { spec: { components: { properties: { image: string } }[] } }) =>
    o.spec.components[0]!.properties.image;

  it('applies client-side: creates, then re-applies a change (last-applied annotation), and diffs', async () => {
    const created = await kubectl('edu-admin', ['apply', '-f', manifest('csa', 'nginx:1.27')]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/application\.core\.oam\.dev\/csa created/);
    const first = await read('csa');
    expect(first.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).toMatch(/nginx:1\.27/);
    const changed = manifest('csa', 'nginx:1.28', { tier: 'web' });
    const diff = await kubectl('edu-admin', ['diff', '-f', changed]);
    expect(diff.code, diff.stderr).toBe(1); // 1: differences found
    expect(diff.stdout).toMatch(/^-\s+image: nginx:1\.27$/m);
    expect(diff.stdout).toMatch(/^\+\s+image: nginx:1\.28$/m);
    expect(imageOf(await read('csa'))).toBe('nginx:1.27'); // diff stores nothing
    const again = await kubectl('edu-admin', ['apply', '-f', changed]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/application\.core\.oam\.dev\/csa configured/);
    const after = await read('csa');
    expect(imageOf(after)).toBe('nginx:1.28');
    expect(after.metadata.labels).toEqual({ tier: 'web' });
    expect((await kubectl('edu-admin', ['diff', '-f', changed])).code).toBe(0);
  });

  it('applies server-side: a conflict names the other manager, --force-conflicts takes the field', async () => {
    const mine = await kubectl('edu-admin', ['apply', '--server-side', '-f', manifest('ssa', 'nginx:1.27')]);
    expect(mine.code, mine.stderr).toBe(0);
    expect(mine.stdout).toMatch(/application\.core\.oam\.dev\/ssa serverside-applied/);
    const theirs = manifest('ssa', 'nginx:2');
    const conflict = await kubectl('edu-admin', ['apply', '--server-side', '--field-manager', 'gitops', '-f', theirs]);
    expect(conflict.code).not.toBe(0);
    expect(conflict.stderr).toMatch(/conflict with "kubectl"/);
    expect(conflict.stderr).toMatch(/\.spec\.components/);
    expect(imageOf(await read('ssa'))).toBe('nginx:1.27');
    const forced = await kubectl('edu-admin', [
      'apply',
      '--server-side',
      '--field-manager',
      'gitops',
      '--force-conflicts',
      '-f',
      theirs,
    ]);
    expect(forced.code, forced.stderr).toBe(0);
    const after = await read('ssa');
    expect(imageOf(after)).toBe('nginx:2');
    // gitops took the image; the fields both applied alike stay kubectl's too (components are keyed by name).
    expect(after.metadata.managedFields.map((m: { manager: string }) => m.manager)).toEqual(['kubectl', 'gitops']);
  });

  it('patches with --type merge, --type json and (by default) a strategic merge patch, and deletes', async () => {
    const merge = await kubectl('edu-admin', [
      'patch',
      'application',
      'csa',
      '--type',
      'merge',
      '-p',
      '{"metadata":{"labels":{"patched":"merge"}}}',
    ]);
    expect(merge.code, merge.stderr).toBe(0);
    const json = await kubectl('edu-admin', [
      'patch',
      'application',
      'csa',
      '--type',
      'json',
      '-p',
      '[{"op":"replace","path":"/spec/components/0/properties/image","value":"nginx:1.29"}]',
    ]);
    expect(json.code, json.stderr).toBe(0);
    const obj = await read('csa');
    expect(obj.metadata.labels.patched).toBe('merge');
    expect(imageOf(obj)).toBe('nginx:1.29');
    const bad = await kubectl('edu-admin', [
      'patch',
      'application',
      'csa',
      '--type',
      'json',
      '-p',
      '[{"op":"remove","path":"/spec/nothing"}]',
    ]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/operation 0 \(remove\): nothing is at "\/spec\/nothing"/);
    // kubectl patch's default type, strategic merge: the component named web merged, its other fields kept.
    const smp = await kubectl('edu-admin', [
      'patch',
      'application',
      'csa',
      '-p',
      '{"metadata":{"labels":{"a":"b"}},"spec":{"components":[{"name":"web","traits":[{"type":"scaler","properties":{"replicas":2}}]}]}}',
    ]);
    expect(smp.code, smp.stderr).toBe(0);
    const merged = await read('csa');
    expect(merged.metadata.labels).toMatchObject({ a: 'b', patched: 'merge' });
    expect(merged.spec.components).toHaveLength(1);
    expect(imageOf(merged)).toBe('nginx:1.29');
    expect(merged.spec.components[0].traits).toEqual([{ type: 'scaler', properties: { replicas: 2 } }]);
    const del = await kubectl('edu-admin', ['delete', 'application', 'csa', 'ssa']);
    expect(del.code, del.stderr).toBe(0);
    expect(del.stdout).toMatch(/application\.core\.oam\.dev "csa" deleted/);
  });

  it('validates fields as kubectl asks: strict by default, --validate=warn prints a warning, false ignores', async () => {
    const file = join(dir, 'unknown-field.yaml');
    const doc = app('fv');
    writeFileSync(file, stringify({ ...doc, spec: { ...doc.spec, surprise: 1 } }));
    const strict = await kubectl('edu-admin', ['create', '-f', file]);
    expect(strict.code).not.toBe(0);
    expect(strict.stderr).toMatch(/BadRequest/);
    expect(strict.stderr).toMatch(/"spec\.surprise"/);
    expect(
      (await t.request('GET', `${APPS}/namespaces/edu/applications/fv`, { token: t.tokens['edu-admin'] })).statusCode,
    ).toBe(404);
    const warn = await kubectl('edu-admin', ['apply', '--validate=warn', '-f', file]);
    expect(warn.code, warn.stderr).toBe(0);
    expect(warn.stderr).toMatch(/^Warning: unknown field "spec\.surprise"$/m);
    expect((await read('fv')).spec.surprise).toBeUndefined();
    const ignore = await kubectl('edu-admin', ['apply', '--server-side', '--validate=false', '-f', file]);
    expect(ignore.code, ignore.stderr).toBe(0);
    expect(ignore.stderr).not.toMatch(/Warning/);
  });

  it('deletes with --cascade=orphan: the Application goes at once, its delivered objects stay', async () => {
    for (const name of ['orphaned', 'cascaded']) {
      const r = await t.request('POST', `${APPS}/namespaces/edu/applications`, {
        token: t.tokens['edu-admin'],
        body: { ...app(name), metadata: { name, finalizers: ['polis.io/delivery'] } },
      });
      expect(r.statusCode, r.body).toBe(201);
    }
    const orphan = await kubectl('edu-admin', ['delete', 'application', 'orphaned', '--cascade=orphan']);
    expect(orphan.code, orphan.stderr).toBe(0);
    expect(
      (await t.request('GET', `${APPS}/namespaces/edu/applications/orphaned`, { token: t.tokens['edu-admin'] }))
        .statusCode,
    ).toBe(404);
    // Background (kubectl's default) leaves the delivery finalizer to remove the delivered objects first.
    const cascade = await kubectl('edu-admin', ['delete', 'application', 'cascaded', '--wait=false']);
    expect(cascade.code, cascade.stderr).toBe(0);
    const held = await read('cascaded');
    expect(held.metadata.deletionTimestamp).toBeDefined();
    expect(held.metadata.finalizers).toEqual(['polis.io/delivery']);
  });
});

describe.skipIf(missing !== undefined)(skipTitle('kubectl on core-group Secrets and Events', missing), () => {
  it('creates and reads a Secret with kubectl create secret, and explains its fields', async () => {
    const made = await kubectl('edu-admin', [
      'create',
      'secret',
      'generic',
      'db-login',
      '--from-literal=password=s3cret',
    ]);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/^secret\/db-login created$/m);
    const value = await kubectl('edu-admin', ['get', 'secret', 'db-login', '-o', 'jsonpath={.data.password}']);
    expect(value.code, value.stderr).toBe(0);
    expect(Buffer.from(value.stdout, 'base64').toString()).toBe('s3cret');
    const own = await t.request('GET', '/apis/polis.io/v1/tenants/edu/secrets/db-login', {
      token: t.tokens['edu-admin'],
    });
    expect(own.statusCode).toBe(200);
    const list = await kubectl('edu-admin', ['get', 'secrets']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^NAME\s+TYPE\s+AGE$/m);
    expect(list.stdout).toMatch(/^db-login\s+Opaque\s/m);
    const other = await kubectl('edu-admin', ['get', 'secrets', '-n', 'tax']);
    expect(other.code).not.toBe(0);
    expect(other.stderr).toMatch(/Forbidden/);
    const explain = await kubectl('edu-admin', ['explain', 'secrets']);
    expect(explain.code, explain.stderr).toBe(0);
    expect(explain.stdout).toMatch(/^KIND:\s+Secret$/m);
    expect(explain.stdout).toMatch(/^\s+stringData\s+<map\[string\]string>/m);
    // Client-side apply of a v1 Secret: kubectl sends a strategic merge patch the second time.
    const secretFile = (v: string) => {
      const f = join(dir, `secret-${v}.yaml`);
      writeFileSync(
        f,
        stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'api-key' }, stringData: { key: v } }),
      );
      return f;
    };
    const first = await kubectl('edu-admin', ['apply', '-f', secretFile('one')]);
    expect(first.code, first.stderr).toBe(0);
    const second = await kubectl('edu-admin', ['apply', '-f', secretFile('two'), '-v=6']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/^secret\/api-key configured$/m);
    expect(second.stderr).toMatch(/PATCH https:\S+\/api\/v1\/namespaces\/edu\/secrets\/api-key\S* 200/);
    const key = await kubectl('edu-admin', ['get', 'secret', 'api-key', '-o', 'jsonpath={.data.key}']);
    expect(Buffer.from(key.stdout, 'base64').toString()).toBe('two');
    const del = await kubectl('edu-admin', ['delete', 'secret', 'db-login']);
    expect(del.code, del.stderr).toBe(0);
  });

  it('gets events -n edu as a table', async () => {
    const r = await t.request('POST', '/apis/polis.io/v1/tenants/edu/events', {
      token: t.adminToken,
      body: {
        apiVersion: 'polis.io/v1',
        kind: 'Event',
        metadata: { name: 'portal-drift' },
        spec: {
          involvedObject: { kind: 'Application', name: 'enrolment-portal' },
          type: 'Warning',
          reason: 'DriftRepaired',
          message: 'repaired drift on c1',
          source: { component: 'delivery' },
          count: 1,
          firstTimestamp: new Date().toISOString(),
          lastTimestamp: new Date().toISOString(),
        },
      },
    });
    expect(r.statusCode, r.body).toBe(201);
    const ev = await kubectl('edu-admin', ['get', 'events', '-n', 'edu']);
    expect(ev.code, ev.stderr).toBe(0);
    expect(ev.stdout).toMatch(/^NAME\s+LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE\s+AGE$/m);
    expect(ev.stdout).toMatch(
      /^portal-drift\s+\S+\s+Warning\s+DriftRepaired\s+enrolment-portal\s+repaired drift on c1\s/m,
    );
    const described = await kubectl('edu-admin', ['describe', 'application', 'enrolment-portal']);
    expect(described.code, described.stderr).toBe(0);
    expect(described.stdout).toMatch(/^Events:/m);
    expect(described.stdout).toMatch(/Warning\s+DriftRepaired\s+.*repaired drift on c1/);
    const other = await kubectl('edu-admin', ['get', 'events', '-n', 'tax']);
    expect(other.code).not.toBe(0);
  });
});
