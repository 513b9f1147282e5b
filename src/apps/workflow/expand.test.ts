import { describe, expect, it } from 'vitest';
import type { ApplicationSpec } from '../application-kind.ts';
import { oamCauses } from '../render/oam-causes.ts';
import { evaluate, parseExpr } from './expressions.ts';
import { expandWorkflow, goDurationMs, type WorkflowAdded } from './expand.ts';

const web = { name: 'web', type: 'webservice', properties: { image: 'nginx' } };
const db = { name: 'db', type: 'worker', properties: { image: 'postgres' } };

function spec(steps: unknown[], extra: Partial<ApplicationSpec> = {}): ApplicationSpec {
  return { components: [web, db], workflow: { steps: steps as never }, ...extra };
}

describe('expandWorkflow', () => {
  it('flattens a step group into its sub-steps and names what each delivering step applies', () => {
    const x = expandWorkflow(
      spec([
        {
          name: 'backend',
          type: 'step-group',
          subSteps: [{ name: 'apply-db', type: 'apply-component', properties: { component: 'db' } }],
        },
        { name: 'rest', type: 'apply-remaining' },
      ]),
    );
    expect(x.causes).toEqual([]);
    expect(x.steps.map((s) => [s.name, s.group ?? '', s.span ?? 0, s.deliver?.components])).toEqual([
      ['backend', '', 1, undefined],
      ['apply-db', 'backend', 0, ['db']],
      ['rest', '', 0, ['web']],
    ]);
  });

  it('turns apply-object into a component of its own, and is idempotent', () => {
    const s = spec([
      {
        name: 'notice',
        type: 'apply-object',
        properties: { value: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'n', namespace: 'prod' } } },
      },
    ]);
    const once = expandWorkflow(s, { namespace: 'prod' });
    expect(once.causes).toEqual([]);
    const added = once.spec.components.filter((c) => (c as WorkflowAdded).workflowStep);
    expect(added).toHaveLength(1);
    // The namespace KubeVela would use (the Application's own) is taken out: polis places it in the department's.
    expect(JSON.stringify(added[0]!.properties)).not.toContain('prod');
    expect(expandWorkflow(once.spec).spec.components).toHaveLength(3);
  });

  it('refuses objects outside the application namespace, with reason codes', () => {
    const x = expandWorkflow(
      spec([
        {
          name: 'ns',
          type: 'apply-object',
          properties: { value: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } } },
        },
        {
          name: 'other',
          type: 'apply-object',
          properties: { value: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'tax' } } },
        },
        {
          name: 'cm',
          type: 'export2config',
          properties: { configName: 'c', namespace: 'kube-system', data: { a: 'b' } },
        },
      ]),
    );
    expect(x.causes.map((c) => c.code)).toEqual([
      'StepObjectClusterScoped',
      'StepNamespaceNotOwn',
      'StepNamespaceNotOwn',
    ]);
    expect(x.spec.components).toHaveLength(2);
  });

  it('resolves inputs from earlier outputs into properties and inputs', () => {
    const x = expandWorkflow(
      spec([
        {
          name: 'note',
          type: 'print-message-in-status',
          properties: { message: 'v2' },
          outputs: [{ name: 'ver', valueFrom: 'parameter.message' }],
        },
        {
          name: 'cfg',
          type: 'export2config',
          properties: { configName: 'c', data: {} },
          inputs: [{ from: 'ver', parameterKey: 'data.version' }],
        },
      ]),
    );
    expect(x.causes).toEqual([]);
    expect(x.steps[1]!.inputs).toEqual({ ver: 'v2' });
    const cm = x.spec.components.find((c) => c.name === 'cfg')!;
    expect(cm.properties).toEqual({
      objects: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { version: 'v2' } }],
    });
  });

  it('refuses expressions and outputs it cannot evaluate, naming the step', () => {
    const causes = oamCauses(
      spec([
        { name: 'a', type: 'deploy', if: 'len(status) > 1' },
        { name: 'b', type: 'deploy', outputs: [{ name: 'x', valueFrom: 'output.value.status' }] },
        { name: 'c', type: 'deploy', if: 'status.nope.succeeded' },
      ]),
    );
    expect(causes.map((c) => [c.path, c.code])).toEqual([
      ['spec.workflow.steps[0].if', 'WorkflowExpressionUnsupported'],
      ['spec.workflow.steps[1].outputs[0].valueFrom', 'StepOutputUnsupported'],
      ['spec.workflow.steps[2].if', 'StepConditionUnknownStep'],
    ]);
  });

  it('replicates the selected components for a deploy step naming a replication policy', () => {
    const x = expandWorkflow(
      spec([{ name: 'deploy', type: 'deploy', properties: { policies: ['r'] } }], {
        policies: [{ name: 'r', type: 'replication', properties: { keys: ['n', 's'], selector: ['db'] } }],
      }),
    );
    expect(x.steps[0]!.deliver?.components).toEqual(['web', 'db-n', 'db-s']);
    expect(x.spec.components.map((c) => c.name)).toEqual(['web', 'db', 'db-n', 'db-s']);
  });
});

describe('expressions', () => {
  it('evaluates the conditions KubeVela steps use', () => {
    const env = { status: { 'apply-db': { phase: 'failed', failed: true } }, inputs: { v: '2' } };
    const check = (src: string) => {
      const p = parseExpr(src);
      if (!p.ok) throw new Error(p.problem);
      return evaluate(p.expr, env);
    };
    expect(check('status["apply-db"].failed')).toBe(true);
    expect(check('status["apply-db"].phase != "succeeded" && inputs.v == "2"')).toBe(true);
    expect(check('!(inputs.v == "3") || false')).toBe(true);
    expect(check('always')).toBe(true);
    expect(check('status.other.phase == "succeeded"')).toBe(false);
    expect(parseExpr('a + b').ok).toBe(false);
  });

  it('reads Go durations', () => {
    expect([goDurationMs('1m30s'), goDurationMs('1.5h'), goDurationMs('500ms'), goDurationMs('soon')]).toEqual([
      90_000,
      5_400_000,
      500,
      undefined,
    ]);
  });
});
