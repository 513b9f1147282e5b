import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { RenderedApp } from './manifest-stream.ts';
import { manifestStream, onlyCluster, placementHeader, unplacedWarnings } from './manifest-stream.ts';

const deployment = (cluster: string, replicas: number) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'edu-web', labels: { 'polis.io/cluster': cluster } },
  spec: { replicas },
});

const result: RenderedApp = {
  kind: 'RenderResult',
  application: 'web',
  placement: {
    web: {
      replicas: { 'gov-west': 1, 'gov-east': 2 },
      unplaced: 0,
      excluded: [{ cluster: 'gov-dmz', reason: 'not allowed by topology policy internal-only' }],
    },
    api: { replicas: { 'gov-east': 1 }, unplaced: 2, excluded: [] },
  },
  clusters: [
    {
      cluster: 'gov-east',
      manifests: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'edu-web' } }, deployment('gov-east', 2)],
    },
    { cluster: 'gov-west', manifests: [deployment('gov-west', 1)] },
  ],
};

describe('placementHeader', () => {
  it('writes the placement table and the excluded clusters as YAML comments, components and clusters sorted', () => {
    expect(placementHeader(result.placement)).toBe(
      [
        '# COMPONENT   CLUSTER      REPLICAS',
        '# api         gov-east     1',
        '# api         <unplaced>   2',
        '# web         gov-east     2',
        '# web         gov-west     1',
        '# excluded: web not on gov-dmz: not allowed by topology policy internal-only',
        '',
      ].join('\n'),
    );
  });

  it('warns about replicas no cluster could take', () => {
    expect(unplacedWarnings(result.placement)).toEqual(['api: 2 replica(s) found no cluster with room']);
  });
});

describe('manifestStream', () => {
  it('writes a comment per cluster then its manifests as ---separated documents', () => {
    expect(manifestStream(result.clusters)).toBe(
      [
        '# cluster: gov-east',
        '---',
        'apiVersion: v1',
        'kind: Namespace',
        'metadata:',
        '  name: edu-web',
        '---',
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        '  name: web',
        '  namespace: edu-web',
        '  labels:',
        '    polis.io/cluster: gov-east',
        'spec:',
        '  replicas: 2',
        '# cluster: gov-west',
        '---',
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        '  name: web',
        '  namespace: edu-web',
        '  labels:',
        '    polis.io/cluster: gov-west',
        'spec:',
        '  replicas: 1',
        '',
      ].join('\n'),
    );
  });

  it('parses back, header included, into exactly the manifests (what kubectl apply -f - reads)', () => {
    const text = placementHeader(result.placement) + manifestStream(result.clusters);
    const docs = parseAllDocuments(text).map((d) => d.toJSON() as unknown);
    expect(docs).toEqual(result.clusters.flatMap((c) => c.manifests));
  });

  it('marks a cluster without manifests', () => {
    expect(manifestStream([{ cluster: 'gov-east', manifests: [] }])).toBe('# cluster: gov-east (no manifests)\n');
  });
});

describe('onlyCluster', () => {
  it('keeps one cluster’s manifests', () => {
    expect(onlyCluster(result, 'gov-west').clusters.map((c) => c.cluster)).toEqual(['gov-west']);
  });

  it('is not found (exit 4) for a cluster the application is not on, and says where it is', () => {
    expect(() => onlyCluster(result, 'gov-north')).toThrow(
      '--cluster gov-north: web has no manifests for that cluster',
    );
    try {
      onlyCluster(result, 'gov-north');
    } catch (e) {
      expect(e).toMatchObject({ exitCode: 4, hint: 'it is placed on: gov-east, gov-west' });
    }
  });
});
