import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { renderMessage } from '../kernel/messages/index.ts';
import { zodCauses } from './validation.ts';

const schema = z
  .object({
    image: z.string(),
    replicas: z.number().int().min(1).max(5),
    exposeType: z.enum(['ClusterIP', 'NodePort']),
    name: z.string().regex(/^[a-z]+$/),
    ports: z.array(z.number()).min(1),
    kind: z.literal('k'),
    port: z.union([z.string(), z.number()]),
    tag: z.string().min(2),
    count: z.number(),
    label: z.string().regex(/^a/, 'must start with a'),
  })
  .strict();

function causesOf(input: unknown) {
  const r = schema.safeParse(input);
  if (r.success) throw new Error('expected the input to be refused');
  return zodCauses(r.error, ['spec', 'components', 0, 'properties']);
}

describe('zodCauses', () => {
  const causes = causesOf({
    replicas: 9,
    exposeType: 'LoadBalancer',
    name: 'A',
    ports: [],
    kind: 'q',
    port: true,
    tag: 'a',
    count: 'three',
    label: 'b',
    imagee: 'x',
  });
  const at = (field: string) => causes.find((c) => c.path === `spec.components[0].properties.${field}`)!;

  it('codes every issue zod words itself, with what is accepted, and keeps the English it always wrote', () => {
    expect(at('image')).toEqual({
      path: 'spec.components[0].properties.image',
      code: 'FieldRequired',
      params: { accepted: 'string' },
      message: 'required (expected string)',
    });
    expect(at('count')).toMatchObject({
      code: 'FieldType',
      params: { accepted: 'number', received: 'string' },
      message: 'expected number, received string',
    });
    expect(at('replicas')).toMatchObject({ code: 'OutOfRangeMax', message: 'Too big: expected number to be <=5' });
    expect(at('exposeType')).toMatchObject({
      code: 'NotOneOf',
      params: { accepted: '"ClusterIP"|"NodePort"' },
      message: 'Invalid option: expected one of "ClusterIP"|"NodePort"',
    });
    expect(at('name')).toMatchObject({ code: 'PatternMismatch', params: { pattern: '/^[a-z]+$/' } });
    expect(at('ports')).toMatchObject({ code: 'TooFewItems', message: 'Too small: expected array to have >=1 items' });
    expect(at('kind')).toMatchObject({ code: 'FieldLiteral', message: 'expected "k"' });
    expect(at('port')).toMatchObject({ code: 'NoVariantMatches' });
    expect(at('tag')).toMatchObject({ code: 'TextTooShort', params: { bound: '>=2' } });
    expect(at('imagee')).toMatchObject({
      code: 'FieldUnknown',
      params: { field: 'imagee' },
      message: 'unknown field "imagee"; remove it or check its spelling',
    });
  });

  it("passes a schema's own wording on as written, without a code", () => {
    expect(at('label')).toEqual({ path: 'spec.components[0].properties.label', message: 'must start with a' });
  });

  it('renders each coded cause in Chinese', () => {
    const zh = (field: string) => {
      const c = at(field);
      return renderMessage({ code: c.code!, params: c.params!, message: c.message }, 'zh');
    };
    expect(zh('image')).toBe('必填（应为 string）');
    expect(zh('exposeType')).toBe('无效选项：应为 "ClusterIP"|"NodePort" 之一');
    expect(zh('replicas')).toBe('太大：数值应 <=5');
    expect(zh('imagee')).toBe('未知字段“imagee”：请删除它或检查拼写');
  });
});
