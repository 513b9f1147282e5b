import { describe, expect, it } from 'vitest';
import { PodLog } from './pod-logs.ts';

describe('PodLog', () => {
  it('keeps only the newest lines, oldest first, and filters by container, since and tail', () => {
    const log = new PodLog(3);
    for (let i = 1; i <= 5; i++) log.append({ at: i * 1000, container: i % 2 ? 'web' : 'proxy', text: `line ${i}` });
    expect(log.read().map((l) => l.text)).toEqual(['line 3', 'line 4', 'line 5']);
    expect(log.read({ container: 'web' }).map((l) => l.text)).toEqual(['line 3', 'line 5']);
    expect(log.read({ since: 4000 }).map((l) => l.text)).toEqual(['line 4', 'line 5']);
    expect(log.read({ tail: 1 }).map((l) => l.text)).toEqual(['line 5']);
  });

  it('tells followers each new line until they stop', () => {
    const log = new PodLog();
    const heard: string[] = [];
    const stop = log.follow((l) => heard.push(l.text));
    log.append({ at: 1, container: 'web', text: 'a' });
    stop();
    log.append({ at: 2, container: 'web', text: 'b' });
    expect(heard).toEqual(['a']);
  });
});
