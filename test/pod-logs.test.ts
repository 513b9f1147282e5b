import http from 'node:http';
import {} from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/kernel/clock.ts';
import type { TestPolis } from './support/test-polis.ts';
import type { CliRun } from './support/cli-users.ts';
import { cliOnce } from './support/cli-users.ts';
import { startTestPolis } from './support/test-polis.ts';

/**
 * Pods and logs of an application through the API, on the simulated cloud in virtual time: the pod list per
 * cluster, a pod's log with tail and since, a crash loop's error lines and last termination reason, follow as a
 * chunked stream, bad input named, department isolation and the audit entry a read leaves.
 */
let t: TestPolis;
const APP = '/apis/core.oam.dev/v1beta1/tenants/edu/applications/enrolment-portal';

interface Pod {
  name: string;
  component?: string;
  phase: string;
  ready: boolean;
  restarts: number;
  node?: string;
  ageSeconds: number;
  lastTermination?: string;
  containers: string[];
}
interface PodsAnswer {
  kind: string;
  namespace: string;
  clusters: { cluster: string; reachable: boolean; pods: Pod[] }[];
}

async function settle(rounds: number, until: () => Promise<boolean>): Promise<void> {
  const p = t.polis;
  for (let i = 0; i < rounds; i++) {
    await p.clusters.probeAll();
    await p.delivery.idle();
    p.sim!.advance(1000);
    await p.delivery.idle();
    if (await until()) return;
  }
}

async function pods(token = t.tokens['edu-staff']!): Promise<PodsAnswer> {
  const r = await t.request('GET', `${APP}/pods`, { token });
  expect(r.statusCode, r.body).toBe(200);
  return r.json() as PodsAnswer;
}

beforeAll(async () => {
  t = await startTestPolis({
    controllers: true,
    virtualTime: true,
    listen: true,
    clock: new ManualClock('2026-11-24T08:00:00Z'),
  });
  await settle(60, async () => {
    const a = await pods(t.adminToken);
    return a.clusters.length > 0 && a.clusters.every((c) => c.pods.length > 0 && c.pods.every((p) => p.ready));
  });
}, 120_000);

afterAll(async () => {
  await t?.stop();
});

function polis(args: string[]): Promise<CliRun> {
  return cliOnce(args, { POLIS_SERVER: t.polis.url!, POLIS_TOKEN: t.tokens['edu-staff']! });
}

