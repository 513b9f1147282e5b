import { describe, expect, it } from 'vitest';
import type { CatalogItemSpec, CatalogItemVersionSpec } from './market-kinds.ts';
import { automaticChecks, imageProblem } from './review.ts';

const item: CatalogItemSpec = {
  type: 'middleware',
  displayName: { zh: '缓存', en: 'Cache' },
  description: { zh: '缓存', en: 'Cache' },
  categories: ['cache'],
  licence: 'BSD-3-Clause',
  publisher: 'vendor',
  architectures: ['amd64'],
  price: { model: 'free' },
};
const version: CatalogItemVersionSpec = {
  item: 'cache',
  version: '1.0.0',
  template: {
    components: [
      {
        name: 'redis',
        type: 'webservice',
        properties: { image: '${parameters.image}', cpu: '500m', memory: '1Gi' },
      },
    ],
  },
  parameters: {
    type: 'object',
    properties: {
      image: {
        type: 'string',
        default: 'registry.example.gov.cn/redis:7',
        examples: ['registry.example.gov.cn/redis:7', 'docker.io/library/redis:7'],
      },
    },
  },
  connection: { engine: 'redis', component: 'redis', port: 6379 },
};

describe('automatic review checks', () => {
  it('passes a version whose every rendering uses allowed images and whose item declares a licence', () => {
    const ok = {
      ...version,
      parameters: { type: 'object', properties: {} },
      template: {
        components: [{ name: 'redis', type: 'webservice', properties: { image: 'registry.example.gov.cn/redis:7' } }],
      },
    };
    expect(automaticChecks({ name: 'cache', spec: item }, ok, ['registry.example.gov.cn']).every((c) => c.ok)).toBe(
      true,
    );
  });

  it('tries generated parameter values too: an image a parameter can point elsewhere is refused', () => {
    const checks = automaticChecks({ name: 'cache', spec: item }, version, ['registry.example.gov.cn']);
    const images = checks.find((c) => c.name === 'images')!;
    expect(images.ok).toBe(false);
    expect(images.problems.map((p) => p.code)).toEqual(['MarketImageNotAllowed']);
  });

  it('refuses an item without a licence, and a connection naming no component', () => {
    const checks = automaticChecks(
      { name: 'cache', spec: { ...item, licence: undefined } },
      { ...version, connection: { engine: 'redis', component: 'nope', port: 6379 } },
      ['registry.example.gov.cn', 'docker.io'],
    );
    expect(checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['licence', 'connection']);
  });

  it('asks for a registry host on every image', () => {
    expect(imageProblem('redis:7', 'spec.x', ['docker.io'])?.code).toBe('MarketImageNoRegistry');
    expect(imageProblem('registry.example.gov.cn/redis:7', 'spec.x', ['registry.example.gov.cn'])).toBeUndefined();
    expect(imageProblem('registry.example.gov.cn.evil.com/redis:7', 'spec.x', ['registry.example.gov.cn'])?.code).toBe(
      'MarketImageNotAllowed',
    );
  });
});

describe('the maturity checks in review', () => {
  it('fails a version whose defaults fail a check the data bureau made mandatory, naming it; passes without it', () => {
    const noProbe = {
      ...version,
      parameters: { type: 'object', properties: {} },
      template: {
        components: [
          { name: 'redis', type: 'webservice', properties: { image: 'registry.example.gov.cn/redis:7', cpu: '500m' } },
        ],
      },
    };
    const assessment = (mandatory: string[]) =>
      automaticChecks({ name: 'cache', spec: item }, noProbe, [], mandatory).find((c) => c.name === 'assessment')!;
    expect(assessment([])).toMatchObject({ ok: true, problems: [] });
    expect(assessment(['cpu-request'])).toMatchObject({ ok: true });
    const failed = assessment(['cpu-request', 'readiness-probe']);
    expect(failed.ok).toBe(false);
    expect(failed.problems.map((m) => m.code)).toEqual(['AssessReadinessProbeMissing']);
  });
});
