import { describe, expect, it } from 'vitest';
import { generatedParameters, renderTemplate, resolveParameters, schemaCauses, substitute } from './template.ts';

const schema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  properties: {
    replicas: { type: 'integer', minimum: 1, maximum: 3, default: 1 },
    title: { type: 'string', default: '一网通办', 'x-title-zh': '标题' },
  },
  additionalProperties: false,
};
const ctx = { name: 'portal', namespace: 'edu--portal', adminSecret: 'portal-admin' };

describe('template parameters', () => {
  it('substitutes placeholders as data: a whole placeholder keeps its type, an embedded one becomes text', () => {
    const out = substitute(
      {
        replicas: '${parameters.replicas}',
        label: 'app ${context.name} (${parameters.title})',
        list: ['${parameters.replicas}'],
      },
      { replicas: 2, title: 'x' },
      ctx,
    );
    expect(out).toEqual({ replicas: 2, label: 'app portal (x)', list: [2] });
  });

  it('never evaluates what a parameter or a placeholder holds', () => {
    const out = substitute(
      { a: '${parameters.x}', b: '${process.exit(1)}', c: '${parameters.constructor}' },
      { x: '${globalThis.process.exit(1)}' },
      ctx,
    );
    expect(out).toEqual({
      a: '${globalThis.process.exit(1)}',
      b: '${process.exit(1)}',
      c: '${parameters.constructor}',
    });
  });

  it('fills defaults and names the path and the problem of a wrong parameter', () => {
    expect(resolveParameters(schema, {})).toEqual({ ok: true, values: { replicas: 1, title: '一网通办' } });
    const bad = resolveParameters(schema, { replicas: 9, extra: true });
    expect(bad.ok).toBe(false);
    const text = JSON.stringify(bad);
    expect(text).toContain('replicas');
    expect(text).toContain('must be <= 3');
    expect(text).toContain('additional properties');
  });

  it('refuses a schema that is not draft 2020-12, or uses unknown keywords', () => {
    expect(schemaCauses(schema, 'spec.parameters')).toEqual([]);
    expect(schemaCauses({ type: 'object', properties: { a: { type: 'strnig' } } }, 'spec.parameters')).toHaveLength(1);
    expect(schemaCauses({ type: 'object', frobnicate: true }, 'spec.parameters')).toHaveLength(1);
    expect(schemaCauses({ type: 'array' }, 'spec.parameters')).toHaveLength(1);
  });

  it('generates values at the other end of each range, all accepted by the schema', () => {
    const g = generatedParameters(schema);
    expect(g.replicas).toBe(3);
    expect(resolveParameters(schema, g).ok).toBe(true);
  });

  it('renders an Application spec, or says why the result is not one', () => {
    const template = {
      components: [
        {
          name: 'web',
          type: 'webservice',
          properties: { image: 'registry.example.gov.cn/web:1' },
          traits: [{ type: 'scaler', properties: { replicas: '${parameters.replicas}' } }],
        },
      ],
    };
    const ok = renderTemplate(template, schema, { replicas: 2 }, ctx);
    expect(ok.ok && ok.spec.components).toEqual([
      { ...template.components[0], traits: [{ type: 'scaler', properties: { replicas: 2 } }] },
    ]);
    const broken = renderTemplate({ components: [{ name: 'Web_1', type: 'webservice' }] }, schema, {}, ctx);
    expect(broken.ok).toBe(false);
  });
});
