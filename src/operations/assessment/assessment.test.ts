import { describe, expect, it } from 'vitest';
import type { ApplicationSpec } from '../../apps/application-kind.ts';
import { CHECKS, type CheckContext } from './checks.ts';
import { maturityLevel } from './maturity.ts';
import { assess } from './scorecard.ts';

function ctx(spec: ApplicationSpec, o: Partial<CheckContext> = {}): CheckContext {
  return { spec, labels: {}, annotations: {}, allowedRegistries: [], recommendations: {}, ...o };
}

const BARE: ApplicationSpec = { components: [{ name: 'web', type: 'webservice', properties: { image: 'nginx' } }] };

const GOOD: ApplicationSpec = {
  components: [
    {
      name: 'web',
      type: 'webservice',
      properties: {
        image: 'registry.example.gov.cn/edu/web:1.4.2@sha256:0123456789abcdef',
        cpu: '500m',
        memory: '512Mi',
        limit: { cpu: '1', memory: '1Gi' },
        readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
        livenessProbe: { httpGet: { path: '/alive', port: 8080 } },
        env: [{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }],
      },
      traits: [
        { type: 'scaler', properties: { replicas: 3 } },
        {
          type: 'securitycontext',
          properties: { runAsNonRoot: true, readOnlyRootFilesystem: true, dropCapabilities: ['ALL'] },
        },
      ],
    },
    {
      name: 'nightly',
      type: 'cron-task',
      properties: {
        image: 'registry.example.gov.cn/edu/report:2.0.0@sha256:abcdef0123456789',
        schedule: '0 2 * * *',
        cpu: '250m',
        memory: '256Mi',
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: 600,
      },
      traits: [{ type: 'securitycontext', properties: { readOnlyRootFilesystem: true, dropCapabilities: ['ALL'] } }],
    },
  ],
  policies: [
    { name: 'spread', type: 'placement', properties: { spreadBy: 'zone' } },
    {
      name: 'scale',
      type: 'autoscaling',
      properties: { components: [{ name: 'web', minReplicas: 2, maxReplicas: 10, cpuUtilization: 60 }] },
    },
    { name: 'move', type: 'failover', properties: {} },
    { name: 'stay', type: 'residency', properties: { networkZones: ['e-gov-extranet'] } },
  ],
} as ApplicationSpec;

const GOOD_META = {
  labels: { 'polis.io/priority': 'high' },
  annotations: {
    'polis.io/maintainer': 'edu-ops@example.gov.cn',
    'polis.io/vendor': 'acme',
    'polis.io/slo': 'availability=99.9',
    'polis.io/disruption-budget': 'minAvailable=1',
    'polis.io/description': 'enrolment',
  },
};

