import { describe, expect, it } from 'vitest';
import { parseSse } from './sse.ts';

async function collect(chunks: string[]) {
  const out = [];
  for await (const e of parseSse(
    (async function* () {
      yield* chunks;
    })(),
  ))
    out.push(e);
  return out;
}

describe('parseSse', () => {
  it('splits events across arbitrary chunk boundaries and skips comments', async () => {
    const events = await collect([
      'id: 7\nevent: ADD',
      'ED\ndata: {"a":1}\n',
      '\n: keep-alive\n\nid: 8\r\nevent: DELETED\r\ndata: x\r\ndata: y\r\n\r\n',
    ]);
    expect(events).toEqual([
      { id: '7', event: 'ADDED', data: '{"a":1}' },
      { id: '8', event: 'DELETED', data: 'x\ny' },
    ]);
  });
});
