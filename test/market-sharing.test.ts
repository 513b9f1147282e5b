import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/kernel/clock.ts';
import type { SubscriptionStatus } from '../src/market/sharing-reconciler.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/**
 * Data sharing between departments on the simulated cloud: the tax bureau publishes its e-invoice gateway as a
 * shared API; the social security bureau subscribes from one application; tax approves → an API key Secret reaches
 * that application on every cluster, and a NetworkPolicy in tax's namespace admits that application only; revoking
 * removes both. Isolation: the subscriber reads only the directory entry, the owner sees who subscribed, a third
 * department (education) sees neither.
 */
let t: TestPolis;
const M = '/apis/market.polis.io/v1';

async function req(method: string, url: string, token: string, body?: unknown) {
  const r = await t.request(method, url, { token, body });
  const json = r.json() as Record<string, unknown> & { details?: { code?: string } };
  return { status: r.statusCode, body: json, code: json.details?.code };
}

async function settle(until: () => Promise<boolean>, rounds = 300): Promise<void> {
  const p = t.polis;
  for (let i = 0; i < rounds; i++) {
    await p.clusters.probeAll();
    await p.market.idle();
    await p.delivery.idle();
    p.sim!.advance(1000);
    if (await until()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('condition not reached');
}

async function subscription(name = 'invoice-check') {
  const r = await req('GET', `${M}/tenants/hrss/apisubscriptions/${name}`, t.adminToken);
  return r.status === 404 ? undefined : (r.body as { status?: SubscriptionStatus });
}

async function appStatus(tenant: string, name: string) {
  const r = await req('GET', `/apis/core.oam.dev/v1beta1/tenants/${tenant}/applications/${name}`, t.adminToken);
  return r.body.status as { clusters: string[]; namespace: string };
}

/** `kind` objects named `name` in namespace `ns`, per simulated cluster that holds one. */
function onClusters(kind: string, ns: string, name: string): string[] {
  const api = kind === 'NetworkPolicy' ? 'networking.k8s.io/v1' : 'v1';
  return t.polis
    .sim!.clusters()
    .filter((c) => c.get(`${api}/${kind}/${ns}/${name}`) !== undefined)
    .map((c) => c.name)
    .sort();
}

function policies(ns: string, cluster: string) {
  return t.polis
    .sim!.cluster(cluster)!
    .list(ns)
    .filter((p) => p.kind === 'NetworkPolicy' && p.metadata.name.startsWith('polis-api-'));
}

const decide = (verdict: string, body: Record<string, unknown>, token = t.tokens['tax-admin']!) =>
  req('POST', `${M}/tenants/tax/sharedapis/invoice-verify/${verdict}`, token, body);

beforeAll(async () => {
  t = await startTestPolis({ controllers: true, virtualTime: true, clock: new ManualClock('2026-12-01T08:00:00Z') });
  await settle(async () => (await appStatus('tax', 'e-invoice'))?.clusters?.length > 0);
}, 120_000);

afterAll(async () => {
  await t?.stop();
});

describe('data sharing between departments', () => {
  it('publishes an API, lists it in the directory by name and description only, and takes a subscription request', async () => {
    const pub = await req('POST', `${M}/tenants/tax/sharedapis`, t.tokens['tax-admin']!, {
      apiVersion: 'market.polis.io/v1',
      kind: 'SharedAPI',
      metadata: { name: 'invoice-verify' },
      spec: {
        application: 'e-invoice',
        component: 'gateway',
        port: 8443,
        displayName: { zh: '发票查验', en: 'Invoice verification' },
        description: { zh: '按发票号查验真伪', en: 'Checks an invoice by its number' },
      },
    });
    expect(pub.status, JSON.stringify(pub.body)).toBe(201);
    const dir = await req('GET', `${M}/shared-api-directory`, t.tokens['hrss-admin']!);
    expect(dir.status).toBe(200);
    expect(dir.body.items).toEqual([
      {
        department: 'tax',
        name: 'invoice-verify',
        displayName: { zh: '发票查验', en: 'Invoice verification' },
        description: { zh: '按发票号查验真伪', en: 'Checks an invoice by its number' },
      },
    ]);
    // Nothing else of the owner's: not the SharedAPI object, not its subscribers.
    expect((await req('GET', `${M}/tenants/tax/sharedapis/invoice-verify`, t.tokens['hrss-admin']!)).status).toBe(403);
    // Bad input: its own API, an API that is not published.
    const own = await req('POST', `${M}/tenants/tax/apisubscriptions`, t.tokens['tax-admin']!, {
      apiVersion: 'market.polis.io/v1',
      kind: 'APISubscription',
      metadata: { name: 'self' },
      spec: { department: 'tax', api: 'invoice-verify', application: 'e-invoice' },
    });
    expect([own.status, own.code]).toEqual([400, 'SharingSelfSubscribe']);
    const none = await req('POST', `${M}/tenants/hrss/apisubscriptions`, t.tokens['hrss-admin']!, {
      apiVersion: 'market.polis.io/v1',
      kind: 'APISubscription',
      metadata: { name: 'nothing' },
      spec: { department: 'tax', api: 'no-such-api', application: 'social-security-query' },
    });
    expect([none.status, none.code]).toEqual([404, 'SharingNoSuchAPI']);
    const sub = await req('POST', `${M}/tenants/hrss/apisubscriptions`, t.tokens['hrss-admin']!, {
      apiVersion: 'market.polis.io/v1',
      kind: 'APISubscription',
      metadata: { name: 'invoice-check' },
      spec: { department: 'tax', api: 'invoice-verify', application: 'social-security-query' },
    });
    expect(sub.status, JSON.stringify(sub.body)).toBe(201);
    await settle(async () => (await subscription())?.status?.phase === 'Requested');
    const st = (await subscription())!.status!;
    expect(st.conditions[0]).toMatchObject({ type: 'Ready', status: 'False', reason: 'AwaitingApproval' });
    expect(st.detail.code).toBe('SharingAwaitingApproval');
    // The owner sees who subscribed, from which application.
    await settle(async () => {
      const api = await req('GET', `${M}/tenants/tax/sharedapis/invoice-verify`, t.tokens['tax-admin']!);
      return (api.body.status as { subscriberCount?: number } | undefined)?.subscriberCount === 1;
    });
    const api = await req('GET', `${M}/tenants/tax/sharedapis/invoice-verify`, t.tokens['tax-admin']!);
    expect((api.body.status as { subscribers: unknown[] }).subscribers).toEqual([
      expect.objectContaining({
        department: 'hrss',
        subscription: 'invoice-check',
        application: 'social-security-query',
        phase: 'Requested',
      }),
    ]);
  });

  it('lets only the owning department decide, and a third department sees neither side', async () => {
    // The subscriber cannot approve itself: not through the owner's route, not by writing its status.
    expect(
      (await decide('approve', { department: 'hrss', subscription: 'invoice-check' }, t.tokens['hrss-admin']!)).status,
    ).toBe(403);
    const self = await req(
      'PATCH',
      `${M}/tenants/hrss/apisubscriptions/invoice-check/status`,
      t.tokens['hrss-admin']!,
      {
        status: { decision: { verdict: 'approve', by: 'hrss-admin', at: '2026-12-01T08:00:00Z' } },
      },
    );
    expect(self.status).toBe(403);
    // A third department: neither the API object, nor the subscription, nor a decision.
    const edu = t.tokens['edu-admin']!;
    expect((await req('GET', `${M}/tenants/tax/sharedapis/invoice-verify`, edu)).status).toBe(403);
    expect((await req('GET', `${M}/tenants/hrss/apisubscriptions/invoice-check`, edu)).status).toBe(403);
    expect((await decide('approve', { department: 'hrss', subscription: 'invoice-check' }, edu)).status).toBe(403);
    // Bad input names the field; a wrong subscription is not found; nothing changed.
    const bad = await decide('approve', { department: 'hrss' });
    expect([bad.status, bad.code]).toEqual([400, 'SharingDecisionField']);
    const wrong = await decide('approve', { department: 'hrss', subscription: 'other' });
    expect([wrong.status, wrong.code]).toEqual([404, 'SharingNoSuchSubscription']);
    const revokeFirst = await decide('revoke', { department: 'hrss', subscription: 'invoice-check' });
    expect([revokeFirst.status, revokeFirst.code]).toEqual([409, 'SharingDecisionNotAllowed']);
    expect((await subscription())!.status!.phase).toBe('Requested');
  });

  it('on approval delivers the API key Secret to the subscriber’s application and opens the path for it only', async () => {
    const r = await decide('approve', { department: 'hrss', subscription: 'invoice-check' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    await settle(async () => (await subscription())?.status?.phase === 'Approved');
    const st = (await subscription())!.status!;
    expect(st.conditions[0]).toMatchObject({ type: 'Ready', status: 'True', reason: 'Subscribed' });
    expect(st.secret).toBe('api-invoice-check');
    // The key in the subscriber's department, readable there and nowhere else.
    const secret = await req(
      'GET',
      '/apis/polis.io/v1/tenants/hrss/secrets/api-invoice-check',
      t.tokens['hrss-admin']!,
    );
    expect(secret.status).toBe(200);
    const data = secret.body.data as Record<string, string>;
    expect(Buffer.from(data.INVOICE_CHECK_API_KEY!, 'base64').toString().length).toBeGreaterThan(30);
    expect(
      (await req('GET', '/apis/polis.io/v1/tenants/hrss/secrets/api-invoice-check', t.tokens['tax-admin']!)).status,
    ).toBe(403);
    // Delivered to every cluster the subscriber's application runs on.
    const sub = await appStatus('hrss', 'social-security-query');
    await settle(
      async () => onClusters('Secret', sub.namespace, 'api-invoice-check').join() === [...sub.clusters].sort().join(),
    );
    // The path: one policy in tax's namespace admitting the subscriber's namespace and application on 8443.
    const own = await appStatus('tax', 'e-invoice');
    await settle(async () => own.clusters.every((c) => policies(own.namespace, c).length === 1));
    const policy = policies(own.namespace, own.clusters[0]!)[0]! as unknown as {
      spec: { ingress: Array<{ from: unknown[]; ports: unknown[] }>; podSelector: unknown };
    };
    expect(policy.spec.ingress).toEqual([
      {
        from: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': sub.namespace } },
            podSelector: { matchLabels: { 'app.oam.dev/name': 'social-security-query' } },
          },
        ],
        ports: [{ port: 8443, protocol: 'TCP' }],
      },
    ]);
    // The owner's service gets the key's digest (never the key) to check callers.
    expect(onClusters('Secret', own.namespace, 'api-keys-invoice-verify')).toEqual([...own.clusters].sort());
    // Nothing of this in the third department's namespaces.
    const edu = await appStatus('edu', 'enrolment-portal');
    expect(onClusters('Secret', edu.namespace, 'api-invoice-check')).toEqual([]);
  });

  it('counts the calls each subscription makes to the API where traffic is measured, to the owner and that subscriber only', async () => {
    const sim = t.polis.sim!;
    const sub = await appStatus('hrss', 'social-security-query');
    const own = await appStatus('tax', 'e-invoice');
    const app = await req(
      'GET',
      '/apis/core.oam.dev/v1beta1/tenants/hrss/applications/social-security-query',
      t.adminToken,
    );
    const component = (app.body.spec as { components: Array<{ name: string }> }).components[0]!.name;
    // The subscriber's component calls the gateway twice per request it serves, under a steady load.
    sim.setScenario(sub.namespace, component, { kind: 'constant', rps: 50 });
    sim.mesh.declare({
      namespace: sub.namespace,
      component,
      calls: [{ to: { namespace: own.namespace, component: 'gateway' }, perRequest: 2 }],
    });
    sim.startTelemetry(15_000);
    for (let i = 0; i < 40; i++) sim.advance(15_000);
    const owner = await req(
      'GET',
      `${M}/tenants/tax/sharedapis/invoice-verify/calls?minutes=5`,
      t.tokens['tax-admin']!,
    );
    expect(owner.status, JSON.stringify(owner.body)).toBe(200);
    const items = owner.body.items as Array<{
      department: string;
      subscription: string;
      calls: number;
      perSecond: number;
      measured: boolean;
    }>;
    expect(items.map((i) => [i.department, i.subscription, i.measured])).toEqual([['hrss', 'invoice-check', true]]);
    expect(items[0]!.perSecond).toBeGreaterThan(0);
    // Five minutes at the measured rate: the count is the rate integrated over the window.
    expect(items[0]!.calls).toBeGreaterThan(items[0]!.perSecond * 300 * 0.5);
    expect(items[0]!.calls).toBeLessThan(items[0]!.perSecond * 300 * 1.5);
    const mine = await req(
      'GET',
      `${M}/tenants/hrss/apisubscriptions/invoice-check/calls?minutes=5`,
      t.tokens['hrss-admin']!,
    );
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({ calls: items[0]!.calls, measured: true });
    // Nobody else: not a third department, not the subscriber on the owner's route, and a bad window names the field.
    const edu = t.tokens['edu-admin']!;
    expect((await req('GET', `${M}/tenants/tax/sharedapis/invoice-verify/calls`, edu)).status).toBe(403);
    expect((await req('GET', `${M}/tenants/hrss/apisubscriptions/invoice-check/calls`, edu)).status).toBe(403);
    expect((await req('GET', `${M}/tenants/tax/sharedapis/invoice-verify/calls`, t.tokens['hrss-admin']!)).status).toBe(
      403,
    );
    const bad = await req('GET', `${M}/tenants/tax/sharedapis/invoice-verify/calls?minutes=0`, t.tokens['tax-admin']!);
    expect([bad.status, bad.code]).toEqual([400, 'SharingCallsWindow']);
  });

  it('revoking removes the Secret everywhere and closes the path', async () => {
    const r = await decide('revoke', { department: 'hrss', subscription: 'invoice-check', comment: '合作到期' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    await settle(async () => (await subscription())?.status?.phase === 'Revoked');
    expect((await subscription())!.status!.conditions[0]).toMatchObject({ status: 'False', reason: 'Revoked' });
    expect((await req('GET', '/apis/polis.io/v1/tenants/hrss/secrets/api-invoice-check', t.adminToken)).status).toBe(
      404,
    );
    const sub = await appStatus('hrss', 'social-security-query');
    const own = await appStatus('tax', 'e-invoice');
    await settle(
      async () =>
        onClusters('Secret', sub.namespace, 'api-invoice-check').length === 0 &&
        own.clusters.every((c) => policies(own.namespace, c).length === 0) &&
        onClusters('Secret', own.namespace, 'api-keys-invoice-verify').length === 0,
    );
  });

  it('refuses a request with a reason-coded condition, and deleting a subscription leaves nothing', async () => {
    const sub = await req('POST', `${M}/tenants/hrss/apisubscriptions`, t.tokens['hrss-admin']!, {
      apiVersion: 'market.polis.io/v1',
      kind: 'APISubscription',
      metadata: { name: 'again' },
      spec: { department: 'tax', api: 'invoice-verify', application: 'social-security-query' },
    });
    expect(sub.status).toBe(201);
    await settle(async () => (await subscription('again'))?.status?.phase === 'Requested');
    expect((await decide('refuse', { department: 'hrss', subscription: 'again', comment: '请说明用途' })).status).toBe(
      200,
    );
    await settle(async () => (await subscription('again'))?.status?.phase === 'Refused');
    const st = (await subscription('again'))!.status!;
    expect([st.reason, st.detail.code, st.detail.params]).toEqual([
      'Refused',
      'SharingRefused',
      { by: 'tax-admin', comment: '请说明用途' },
    ]);
    expect((await req('GET', '/apis/polis.io/v1/tenants/hrss/secrets/api-again', t.adminToken)).status).toBe(404);
    // Approved after all, then the subscriber deletes it: key and path go with it.
    expect((await decide('approve', { department: 'hrss', subscription: 'again' })).status).toBe(200);
    await settle(async () => (await subscription('again'))?.status?.phase === 'Approved');
    expect((await req('DELETE', `${M}/tenants/hrss/apisubscriptions/again`, t.tokens['hrss-admin']!)).status).toBe(200);
    await settle(async () => (await subscription('again')) === undefined);
    expect((await req('GET', '/apis/polis.io/v1/tenants/hrss/secrets/api-again', t.adminToken)).status).toBe(404);
    const own = await appStatus('tax', 'e-invoice');
    await settle(async () => own.clusters.every((c) => policies(own.namespace, c).length === 0));
  });

  it('withdrawing the API closes every approved subscription to it', async () => {
    const sub = await req('POST', `${M}/tenants/hrss/apisubscriptions`, t.tokens['hrss-admin']!, {
      apiVersion: 'market.polis.io/v1',
      kind: 'APISubscription',
      metadata: { name: 'last' },
      spec: { department: 'tax', api: 'invoice-verify', application: 'social-security-query' },
    });
    expect(sub.status).toBe(201);
    expect((await decide('approve', { department: 'hrss', subscription: 'last' })).status).toBe(200);
    const own = await appStatus('tax', 'e-invoice');
    await settle(
      async () =>
        (await subscription('last'))?.status?.phase === 'Approved' &&
        own.clusters.every((c) => policies(own.namespace, c).length === 1),
    );
    expect((await req('DELETE', `${M}/tenants/tax/sharedapis/invoice-verify`, t.tokens['tax-admin']!)).status).toBe(
      200,
    );
    await settle(async () => (await subscription('last'))?.status?.phase === 'Withdrawn');
    expect((await subscription('last'))!.status!.detail.code).toBe('SharingWithdrawn');
    expect((await req('GET', '/apis/polis.io/v1/tenants/hrss/secrets/api-last', t.adminToken)).status).toBe(404);
    await settle(async () => own.clusters.every((c) => policies(own.namespace, c).length === 0));
  });
});
