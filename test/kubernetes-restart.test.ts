import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppStatus } from '../src/delivery/app-status.ts';
import type { Config } from '../src/kernel/config.ts';
import { loadConfig } from '../src/kernel/config.ts';
import type { Polis } from '../src/main.ts';
import { startPolis } from '../src/main.ts';
import type { FakeKube } from './support/fake-kube/index.ts';
import { startFakeKube } from './support/fake-kube/index.ts';

/**
 * polis restarted alone while applications run on a Kubernetes cluster. Its first heartbeat to the cluster takes a
 * while (the API server does not answer at first): delivery must hold the applications there as they are, not
 * fail them over, not prune, and once the cluster answers find nothing to write.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'polis-k8s-restart-'));
let fake: FakeKube;
let config: Config;
let polis: Polis | undefined;
const APPS = ['portal-a', 'portal-b'];

const get = (p: Polis, url: string, token: string) =>
  p.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });

async function waitFor(p: Polis, what: string, check: () => Promise<boolean>, rounds = 200): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await p.clusters.probeAll();
    await p.delivery.idle();
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function statusOf(p: Polis, token: string, app: string): Promise<AppStatus | undefined> {
  const r = await get(p, `/apis/core.oam.dev/v1beta1/tenants/edu/applications/${app}`, token);
  return r.statusCode === 200 ? r.json().status : undefined;
}

beforeAll(async () => {
  fake = await startFakeKube({ readyAfterMs: 0 });
  config = loadConfig({}, { dataDir, demo: true, logLevel: 'silent', port: 0 });
}, 60_000);

afterAll(async () => {
  await polis?.stop();
  await fake?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('restarting polis with applications on a Kubernetes cluster', () => {
  it('holds them while the cluster is not probed yet, and then writes nothing to it', async () => {
    polis = await startPolis(config, { controllers: true, virtualTime: true });
    const admin = readFileSync(polis.adminTokenFile!, 'utf8').trim();
    const tokens = JSON.parse(readFileSync(polis.demoTokensFile!, 'utf8')) as Record<string, string>;
    const edu = tokens['edu-admin']!;
    const reg = await polis.app.inject({
      method: 'POST',
      url: '/api/v1/clusters',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      payload: JSON.stringify({
        name: 'k8s-east',
        kubeconfig: fake.kubeconfig(),
        vendor: 'k3s',
        region: 'city-east',
        zone: 'city-east-edge',
        networkZone: 'e-gov-extranet',
        role: 'primary',
      }),
    });
    expect(reg.statusCode, reg.body).toBe(200);
    for (const name of APPS) {
      const r = await polis.app.inject({
        method: 'POST',
        url: '/api/v1/apply',
        headers: { authorization: `Bearer ${edu}`, 'content-type': 'application/json' },
        payload: JSON.stringify({
          apiVersion: 'core.oam.dev/v1beta1',
          kind: 'Application',
          metadata: { name, tenant: 'edu' },
          spec: {
            components: [
              {
                name: 'web',
                type: 'webservice',
                properties: { image: 'registry.example.gov.cn/edu/portal:1.0', cpu: '100m', memory: '64Mi' },
                traits: [{ type: 'scaler', properties: { replicas: 2 } }],
              },
            ],
            policies: [{ name: 'here', type: 'placement', properties: { clusters: ['k8s-east'] } }],
          },
        }),
      });
      expect(r.statusCode, r.body).toBe(200);
    }
    const first = polis;
    for (const name of APPS)
      await waitFor(first, `${name} Running`, async () => (await statusOf(first, edu, name))?.phase === 'Running');
    const before = await statusOf(first, edu, APPS[0]!);
    await first.stop();
    polis = undefined;

    // The API server answers nothing while polis starts again: its first heartbeat cannot succeed.
    fake.resetCounts();
    const mark = fake.requests.length;
    fake.setDown('hang', { timeoutMs: 60_000 });
    const second = await startPolis(config, { controllers: true, virtualTime: true });
    polis = second;
    expect(second.clusters.health('k8s-east')?.state).toBe('Unknown');
    await second.delivery.idle();
    for (const name of APPS) {
      const s = await statusOf(second, edu, name);
      expect(s?.placement).toEqual(before?.placement);
      expect(s?.failover).toBeUndefined();
    }

    // The cluster answers: its first heartbeat arrives and every application is looked at again.
    fake.setDown(false);
    await waitFor(second, 'the cluster to be Ready', async () => second.clusters.health('k8s-east')?.state === 'Ready');
    await second.delivery.resyncAll();
    await second.delivery.idle();
    for (const name of APPS) {
      const s = await statusOf(second, edu, name);
      expect(s?.placement).toEqual(before?.placement);
      expect(s?.failover).toBeUndefined();
      expect(s?.phase).toBe('Running');
      expect(fake.get('v1', 'Namespace', undefined, `edu--${name}`)).toBeDefined();
    }
    expect(fake.counts().writes).toBe(0);
    expect(fake.requests.slice(mark).filter((r) => r.method !== 'GET')).toEqual([]);
  }, 120_000);
});