describe('the maturity checks of one application', () => {
  it('number at least 30, each with a severity, a reason code and a fix code', () => {
    expect(CHECKS.length).toBeGreaterThanOrEqual(30);
    expect(new Set(CHECKS.map((c) => c.id)).size).toBe(CHECKS.length);
    for (const c of CHECKS) expect(c.code).toMatch(/^Assess[A-Z]/);
  });

  it('fail a bare webservice on requests, probes, pinning, security, replicas and ownership, each with its fix', () => {
    const card = assess(ctx(BARE));
    const failed = new Set(card.results.filter((r) => !r.passed).map((r) => r.check));
    for (const id of [
      'cpu-request',
      'memory-request',
      'readiness-probe',
      'liveness-probe',
      'image-tag-pinned',
      'image-registry-named',
      'run-as-non-root',
      'no-privilege-escalation',
      'replicas-at-least-two',
      'spread-across-zones',
      'disruption-budget',
      'autoscaling-policy',
      'maintainer-named',
      'vendor-named',
      'slo-declared',
      'failover-policy',
    ])
      expect(failed).toContain(id);
    expect(card.inStandard).toBe(false);
    const cpu = card.results.find((r) => r.check === 'cpu-request')!;
    expect(cpu).toMatchObject({
      severity: 'danger',
      component: 'web',
      reason: { code: 'AssessCpuRequestMissing', message: 'web: no CPU request' },
      fix: { code: 'AssessFixCpuRequest' },
    });
    expect(card.score).toBeLessThan(30);
  });

  it('pass a well-formed application on every check that applies, and say which did not apply', () => {
    const card = assess(
      ctx(GOOD, {
        ...GOOD_META,
        allowedRegistries: ['registry.example.gov.cn'],
        recommendations: { web: { cpuMilli: 450, memoryBytes: 500 * 2 ** 20 } },
      }),
    );
    expect(card.results.filter((r) => !r.passed)).toEqual([]);
    expect(card.score).toBe(100);
    expect(card.inStandard).toBe(true);
    // No node port on a cron task, no probes on it, no recommendation for it: not counted, not failed.
    expect(card.results.filter((r) => r.component === 'nightly').map((r) => r.check)).not.toContain('readiness-probe');
    expect(card.notApplicable).toEqual([]);
  });

  it('catch secrets written in the environment, privileged containers, host paths and foreign registries', () => {
    const spec = structuredClone(GOOD) as unknown as {
      components: {
        properties: Record<string, unknown>;
        traits: { type: string; properties: Record<string, unknown> }[];
      }[];
    };
    const web = spec.components[0]!;
    web.properties.env = [{ name: 'API_TOKEN', value: 's3cret' }];
    web.properties.image = 'docker.io/library/nginx:1.27';
    web.properties.volumes = [{ name: 'logs', type: 'hostPath', mountPath: '/var/log', path: '/var/log' }];
    web.traits[1]!.properties.privileged = true;
    const card = assess(
      ctx(spec as unknown as ApplicationSpec, { ...GOOD_META, allowedRegistries: ['registry.example.gov.cn'] }),
    );
    const failed = card.results.filter((r) => !r.passed).map((r) => r.check);
    // The tag 1.27 is pinned; only the digest, the registry and the three hazards fail.
    expect(failed).toEqual([
      'image-digest',
      'image-registry-allowed',
      'not-privileged',
      'no-host-path',
      'no-secrets-in-env',
    ]);
  });

  it('lists the failed mandatory checks as refusals', () => {
    const card = assess(ctx(BARE), ['cpu-request', 'maintainer-named', 'description']);
    expect(card.refusals.map((r) => [r.check, r.reason?.code])).toEqual([
      ['cpu-request', 'AssessCpuRequestMissing'],
      ['maintainer-named', 'AssessNoMaintainer'],
      ['description', 'AssessNoDescription'],
    ]);
  });

  it('counts requests near the rightsizing recommendation within 30%', () => {
    const near = assess(ctx(GOOD, { recommendations: { web: { cpuMilli: 400, memoryBytes: 420 * 2 ** 20 } } }));
    expect(near.results.find((r) => r.check === 'requests-near-recommendation')?.passed).toBe(true);
    // 500m against 250m is 100% away.
    const far = assess(ctx(GOOD, { recommendations: { web: { cpuMilli: 250, memoryBytes: 512 * 2 ** 20 } } }));
    expect(far.results.find((r) => r.check === 'requests-near-recommendation')?.passed).toBe(false);
  });
});

describe('the platform maturity level', () => {
  const base = {
    applications: 10,
    inStandard: 10,
    services: 10,
    autoscaledServices: 10,
    withFailover: 10,
    withSlo: 10,
    sloMet: 10,
    cpuUsedCores: 60,
    cpuRequestedCores: 100,
    allocatedShare: 0.95,
  };

  it('is L5 when every figure is past its threshold, each criterion with its evidence', () => {
    const m = maturityLevel(base);
    expect(m.level).toBe(5);
    expect(m.criteria.find((c) => c.level === 4 && c.id === 'utilization')).toEqual({
      level: 4,
      id: 'utilization',
      value: 0.6,
      threshold: 0.3,
      met: true,
      evidence: { usedCores: 60, requestedCores: 100 },
    });
  });

  it('stops at the first level whose criteria are not all met', () => {
    expect(maturityLevel({ ...base, inStandard: 4 }).level).toBe(1); // 40% < 50%
    expect(maturityLevel({ ...base, inStandard: 7 }).level).toBe(2); // 70% < 80%
    expect(maturityLevel({ ...base, autoscaledServices: 4 }).level).toBe(2);
    expect(maturityLevel({ ...base, sloMet: undefined }).level).toBe(3); // SLO attainment not measured
    expect(maturityLevel({ ...base, cpuUsedCores: 40 }).level).toBe(4); // utilization 40% < 50%
    expect(maturityLevel({ ...base, allocatedShare: 0.8 }).level).toBe(4);
  });
});

describe('the console names every check', () => {
  it('has a title for each check id in Chinese and English', async () => {
    const { zh } = await import('../../../web/src/i18n/zh.ts');
    const { en } = await import('../../../web/src/i18n/en.ts');
    const missing = CHECKS.map((c) => `assess.title.${c.id}`).filter(
      (k) => !(k in zh) || !(k in en) || !zh[k as keyof typeof zh] || !en[k as keyof typeof en],
    );
    expect(missing).toEqual([]);
  });
});
