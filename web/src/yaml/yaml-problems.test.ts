import { describe, expect, it } from 'vitest';
import { problemsFromCauses, splitPath, syntaxProblems } from './yaml-problems.ts';

const APP = `apiVersion: core.oam.dev/v1beta1
kind: Application
metadata:
  name: bad
  labels:
    app.oam.dev/name: bad
spec:
  components:
    - name: web
      type: webservicex
      properties:
        image: nginx
        cpu: lots
    - name: worker
      type: worker
      properties: {}
`;

describe('API causes on the lines of the YAML', () => {
  it('splits paths into a document and segments', () => {
    expect(splitPath('documents[2].spec.components[0].type')).toEqual({
      doc: 2,
      segments: ['spec', 'components', 0, 'type'],
    });
    expect(splitPath('spec.components[10].traits[1].properties.replicas')).toEqual({
      segments: ['spec', 'components', 10, 'traits', 1, 'properties', 'replicas'],
    });
  });

  it('puts a cause on the line of its field', () => {
    const [type, cpu] = problemsFromCauses(APP, [
      { path: 'spec.components[0].type', message: 'unknown component type "webservicex"' },
      { path: 'spec.components[0].properties.cpu', message: 'expected a CPU quantity' },
    ]);
    expect(type).toMatchObject({
      line: 10,
      path: 'spec.components[0].type',
      message: 'unknown component type "webservicex"',
    });
    expect(APP.slice(type!.from, type!.to)).toBe('type: webservicex');
    expect(cpu).toMatchObject({ line: 13 });
  });

  it('lists the problems by line, whatever order the server gave them in', () => {
    const problems = problemsFromCauses(APP, [
      { path: 'spec.components[1].type', message: 'b' },
      { path: 'spec.components[0].properties.cpu', message: 'c' },
      { path: 'metadata.name', message: 'a' },
      { path: 'spec.components[0].type', message: 'd' },
    ]);
    expect(problems.map((p) => p.line)).toEqual([4, 10, 13, 15]);
    expect(problems.map((p) => p.message)).toEqual(['a', 'd', 'c', 'b']);
  });

  it('points a missing field at the deepest part that exists', () => {
    const [p] = problemsFromCauses(APP, [{ path: 'spec.components[1].properties.image', message: 'required' }]);
    expect(p!.line).toBe(16);
  });

  it('follows a documents[N] prefix into the right document', () => {
    const two = `${APP}---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n`;
    const [p] = problemsFromCauses(two, [{ path: 'documents[1].metadata.name', message: 'taken' }]);
    expect(p!.line).toBe(21);
  });

  it('matches keys that contain dots', () => {
    const [p] = problemsFromCauses(APP, [{ path: 'metadata.labels.app.oam.dev/name', message: 'reserved' }]);
    expect(p!.line).toBe(6);
  });

  it('takes line and column from a malformed-YAML cause', () => {
    const text = 'a: [\nb: 1\n';
    const [p] = problemsFromCauses(text, [{ path: 'documents[0]', message: 'line 2, column 1: Flow sequence …' }]);
    expect(p).toMatchObject({ line: 2, column: 1 });
  });

  it('finds syntax errors locally, with their line', () => {
    expect(syntaxProblems(APP)).toEqual([]);
    const problems = syntaxProblems('a: 1\nb: [1, 2\nc: 3\n');
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]!.line).toBeGreaterThanOrEqual(2);
  });
});
