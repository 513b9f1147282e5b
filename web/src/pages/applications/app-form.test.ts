import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { applicationFromForm, causesByField, formFieldOf, formYaml } from './app-form.ts';

describe('the create form', () => {
  const values = {
    name: 'school-meals',
    description: '学生营养餐服务',
    components: [
      {
        name: 'web',
        type: 'webservice' as const,
        image: 'registry.example.gov.cn/edu/meals:1.0.0',
        cpu: '500m',
        memory: '512Mi',
        replicas: 2,
        port: 8080,
        expose: true,
      },
      {
        name: 'nightly',
        type: 'cron-task' as const,
        image: 'registry.example.gov.cn/edu/report:1',
        schedule: '0 2 * * *',
      },
    ],
    networkZones: ['e-gov-extranet'],
    spreadByRegion: true,
  };

  it('makes the Application a person would write in YAML', () => {
    expect(applicationFromForm(values)).toEqual({
      apiVersion: 'core.oam.dev/v1beta1',
      kind: 'Application',
      metadata: { name: 'school-meals', annotations: { 'polis.io/description': '学生营养餐服务' } },
      spec: {
        components: [
          {
            name: 'web',
            type: 'webservice',
            properties: {
              image: 'registry.example.gov.cn/edu/meals:1.0.0',
              ports: [{ port: 8080, expose: true }],
              cpu: '500m',
              memory: '512Mi',
            },
            traits: [{ type: 'scaler', properties: { replicas: 2 } }],
          },
          {
            name: 'nightly',
            type: 'cron-task',
            properties: { image: 'registry.example.gov.cn/edu/report:1', schedule: '0 2 * * *' },
          },
        ],
        policies: [
          { name: 'residency', type: 'residency', properties: { networkZones: ['e-gov-extranet'] } },
          { name: 'spread', type: 'placement', properties: { spreadBy: 'region' } },
        ],
      },
    });
    expect(parse(formYaml(values))).toEqual(applicationFromForm(values));
  });

  it('puts the API’s causes at the form fields they name, and keeps the rest apart', () => {
    expect(formFieldOf('spec.components[1].properties.image')).toEqual(['components', 1, 'image']);
    expect(formFieldOf('documents[0].spec.components[0].traits[0].properties.replicas')).toEqual([
      'components',
      0,
      'replicas',
    ]);
    expect(formFieldOf('metadata.name')).toEqual(['name']);
    expect(formFieldOf('spec.workflow.steps[0]')).toBeUndefined();
    const { fields, rest } = causesByField([
      { path: 'spec.components[0].properties.cpu', message: 'expected a CPU quantity' },
      { path: 'spec.workflow', message: 'unknown step' },
    ]);
    expect(fields).toEqual([{ name: ['components', 0, 'cpu'], errors: ['expected a CPU quantity'] }]);
    expect(rest).toEqual([{ path: 'spec.workflow', message: 'unknown step' }]);
  });
});
