import { describe, expect, it } from 'vitest';
import type { ApiResource } from './api-resources.ts';
import { resolveResource } from './api-resources.ts';

const kind = (
  group: string,
  k: string,
  plural: string,
  shortNames: string[],
  scope: 'tenant' | 'platform' = 'tenant',
): ApiResource => ({
  apiVersion: `${group}/v1`,
  group,
  version: 'v1',
  kind: k,
  plural,
  singular: k.toLowerCase(),
  shortNames,
  scope,
  verbs: ['get', 'list'],
  printColumns: [],
  path: `/apis/${group}/v1`,
});

// The kinds as the server describes them at /apis (src/apps, src/clusters, src/events).
const served = [
  kind('core.oam.dev', 'Application', 'applications', ['app', 'apps']),
  kind('core.oam.dev', 'ApplicationRevision', 'applicationrevisions', ['apprev']),
  kind('polis.io', 'Cluster', 'clusters', ['cl'], 'platform'),
  kind('polis.io', 'Event', 'events', ['ev']),
];

describe('resolveResource', () => {
  it('finds the delivery kinds by plural, singular, short name and kind', () => {
    const names: Record<string, string[]> = {
      Application: ['apps', 'app', 'application', 'applications', 'Application', 'applications.core.oam.dev'],
      Cluster: ['clusters', 'cluster', 'cl', 'Cluster'],
      Event: ['events', 'event', 'ev'],
      ApplicationRevision: ['applicationrevisions', 'applicationrevision', 'apprev'],
    };
    for (const [k, inputs] of Object.entries(names))
      for (const input of inputs) expect(resolveResource(served, input).kind, input).toBe(k);
  });

  it('refuses an unknown name with exit 2, listing what is served', () => {
    expect(() => resolveResource(served, 'deployments')).toThrow('the server has no resource type "deployments"');
  });
});
