import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { parseKubeconfig } from './kubeconfig.ts';

const config = (user: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: 'prod', cluster: { server: 'https://10.0.0.1:6443/', 'certificate-authority-data': 'Q0E=' } },
      { name: 'test', cluster: { server: 'https://10.0.0.2:6443' } },
    ],
    users: [
      { name: 'polis', user },
      { name: 'other', user: { token: 'x' } },
    ],
    contexts: [
      { name: 'prod', context: { cluster: 'prod', user: 'polis' } },
      { name: 'test', context: { cluster: 'test', user: 'other' } },
    ],
    'current-context': 'prod',
    ...extra,
  });

describe('parseKubeconfig', () => {
  it('accepts a token and keeps only the one context, its cluster and its user', () => {
    const r = parseKubeconfig(config({ token: 'abc' }));
    expect(r).toMatchObject({ ok: true, server: 'https://10.0.0.1:6443', context: 'prod', auth: 'token' });
    const kept = parse((r as { kubeconfig: string }).kubeconfig);
    expect(kept.clusters.map((c: { name: string }) => c.name)).toEqual(['prod']);
    expect(kept.users).toEqual([{ name: 'polis', user: { token: 'abc' } }]);
    expect(kept['current-context']).toBe('prod');
  });

  it('accepts embedded client certificates and basic credentials', () => {
    expect(parseKubeconfig(config({ 'client-certificate-data': 'Qw==', 'client-key-data': 'Sw==' }))).toMatchObject({
      ok: true,
      auth: 'client-certificate',
    });
    expect(parseKubeconfig(config({ username: 'ops', password: 'pw' }))).toMatchObject({ ok: true, auth: 'basic' });
  });

  it('uses the context asked for, and lists the contexts when it does not exist', () => {
    expect(parseKubeconfig(config({ token: 'abc' }), 'test')).toMatchObject({ ok: true, context: 'test' });
    expect(parseKubeconfig(config({ token: 'abc' }), 'staging')).toEqual({
      ok: false,
      errors: [
        {
          path: 'context',
          code: 'KubeconfigNoContext',
          params: { context: 'staging', contexts: 'prod, test' },
          message: 'no context "staging"; the kubeconfig has: prod, test',
        },
      ],
    });
  });

  it('refuses exec plugins and auth providers, saying why and what to use instead', () => {
    const r = parseKubeconfig(config({ exec: { command: 'aws' }, 'auth-provider': { name: 'oidc' } }));
    expect(r.ok).toBe(false);
    const errors = !r.ok ? r.errors : [];
    expect(errors.map((e) => e.path)).toEqual(['users[0].user.exec', 'users[0].user.auth-provider']);
    for (const e of errors) {
      expect(e.message).toContain('runs the credential helper nowhere');
      expect(e.message).toContain('kubectl create token polis -n polis-system --duration=8760h');
      expect(e.message).toContain('deploy/');
    }
  });

  it('refuses file references: polis stores the kubeconfig, not the files it names', () => {
    const r = parseKubeconfig(config({ 'client-certificate': '/home/me/cert.pem', 'client-key': '/home/me/key.pem' }));
    expect(!r.ok && r.errors).toEqual([
      {
        path: 'users[0].user.client-certificate',
        code: 'KubeconfigFileReference',
        params: { embedded: 'client-certificate-data' },
        message: expect.stringContaining('embed it with client-certificate-data'),
      },
      {
        path: 'users[0].user.client-key',
        code: 'KubeconfigFileReference',
        params: { embedded: 'client-key-data' },
        message: expect.stringContaining('embed it with client-key-data'),
      },
    ]);
  });

  it('says what is missing: credentials, a server, a named cluster', () => {
    expect(parseKubeconfig(config({}))).toMatchObject({ ok: false, errors: [{ path: 'users[0].user' }] });
    expect(parseKubeconfig(config({ 'client-certificate-data': 'Qw==' }))).toMatchObject({
      ok: false,
      errors: [{ path: 'users[0].user.client-key-data' }],
    });
    const noServer = config({ token: 'a' }).replace('https://10.0.0.1:6443/', 'not a url');
    expect(parseKubeconfig(noServer)).toMatchObject({ ok: false, errors: [{ path: 'clusters[0].cluster.server' }] });
    expect(parseKubeconfig('- just\n- a list\n')).toMatchObject({ ok: false, errors: [{ path: '' }] });
    const proxied = config({ token: 'a' }).replace(
      'server: https://10.0.0.1:6443/',
      'server: https://10.0.0.1:6443/\n      proxy-url: http://proxy:3128',
    );
    expect(parseKubeconfig(proxied)).toMatchObject({ ok: false, errors: [{ path: 'clusters[0].cluster.proxy-url' }] });
  });
});
