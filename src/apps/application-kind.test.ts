import { describe, expect, it } from 'vitest';
import { InputError } from '../kernel/errors.ts';
import { parseObject } from '../resources/object-input.ts';
import { KindRegistry } from '../resources/registry.ts';
import { applicationKind } from './application-kind.ts';

const registry = new KindRegistry();
registry.register(applicationKind);

function app(spec: Record<string, unknown>, metadata: Record<string, unknown> = {}) {
  return {
    apiVersion: 'core.oam.dev/v1beta1',
    kind: 'Application',
    metadata: { name: 'portal', tenant: 'edu', ...metadata },
    spec,
  };
}

function causesOf(input: unknown): { path: string; message: string }[] {
  try {
    parseObject(registry, input);
    return [];
  } catch (e) {
    if (e instanceof InputError) return [...(e.causes ?? [])] as { path: string; message: string }[];
    throw e;
  }
}

const web = { name: 'web', type: 'webservice', properties: { image: 'nginx' } };

describe('Applications as KubeVela accepts them', () => {
  it('accepts anonymous policies, traits: null, workflow mode and steps with if, timeout, inputs, outputs', () => {
    const causes = causesOf(
      app({
        components: [{ ...web, traits: null }],
        policies: [{ type: 'override', properties: { components: [{ name: 'web', properties: { cpu: '1' } }] } }],
        workflow: {
          mode: { steps: 'StepByStep', subSteps: 'DAG' },
          steps: [
            {
              name: 'approve',
              type: 'suspend',
              properties: { message: 'the bureau approves' },
              outputs: [{ name: 'note', valueFrom: 'parameter.message' }],
            },
            {
              name: 'deploy',
              type: 'deploy',
              if: 'status.approve.phase == "succeeded" && inputs.note != ""',
              timeout: '10m',
              inputs: [{ from: 'note' }],
              properties: { policies: [] },
            },
          ],
        },
      }),
    );
    expect(causes).toEqual([]);
  });

  it('accepts an Application with no components (workflow only)', () => {
    expect(causesOf(app({ components: [], workflow: { steps: [{ name: 'wait', type: 'suspend' }] } }))).toEqual([]);
  });

  it('reports every problem of a document at once: an unknown type does not hide a field error', () => {
    const causes = causesOf(
      app({
        components: [
          { name: 'db', type: 'helm', properties: {} },
          { name: 'web', type: 'webservice', properties: { image: 'nginx', replicasX: 2 }, colour: 'red' },
        ],
      }),
    );
    const paths = causes.map((c) => c.path);
    expect(paths).toContain('spec.components[0].type');
    expect(paths).toContain('spec.components[1].colour');
    expect(paths.some((p) => p.startsWith('spec.components[1].properties'))).toBe(true);
  });
});

describe('topology namespaces', () => {
  const twoSteps = (a: Record<string, unknown>, b: Record<string, unknown>) =>
    app({
      components: [web],
      policies: [
        { name: 'prod', type: 'topology', properties: a },
        { name: 'staging', type: 'topology', properties: b },
      ],
      workflow: {
        steps: [
          { name: 'to-prod', type: 'deploy', properties: { policies: ['prod'] } },
          { name: 'to-staging', type: 'deploy', properties: { policies: ['staging'] } },
        ],
      },
    });

  it('accepts two deploy steps to one cluster in two namespaces (each delivered into a namespace of its own)', () => {
    expect(
      causesOf(
        twoSteps({ clusters: ['gov-east'], namespace: 'prod' }, { clusters: ['gov-east'], namespace: 'staging' }),
      ),
    ).toEqual([]);
  });

  it("refuses a topology naming a system namespace, or another department's", () => {
    const causes = causesOf(
      twoSteps(
        { clusters: ['gov-east'], namespace: 'kube-system' },
        { clusters: ['gov-east'], namespace: 'tax--e-invoice' },
      ),
    );
    expect(causes).toEqual([
      expect.objectContaining({ path: 'spec.policies[0].properties.namespace', code: 'NamespaceSystem' }),
      expect.objectContaining({ path: 'spec.policies[1].properties.namespace', code: 'NamespaceOfOtherDepartment' }),
    ]);
  });

  it('accepts namespaces on different clusters, and a single topology naming one', () => {
    expect(
      causesOf(twoSteps({ clusters: ['gov-east'], namespace: 'prod' }, { clusters: ['gov-west'], namespace: 'dev' })),
    ).toEqual([]);
    expect(
      causesOf(
        app({
          components: [web],
          policies: [{ name: 't', type: 'topology', properties: { clusters: ['a'], namespace: 'x' } }],
        }),
      ),
    ).toEqual([]);
  });
});

describe('step-group steps and externalRevision', () => {
  it('reads subSteps and externalRevision as KubeVela writes them', () => {
    const causes = causesOf(
      app({
        components: [{ ...web, externalRevision: 'web-2026' }],
        workflow: {
          steps: [{ name: 'group', type: 'step-group', subSteps: [{ name: 'd', type: 'deploy', timeout: '5m' }] }],
        },
      }),
    );
    // Whether step-group is a supported type is another matter; its fields are read.
    expect(causes.filter((c) => /subSteps|externalRevision/.test(c.path))).toEqual([]);
  });
});
