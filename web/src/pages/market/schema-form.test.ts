import { describe, expect, it } from 'vitest';
import { changedPaths, coerce, coerceValue, fieldErrors, fieldsOf, initialValues, leaves } from './schema-form.ts';

const schema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  required: ['name', 'storage'],
  properties: {
    name: { type: 'string', minLength: 3, maxLength: 20, pattern: '^[a-z]+$', title: 'Name', 'x-title-zh': '名称' },
    replicas: { type: 'integer', minimum: 1, maximum: 3, default: 1, title: 'Replicas', 'x-title-zh': '副本数' },
    ratio: {
      type: 'number',
      exclusiveMinimum: 0,
      exclusiveMaximum: 1,
      description: 'Share',
      'x-description-zh': '比例',
    },
    tls: { type: 'boolean', default: true },
    cpu: { type: 'string', enum: ['500m', '1', '2'], default: '1' },
    size: { enum: [1, 2, 4] },
    storage: {
      type: 'object',
      required: ['gi'],
      properties: {
        gi: { type: 'integer', minimum: 10, default: 20, 'x-title-zh': '容量' },
        class: { type: 'string' },
      },
    },
    tags: { type: 'array', items: { type: 'string' }, default: ['a'] },
    nullable: { type: ['null', 'integer'] },
  },
  additionalProperties: false,
};

describe('the parameter form generated from a JSON Schema', () => {
  const fields = fieldsOf(schema);
  const byKey = (k: string) => leaves(fields).find((f) => f.path.join('.') === k)!;

  it('makes one field per property, in order, with its kind, labels in zh and en, and constraints', () => {
    expect(fields.map((f) => `${f.path.join('.')}:${f.kind}`)).toEqual([
      'name:string',
      'replicas:integer',
      'ratio:number',
      'tls:boolean',
      'cpu:enum',
      'size:enum',
      'storage:object',
      'tags:json',
      'nullable:integer',
    ]);
    expect(byKey('name')).toMatchObject({
      title: { zh: '名称', en: 'Name' },
      required: true,
      minLength: 3,
      maxLength: 20,
      pattern: '^[a-z]+$',
    });
    expect(byKey('replicas')).toMatchObject({ minimum: 1, maximum: 3, default: 1, required: false });
    expect(byKey('ratio')).toMatchObject({
      exclusiveMinimum: 0,
      exclusiveMaximum: 1,
      description: { zh: '比例', en: 'Share' },
      title: { zh: 'ratio', en: 'ratio' },
    });
    expect(byKey('cpu').options).toEqual(['500m', '1', '2']);
    expect(byKey('size').options).toEqual([1, 2, 4]);
  });

  it('descends into a nested object, keeping its own required list', () => {
    const storage = fields.find((f) => f.path[0] === 'storage')!;
    expect(storage.required).toBe(true);
    expect(storage.children!.map((c) => [c.path.join('.'), c.kind, c.required, c.title.zh])).toEqual([
      ['storage.gi', 'integer', true, '容量'],
      ['storage.class', 'string', false, 'class'],
    ]);
  });

  it('renders objects deeper than three levels as JSON text', () => {
    const deep = fieldsOf({
      type: 'object',
      properties: {
        a: {
          type: 'object',
          properties: { b: { type: 'object', properties: { c: { type: 'object', properties: { d: {} } } } } },
        },
      },
    });
    expect(leaves(deep).map((f) => `${f.path.join('.')}:${f.kind}`)).toEqual(['a.b.c:json']);
  });

  it('starts from the defaults, nested ones included, JSON fields as text', () => {
    expect(initialValues(fields)).toEqual({
      replicas: 1,
      tls: true,
      cpu: '1',
      storage: { gi: 20 },
      tags: '["a"]',
    });
  });

  it('takes no fields from a schema without properties', () => {
    expect(fieldsOf({ type: 'object' })).toEqual([]);
    expect(fieldsOf(undefined)).toEqual([]);
  });
});

describe('coercing the form values to parameters', () => {
  const fields = fieldsOf(schema);
  const f = (k: string) => leaves(fields).find((x) => x.path.join('.') === k)!;

  it('turns text into numbers and booleans, and enum text back into the schema value', () => {
    expect(coerceValue(f('replicas'), '2')).toBe(2);
    expect(coerceValue(f('ratio'), ' 0.5 ')).toBe(0.5);
    expect(coerceValue(f('tls'), 'false')).toBe(false);
    expect(coerceValue(f('size'), '4')).toBe(4);
    expect(coerceValue(f('cpu'), '2')).toBe('2');
    expect(coerceValue(f('tags'), '["x","y"]')).toEqual(['x', 'y']);
  });

  it('leaves empty values out, and sends what cannot be coerced as it is (the server names the field)', () => {
    expect(coerceValue(f('replicas'), '')).toBeUndefined();
    expect(coerceValue(f('replicas'), null)).toBeUndefined();
    expect(coerceValue(f('name'), '')).toBeUndefined();
    expect(coerceValue(f('replicas'), 'three')).toBe('three');
    expect(coerceValue(f('tags'), '[oops')).toBe('[oops');
  });

  it('builds the parameters object, nested objects included, without empty ones', () => {
    expect(
      coerce(fields, {
        name: 'abc',
        replicas: '2',
        tls: false,
        cpu: '500m',
        storage: { gi: '30', class: '' },
        tags: '',
      }),
    ).toEqual({ name: 'abc', replicas: 2, tls: false, cpu: '500m', storage: { gi: 30 } });
    // A required nested object is sent even when empty, so the server reports its required fields.
    expect(coerce(fields, {})).toEqual({ storage: {} });
  });
});

describe('server causes on the form', () => {
  const fields = fieldsOf(schema);

  it('puts each cause at its field, nested ones at the nested field, and keeps the rest apart', () => {
    const r = fieldErrors(fields, [
      { path: 'spec.parameters.replicas', message: 'too many', code: 'MarketParameterMaximum' },
      { path: 'spec.parameters.storage.gi', message: 'required', code: 'MarketParameterRequired' },
      { path: 'spec.parameters.tags.0', message: 'bad item' },
      { path: 'spec.parameters.extra', message: 'unknown', code: 'MarketParameterUnknown' },
      { path: 'metadata.name', message: 'taken' },
    ]);
    expect(r.fields.map((e) => `${e.path.join('.')} ${e.cause.message}`)).toEqual([
      'replicas too many',
      'storage.gi required',
      'tags bad item',
    ]);
    expect(r.other.map((c) => c.path)).toEqual(['spec.parameters.extra', 'metadata.name']);
  });

  it('names the fields a change touched, so their errors are cleared', () => {
    expect(changedPaths(fields, { replicas: 2 })).toEqual([['replicas']]);
    expect(changedPaths(fields, { storage: { gi: undefined } })).toEqual([['storage', 'gi']]);
  });
});
