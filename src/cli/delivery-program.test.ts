import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

/** Runs the CLI against a server that is never reached: every case here must fail before a request is sent. */
async function polis(args: string[], stdin = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    stdin: Readable.from([stdin]),
    env: { POLIS_CONFIG: '/nonexistent/polis.json', POLIS_SERVER: 'http://127.0.0.1:9', POLIS_TOKEN: 't' },
  });
  return { code, stdout, stderr };
}

const app = (name: string, tenant?: string) =>
  `apiVersion: core.oam.dev/v1beta1\nkind: Application\nmetadata: { name: ${name}${tenant ? `, tenant: ${tenant}` : ''} }\nspec: { components: [] }\n`;

describe('the delivery commands check their arguments before sending anything', () => {
  it.each([
    [['rollout', 'undo', 'web', '--to-revision', 'x'], 'error: --to-revision "x" is not a revision number'],
    [['rollout', 'diff', 'web', '--from', '0'], 'error: --from "0" is not a revision number'],
    [['rollout', 'diff', 'web', '--to', '1.5'], 'error: --to "1.5" is not a revision number'],
    [
      ['rollout', 'history', 'web', '-o', 'wide'],
      'error: -o "wide" is not supported here\nhint: use one of: json, yaml',
    ],
    [['rollout', 'history', 'Web_App'], 'error: APP "Web_App" is not an application name'],
    [['rollout', 'history', 'web', '--tenant', ''], 'error: --tenant is empty'],
    [['rollout', 'status', 'web', '--timeout', '1m'], 'error: --timeout applies only with -w/--watch'],
    [['rollout', 'status', 'web', '-w', '--timeout', 'soon'], 'error: --timeout "soon" is not a duration'],
    [['rollout', 'resume', 'web', '--step', ' '], 'error: --step is empty'],
    [['render'], 'error: -f FILE is required: the file holding the Application to render'],
    [['render', '-f', 'no-such-file.yaml'], 'error: "no-such-file.yaml" does not exist'],
    [
      ['render', '-f', 'app.yaml', '-o', 'wide'],
      'error: -o "wide" is not supported here\nhint: use one of: yaml, json',
    ],
    [['render', '-f', 'app.yaml', '--cluster', 'Gov East'], 'error: --cluster "Gov East" is not a cluster name'],
    [['export', 'tenant', 'edu'], 'error: polis export cannot export "tenant"'],
    [['export', 'app', 'web', '--cluster', 'a/b'], 'error: --cluster "a/b" is not a cluster name'],
  ])('polis %j', async (args, message) => {
    const r = await polis(args);
    expect(r.stderr).toContain(message);
    expect(r).toMatchObject({ code: 2, stdout: '' });
  });

  it('render takes exactly one Application and a department that agrees with the file', async () => {
    const two = await polis(['render', '-f', '-'], `${app('a', 'edu')}---\n${app('b', 'edu')}`);
    expect(two).toMatchObject({ code: 2 });
    expect(two.stderr).toContain('error: -f - holds 2 documents');

    const tenant = await polis(['render', '-f', '-'], 'apiVersion: polis.io/v1\nkind: Tenant\nmetadata: { name: x }\n');
    expect(tenant.stderr).toContain('error: -f -: the document is a Tenant, not an Application');

    const clash = await polis(['render', '-f', '-', '--tenant', 'tax'], app('a', 'edu'));
    expect(clash.stderr).toContain('error: --tenant tax disagrees with metadata.tenant "edu" in -');

    const nowhere = await polis(['render', '-f', '-'], app('a'));
    expect(nowhere.stderr).toContain('error: - names no department');
    expect(nowhere.stderr).toContain('hint: pass --tenant T, set metadata.tenant');
  });

  it('lists the rollout commands in its help', async () => {
    const r = await polis(['rollout', '--help']);
    expect(r.code).toBe(0);
    for (const sub of ['status', 'history', 'diff', 'undo', 'resume'])
      expect(r.stdout).toMatch(new RegExp(`\\n  ${sub} `));
  });
});
