import { describe, expect, it } from 'vitest';
import { SseParser } from './sse.ts';

describe('the server-sent events parser', () => {
  it('parses events split anywhere across chunks', () => {
    const text = 'id: 57\nevent: MODIFIED\ndata: {"type":"MODIFIED"}\n\nid: 58\nevent: BOOKMARK\ndata: {}\n\n';
    for (let cut = 1; cut < text.length; cut++) {
      const p = new SseParser();
      const got = [...p.push(text.slice(0, cut)), ...p.push(text.slice(cut))];
      expect(got, `cut at ${cut}`).toEqual([
        { event: 'MODIFIED', data: '{"type":"MODIFIED"}', id: '57' },
        { event: 'BOOKMARK', data: '{}', id: '58' },
      ]);
    }
  });

  it('handles CRLF line ends, comments and multi-line data', () => {
    const p = new SseParser();
    expect(p.push(': keep-alive\r\ndata: a\r\ndata: b\r')).toEqual([]);
    expect(p.push('\n\r\n')).toEqual([{ event: 'message', data: 'a\nb' }]);
  });
});
