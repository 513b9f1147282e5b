import { describe, expect, it } from 'vitest';
import type { ErrorCause } from '../../kernel/errors.ts';
import { renderMessage } from '../../kernel/messages/index.ts';
import { oamCauses } from './oam-causes.ts';

const IMAGE = 'registry.example.gov.cn/edu/web:1.0';

/** The cause at `path`: its code, and its message in Chinese (rendered from code and params) and in English. */
function coded(causes: ErrorCause[], path: string) {
  const c = causes.find((x) => x.path === path);
  if (!c) throw new Error(`no cause at ${path}: ${JSON.stringify(causes)}`);
  const m = { code: c.code ?? '', ...(c.params ? { params: c.params } : {}), message: c.message };
  expect(renderMessage(m, 'en')).toBe(c.message);
  return { code: c.code, zh: renderMessage(m, 'zh') };
}

describe('OAM validation causes are coded', () => {
  it("codes zod's issues in component and trait properties, naming what is accepted", () => {
    const causes = oamCauses({
      components: [
        {
          name: 'web',
          type: 'webservice',
          properties: { image: IMAGE, exposeType: 'Public', ports: 'http', imagePullPolicy: 3, colour: 'red' },
          traits: [
            { type: 'scaler', properties: { replicas: 'two' } },
            { type: 'expose', properties: { port: [0] } },
          ],
          dependsOn: ['db', 'web'],
        } as never,
      ],
    });
    const p = 'spec.components[0].properties';
    expect(coded(causes, `${p}.exposeType`)).toMatchObject({
      code: 'NotOneOf',
      zh: expect.stringMatching(/^无效选项：应为 .*"NodePort".* 之一$/),
    });
    expect(coded(causes, `${p}.ports`)).toEqual({ code: 'FieldType', zh: '应为 array，实为 string' });
    expect(coded(causes, `${p}.colour`)).toEqual({ code: 'FieldUnknown', zh: '未知字段“colour”：请删除它或检查拼写' });
    expect(coded(causes, 'spec.components[0].traits[0].properties.replicas')).toEqual({
      code: 'WholeNumberAtLeast',
      zh: '应为 ≥ 0 的整数',
    });
    expect(coded(causes, 'spec.components[0].traits[1].properties.port[0]')).toEqual({
      code: 'PortNumber',
      zh: '应为 1 到 65535 之间的端口号',
    });
    expect(coded(causes, 'spec.components[0].dependsOn[0]')).toEqual({
      code: 'NoComponentNamed',
      zh: '没有名为“db”的组件',
    });
    expect(coded(causes, 'spec.components[0].dependsOn[1]')).toEqual({
      code: 'ComponentDependsOnItself',
      zh: '组件不能依赖自身',
    });
  });

  it('codes names taken twice and steps that name what does not exist', () => {
    const causes = oamCauses({
      components: [{ name: 'web', type: 'webservice', properties: { image: IMAGE } }],
      policies: [
        { name: 'p', type: 'override', properties: { components: [] } },
        { name: 'p', type: 'override', properties: { components: [] } },
      ],
      workflow: { steps: [{ name: 'go', type: 'deploy', properties: { policies: ['east'] }, dependsOn: ['ready'] }] },
    });
    expect(coded(causes, 'spec.policies[1].name')).toEqual({
      code: 'PolicyNameTaken',
      zh: '“p”已是 spec.policies[0] 的名称；策略名称不能重复',
    });
    expect(coded(causes, 'spec.workflow.steps[0].properties.policies[0]')).toMatchObject({ code: 'NoPolicyNamed' });
    expect(coded(causes, 'spec.workflow.steps[0].dependsOn[0]')).toEqual({
      code: 'NoStepNamed',
      zh: '没有名为“ready”的步骤',
    });
  });
});
