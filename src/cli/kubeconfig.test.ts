import { describe, expect, it } from 'vitest';
import { kubeconfigDocument } from './kubeconfig.ts';

describe('kubeconfigDocument', () => {
  it('makes one current context of the server, the token, the CA and the default department', () => {
    const doc = kubeconfigDocument({
      server: 'https://polis.example:8443/',
      token: 'polis_abc',
      user: 'edu-admin',
      namespace: 'edu',
      caPem: '-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----\n',
    });
    expect(doc).toMatchObject({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'polis',
      clusters: [{ name: 'polis', cluster: { server: 'https://polis.example:8443' } }],
      users: [{ name: 'edu-admin@polis', user: { token: 'polis_abc' } }],
      contexts: [{ name: 'polis', context: { cluster: 'polis', user: 'edu-admin@polis', namespace: 'edu' } }],
    });
    const ca = (doc.clusters as Array<{ cluster: Record<string, string> }>)[0]!.cluster['certificate-authority-data']!;
    expect(Buffer.from(ca, 'base64').toString()).toContain('BEGIN CERTIFICATE');
  });

  it('leaves out what it does not know', () => {
    const doc = kubeconfigDocument({ server: 'http://127.0.0.1:8080', token: 't' });
    expect(JSON.stringify(doc)).not.toContain('certificate-authority-data');
    expect((doc.contexts as Array<{ context: Record<string, string> }>)[0]!.context.namespace).toBeUndefined();
  });
});