describe('pods and logs of an application', { timeout: 120_000 }, () => {
  it('lists the pods of every cluster the application is on, with phase, restarts, node and age', async () => {
    const a = await pods();
    expect(a.kind).toBe('ApplicationPods');
    expect(a.clusters.length).toBeGreaterThan(0);
    for (const c of a.clusters) {
      expect(c.reachable).toBe(true);
      for (const p of c.pods) {
        expect(p).toMatchObject({ phase: 'Ready', ready: true, restarts: 0 });
        expect(p.node).toBeTruthy();
        expect(p.ageSeconds).toBeGreaterThan(0);
        expect(p.containers.length).toBeGreaterThan(0);
      }
    }
  });

  it("reads a pod's log with tail and since, and audits the read", async () => {
    const { cluster, pods: list } = (await pods()).clusters[0]!;
    const pod = list[0]!.name;
    const url = `${APP}/pods/${cluster}/${pod}/log`;
    const all = await t.request('GET', url, { token: t.tokens['edu-staff'] });
    expect(all.statusCode, all.body).toBe(200);
    expect(all.headers['content-type']).toMatch(/^text\/plain/);
    const lines = all.body.trimEnd().split('\n');
    expect(lines.some((l) => / INFO starting .* \(revision /.test(l))).toBe(true);
    expect(lines.at(-1)).toMatch(/readiness probe passed/);
    const tail = await t.request('GET', `${url}?tail=1`, { token: t.tokens['edu-staff'] });
    expect(tail.body.trimEnd().split('\n')).toEqual([lines.at(-1)]);
    // Nothing written in the last second of virtual time.
    t.polis.sim!.advance(5000);
    const since = await t.request('GET', `${url}?since=1s`, { token: t.tokens['edu-staff'] });
    expect(since.statusCode).toBe(200);
    expect(since.body).toBe('');
    const audit = await t.request('GET', '/api/v1/audit?tenant=edu&limit=50', { token: t.adminToken });
    expect(audit.body).toContain(`pod=${pod}`);
  });

  it('shows the error lines and the last termination reason of a crash-looping component', async () => {
    const before = await pods();
    const image = (await t.request('GET', APP, { token: t.adminToken })).json().spec.components[0].properties
      .image as string;
    const { cluster } = before.clusters[0]!;
    const sim = t.polis.sim!.cluster(cluster)!;
    sim.crashLoop(image);
    // The running pods do not crash by themselves: delete one so its replacement starts with the fault.
    const victim = before.clusters[0]!.pods[0]!;
    const ns = before.namespace;
    sim.delete(`v1/Pod/${ns}/${victim.name}`);
    let crashed: Pod | undefined;
    await settle(60, async () => {
      crashed = (await pods()).clusters
        .find((c) => c.cluster === cluster)!
        .pods.find((p) => p.restarts > 0 && p.lastTermination === 'Error');
      return crashed !== undefined;
    });
    sim.clearCrashLoop(image);
    expect(crashed).toBeDefined();
    const log = await t.request('GET', `${APP}/pods/${cluster}/${crashed!.name}/log`, {
      token: t.tokens['edu-staff'],
    });
    expect(log.body).toMatch(/ERROR .*fatal error during start-up/);
    expect(log.body).toMatch(/ERROR process exited with code 1/);
  });

  it('follows a log as a chunked stream until the client goes', async () => {
    const { cluster, pods: list } = (await pods()).clusters[0]!;
    const pod = list.find((p) => p.ready) ?? list[0]!;
    const url = `${t.polis.url}${APP}/pods/${cluster}/${pod.name}/log?follow=true&tail=1`;
    const received: string[] = [];
    const req = http.get(url, { headers: { authorization: `Bearer ${t.tokens['edu-staff']}` } });
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      req.on('response', resolve);
      req.on('error', reject);
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['transfer-encoding']).toBe('chunked');
    res.setEncoding('utf8');
    res.on('data', (c: string) => received.push(c));
    t.polis
      .sim!.cluster(cluster)!
      .writeLog({ namespace: (await pods()).namespace, pod: pod.name }, 'WARN slow upstream: 2.1 s');
    for (let i = 0; i < 400 && !received.join('').includes('slow upstream'); i++) {
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(received.join('')).toContain('WARN slow upstream: 2.1 s');
    req.destroy();
  });

  it('prints the pods as a table and the logs of one component with `polis pods` and `polis logs`', async () => {
    const a = await pods();
    const listed = await polis(['pods', 'enrolment-portal', '--tenant', 'edu']);
    expect(listed.code, listed.stderr).toBe(0);
    const [header, ...rows] = listed.stdout.trimEnd().split('\n');
    expect(header!.split(/\s{3,}/)).toEqual([
      'CLUSTER',
      'NAME',
      'COMPONENT',
      'STATUS',
      'RESTARTS',
      'LAST TERMINATION',
      'NODE',
      'AGE',
    ]);
    expect(rows).toHaveLength(a.clusters.reduce((n, c) => n + c.pods.length, 0));
    const component = a.clusters[0]!.pods[0]!.component!;
    const logs = await polis(['logs', 'enrolment-portal', '--tenant', 'edu', '-c', component, '--tail', '1']);
    expect(logs.code, logs.stderr).toBe(0);
    const ofComponent = a.clusters.flatMap((c) => c.pods.filter((p) => p.component === component));
    const lines = logs.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(ofComponent.length);
    if (ofComponent.length > 1) for (const l of lines) expect(l).toMatch(/^\[[a-z0-9-]+\] \S+Z [A-Z]+ /);
    const bad = await polis(['logs', 'enrolment-portal', '--tenant', 'edu', '--since', 'soon']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('since');
  });

  it('names the bad field, and refuses pods and logs of another department', async () => {
    const { cluster, pods: list } = (await pods()).clusters[0]!;
    const url = `${APP}/pods/${cluster}/${list[0]!.name}/log`;
    for (const [q, field] of [
      ['tail=0', 'tail'],
      ['tail=x', 'tail'],
      ['since=soon', 'since'],
      ['follow=yes', 'follow'],
      ['container=Bad_Name', 'container'],
    ] as const) {
      const r = await t.request('GET', `${url}?${q}`, { token: t.tokens['edu-staff'] });
      expect(r.statusCode, q).toBe(400);
      expect(r.body, q).toContain(field);
    }
    const missing = await t.request('GET', `${APP}/pods/${cluster}/no-such-pod/log`, { token: t.tokens['edu-staff'] });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().details?.code ?? missing.body).toBeTruthy();
    const elsewhere = await t.request('GET', `${APP}/pods/no-such-cluster/${list[0]!.name}/log`, {
      token: t.tokens['edu-staff'],
    });
    expect(elsewhere.statusCode).toBe(404);
    for (const u of [`${APP}/pods`, url]) {
      const r = await t.request('GET', u, { token: t.tokens['tax-admin'] });
      expect(r.statusCode, u).toBe(403);
    }
  });

  it('ends a followed log when its pod goes away (its node is lost)', async () => {
    const { cluster, pods: list } = (await pods()).clusters[0]!;
    const pod = list.find((p) => p.ready && p.node) ?? list[0]!;
    const url = `${t.polis.url}${APP}/pods/${cluster}/${pod.name}/log?follow=true&tail=1`;
    const req = http.get(url, { headers: { authorization: `Bearer ${t.tokens['edu-staff']}` } });
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      req.on('response', resolve);
      req.on('error', reject);
    });
    expect(res.statusCode).toBe(200);
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (c: string) => (body += c));
    const ended = new Promise<void>((resolve) => res.on('end', resolve));
    const sim = t.polis.sim!.cluster(cluster)!;
    sim.failNode(pod.node!);
    await ended;
    sim.restoreNode(pod.node!);
    expect(body).toMatch(/received SIGTERM, shutting down gracefully\n$/);
  });
});
