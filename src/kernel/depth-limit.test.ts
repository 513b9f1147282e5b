import { describe, expect, it } from 'vitest';
import { readManifests } from '../cli/manifests.ts';
import { checkDepth, MAX_BODY_DEPTH } from './depth-limit.ts';
import { parseDocuments } from './documents.ts';
import { InputError } from './errors.ts';
import { parseStrictJson } from './strict-json.ts';

const HEAD = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n';

/** The InputError thrown by `fn`, or a failure. */
function refusal(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

function deepJson(levels: number): string {
  return `{"spec":${'{"a":'.repeat(levels - 2)}1${'}'.repeat(levels - 2)}}`;
}

describe('the nesting limit on JSON and YAML bodies', () => {
  it('accepts a body exactly at the limit, in JSON and in YAML', () => {
    expect(() => parseStrictJson(deepJson(MAX_BODY_DEPTH))).not.toThrow();
    const yaml = `${HEAD}spec: ${'['.repeat(MAX_BODY_DEPTH - 1)}1${']'.repeat(MAX_BODY_DEPTH - 1)}\n`;
    expect(() => parseDocuments(yaml)).not.toThrow();
  });

  it('refuses 5,000 levels of JSON with a 400 naming the path and the limit', () => {
    const e = refusal(() => parseStrictJson(`{"spec":{"objects":[${'['.repeat(5000)}${']'.repeat(5000)}]}}`));
    expect(e.status).toBe(400);
    const path = `spec.objects${'[0]'.repeat(MAX_BODY_DEPTH - 2)}`;
    expect(e.causes).toEqual([
      expect.objectContaining({ path, code: 'MaxDepthExceeded', params: { limit: MAX_BODY_DEPTH } }),
    ]);
    expect(e.message).toContain(`deeper than ${MAX_BODY_DEPTH} levels at ${path}`);
  });

  it('refuses 5,000 levels of YAML, in flow and in block style, before composing it', () => {
    const flow = refusal(() => parseDocuments(`${HEAD}spec: ${'['.repeat(5000)}${']'.repeat(5000)}\n`));
    expect(flow.causes[0]).toMatchObject({
      path: `documents[0].spec${'[0]'.repeat(MAX_BODY_DEPTH - 1)}`,
      code: 'MaxDepthExceeded',
    });
    let block = `${HEAD}---\n${HEAD}spec:\n`;
    for (let i = 1; i <= 2000; i++) block += `${' '.repeat(i)}a:\n`;
    const e = refusal(() => parseDocuments(block));
    expect(e.causes[0]).toMatchObject({
      path: `documents[1].spec${'.a'.repeat(MAX_BODY_DEPTH - 1)}`,
      code: 'MaxDepthExceeded',
    });
  });

  it('refuses deep nesting in a complex YAML key', () => {
    const e = refusal(() => parseDocuments(`${HEAD}? ${'['.repeat(3000)}${']'.repeat(3000)}\n: 1\n`));
    expect(e.causes[0]).toMatchObject({ code: 'MaxDepthExceeded' });
  });

  it('refuses depth that YAML aliases build up beyond what the text shows', () => {
    const half = MAX_BODY_DEPTH / 2 + 5;
    const deep = `${'['.repeat(half)}1${']'.repeat(half)}`;
    const e = refusal(() => parseDocuments(`${HEAD}x: &d ${deep}\nspec: ${'['.repeat(half)}*d${']'.repeat(half)}\n`));
    expect(e.causes[0]).toMatchObject({ code: 'MaxDepthExceeded' });
  });

  it('checks values built in code without recursing', () => {
    let v: unknown = 1;
    for (let i = 0; i < 100_000; i++) v = { a: v };
    expect(() => checkDepth(v)).toThrow(/deeper than 100 levels at a\.a/);
    expect(() => checkDepth({ a: [1, { b: 2 }] })).not.toThrow();
  });

  it('gives the CLI the same limit when it reads a file, naming the file and the path', async () => {
    const text = `${HEAD}spec: ${'{a: '.repeat(3000)}1${'}'.repeat(3000)}\n`;
    const io = {
      stdout: { write: () => true },
      stderr: { write: () => true },
      stdin: (async function* () {
        yield text;
      })(),
      env: {},
    };
    const err = await readManifests(io, ['-']).then(
      () => undefined,
      (e: unknown) => e as { message: string; causes?: Array<{ path: string; message: string }> },
    );
    expect(err?.causes?.[0]?.path).toMatch(/^\(stdin\) \(document 1\) spec\.a\.a/);
    expect(err?.causes?.[0]?.message).toMatch(/at most 100 levels/);
  });
});

describe('the key check of strict JSON', () => {
  it('names the path of a duplicate or forbidden key, inside objects and arrays', () => {
    const dup = refusal(() => parseStrictJson('{"spec":{"items":[{"a":1},{"b":{"c":1,"c":2}}]}}'));
    expect(dup.causes[0]).toMatchObject({ path: 'spec.items[1].b.c' });
    expect(dup.message).toContain('duplicate key "c" at spec.items[1].b.c');
    expect(refusal(() => parseStrictJson('{"a":1,"a":2}')).causes[0]).toMatchObject({ path: 'a' });
    const forbidden = refusal(() => parseStrictJson('[{"x":[1,{"__proto__":{}}]}]'));
    expect(forbidden.causes[0]).toMatchObject({ path: '[0].x[1].__proto__' });
    const seen: string[] = [];
    parseStrictJson('{"m":{"k\\u0061":1,"ka":2},"n":[[{"z":1,"z":2}]]}', { onDuplicate: (p) => seen.push(p) });
    expect(seen).toEqual(['m.ka', 'n[0][0].z']);
  });
});
