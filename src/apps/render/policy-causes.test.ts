import { SUPPORTED_STEPS } from './supported.ts';
import { describe, expect, it } from 'vitest';
import type { ErrorCause } from '../../kernel/errors.ts';
import type { ComponentSpec } from '../application-kind.ts';
import { oamCauses } from './oam-causes.ts';

const IMAGE = 'registry.example.gov.cn/edu/web:1.0';

function web(): ComponentSpec {
  return { name: 'web', type: 'webservice', properties: { image: IMAGE } };
}

function at(causes: ErrorCause[], path: string): string[] {
  return causes.filter((c) => c.path === path).map((c) => c.message);
}

describe('oamCauses on policies and the workflow', () => {
  describe('policies', () => {
    it('refuses duplicate policy names and unknown policy types', () => {
      const causes = oamCauses({
        components: [web()],
        policies: [
          { name: 'east', type: 'topology', properties: { clusters: ['gov-east-1'] } },
          { name: 'east', type: 'topology', properties: {} },
          { name: 'x', type: 'debug' },
        ],
      });
      expect(at(causes, 'spec.policies[1].name')).toEqual([
        '"east" is already the name of spec.policies[0]; policy names are unique',
      ]);
      expect(at(causes, 'spec.policies[2].type')).toEqual([
        'policy type "debug" is a KubeVela built-in polis does not run: a KubeVela debugging aid; polis render shows what would be applied; supported: apply-once, autoscaling, failover, garbage-collect, override, placement, read-only, replication, residency, resource-update, shared-resource, slo, take-over, topology',
      ]);
    });

    it('accepts resource-update without recreateFields and refuses recreating', () => {
      const causes = oamCauses({
        components: [web()],
        policies: [
          {
            name: 'ok',
            type: 'resource-update',
            properties: { rules: [{ selector: { componentNames: ['web'] }, strategy: { op: 'replace' } }] },
          },
          {
            name: 'no',
            type: 'resource-update',
            properties: { rules: [{ selector: {}, strategy: { recreateFields: ['spec.selector'] } }] },
          },
          { name: 'bad', type: 'take-over', properties: { rules: [{ selector: { componentNames: ['web'] } }] } },
        ],
      });
      expect(causes.filter((c) => c.path.startsWith('spec.policies[0]'))).toEqual([]);
      expect(
        causes.some((c) => c.path.startsWith('spec.policies[1].properties.rules[0].strategy.recreateFields')),
      ).toBe(true);
      // take-over's selector is a list in take-over.cue.
      expect(causes.some((c) => c.path.startsWith('spec.policies[2].properties.rules[0].selector'))).toBe(true);
    });

    it("accepts polis's own policies without reading their properties", () => {
      const causes = oamCauses({
        components: [web()],
        policies: ['placement', 'residency', 'autoscaling', 'failover'].map((type) => ({
          name: type,
          type,
          properties: { anything: { goes: 'here' } },
        })),
      });
      expect(causes).toEqual([]);
    });

    it('checks the shape of topology properties', () => {
      const causes = oamCauses({
        components: [web()],
        policies: [
          { name: 't', type: 'topology', properties: { clusters: 'east', namespace: 'Edu_Prod', region: 'x' } },
        ],
      });
      expect(causes.map(({ path, message }) => ({ path, message }))).toEqual([
        { path: 'spec.policies[0].properties.clusters', message: 'expected array, received string' },
        {
          path: 'spec.policies[0].properties.namespace',
          message:
            "\"Edu_Prod\" must consist of lower-case letters, digits and '-', and start and end with a letter or digit (e.g. 'edu-portal')",
        },
        {
          path: 'spec.policies[0].properties.region',
          message: 'unknown field "region"; remove it or check its spelling',
        },
      ]);
    });

    it('refuses override entries naming no component, unknown types, and a bad selector', () => {
      const causes = oamCauses({
        components: [web()],
        policies: [
          {
            name: 'o',
            type: 'override',
            properties: {
              components: [
                { name: 'wbe', properties: { cpu: '1' } },
                { name: 'web', traits: [{ type: 'autoscaler' }] },
                { name: 'we*', type: 'statefulservice' },
              ],
              selector: ['api'],
            },
          },
        ],
      });
      expect(at(causes, 'spec.policies[0].properties.components[0].name')).toEqual([
        'no component is named "wbe"; components: web',
      ]);
      expect(at(causes, 'spec.policies[0].properties.components[1].traits[0].type')[0]).toMatch(
        /^unknown trait type "autoscaler"; supported: affinity, annotations/,
      );
      expect(at(causes, 'spec.policies[0].properties.components[2].type')[0]).toMatch(
        /^unknown component type "statefulservice"/,
      );
      expect(at(causes, 'spec.policies[0].properties.selector[0]')).toEqual([
        'no component is named "api"; components: web',
      ]);
    });

    it('reports a component an override would make invalid', () => {
      const causes = oamCauses({
        components: [web()],
        policies: [
          { name: 'o', type: 'override', properties: { components: [{ name: 'web', properties: { cpu: 'two' } }] } },
        ],
      });
      expect(causes).toHaveLength(1);
      expect(causes[0]!.path).toBe('spec.policies[0].properties');
      expect(causes[0]!.message).toMatch(
        /^with this override, spec.components\[0\].properties.cpu would be invalid: expected a CPU quantity/,
      );
    });

    it('checks garbage-collect and apply-once rules', () => {
      const causes = oamCauses({
        components: [web()],
        policies: [
          {
            name: 'gc',
            type: 'garbage-collect',
            properties: { rules: [{ selector: { traitTypes: ['storage'] }, strategy: 'sometimes' }] },
          },
          { name: 'once', type: 'apply-once', properties: { enable: true, rules: [{ strategy: { path: [] } }] } },
        ],
      });
      expect(at(causes, 'spec.policies[0].properties.rules[0].strategy')[0]).toMatch(
        /^Invalid option: expected one of/,
      );
      expect(at(causes, 'spec.policies[1].properties.rules[0].strategy.path')).toEqual([
        'list at least one path, or "*" for the whole object',
      ]);
    });
  });

  describe('workflow', () => {
    const policies = [
      { name: 'east', type: 'topology', properties: { clusters: ['gov-east-1'] } },
      { name: 'spread', type: 'placement', properties: {} },
    ];

    it('refuses steps of unknown type, duplicate names and unknown dependencies', () => {
      const causes = oamCauses({
        components: [web()],
        workflow: {
          steps: [
            { name: 'notify', type: 'chat-gpt' },
            { name: 'go', type: 'deploy', dependsOn: ['approve'] },
            { name: 'go', type: 'suspend', properties: { duration: '1 day' } },
          ],
        },
      });
      expect(at(causes, 'spec.workflow.steps[0].type')).toEqual([
        `unknown workflow step type "chat-gpt"; supported: ${SUPPORTED_STEPS.join(', ')}`,
      ]);
      expect(at(causes, 'spec.workflow.steps[2].name')).toEqual([
        '"go" is already the name of spec.workflow.steps[1]; step names are unique',
      ]);
      expect(at(causes, 'spec.workflow.steps[1].dependsOn[0]')).toEqual(['no step is named "approve"']);
      expect(at(causes, 'spec.workflow.steps[2].properties.duration')[0]).toMatch(/^expected a duration such as 30s/);
    });

    it('lets a deploy step name topology, override and replication policies only, and only existing ones', () => {
      const causes = oamCauses({
        components: [web()],
        policies,
        workflow: { steps: [{ name: 'deploy', type: 'deploy', properties: { policies: ['east', 'spread', 'west'] } }] },
      });
      expect(causes.map(({ path, message }) => ({ path, message }))).toEqual([
        {
          path: 'spec.workflow.steps[0].properties.policies[1]',
          message:
            'policy "spread" is a placement policy; a deploy step takes override, replication, topology policies only',
        },
        {
          path: 'spec.workflow.steps[0].properties.policies[2]',
          message: 'no policy is named "west"; policies: east, spread',
        },
      ]);
    });
  });
});
