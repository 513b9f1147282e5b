import { describe, expect, it } from 'vitest';
import { joinedJson } from './joined-json.ts';

describe('joinedJson', () => {
  it('gives the same bytes as the joined string, multi-byte characters included', () => {
    const items = ['{"a":1}', '{"name":"教育局","note":"é ✓ 𝄞"}', '{}'];
    const head = '{"kind":"List","items":[';
    expect(joinedJson(head, items, ']}').equals(Buffer.from(`${head}${items.join(',')}]}`))).toBe(true);
    expect(JSON.parse(joinedJson(head, items, ']}').toString('utf8')).items[1].name).toBe('教育局');
  });

  it('writes an empty list as an empty array', () => {
    expect(joinedJson('{"items":[', [], ']}').toString('utf8')).toBe('{"items":[]}');
  });
});
