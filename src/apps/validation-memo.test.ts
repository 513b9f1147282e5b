import { describe, expect, it } from 'vitest';
import { applicationKind } from './application-kind.ts';
import { memoizeCauses } from './validation-memo.ts';
import type { ResourceObject } from '../resources/envelope.ts';

describe('memoizeCauses', () => {
  it('runs the validation once per distinct input and answers repeats from memory, frozen', () => {
    let runs = 0;
    const check = memoizeCauses(2, (n: { v: number }) => {
      runs++;
      return n.v < 0 ? [{ path: 'v', message: 'negative' }] : [];
    });
    expect(check({ v: -1 })).toEqual([{ path: 'v', message: 'negative' }]);
    expect(check({ v: -1 })).toEqual([{ path: 'v', message: 'negative' }]);
    expect(runs).toBe(1);
    expect(Object.isFrozen(check({ v: -1 })[0])).toBe(true);
    check({ v: 1 });
    check({ v: 2 }); // evicts the least recently used: { v: -1 }
    check({ v: -1 });
    expect(runs).toBe(4);
  });

  it('gives an Application the same causes whether its spec was validated before or not', () => {
    const app = (name: string, image: unknown): ResourceObject =>
      ({
        apiVersion: 'core.oam.dev/v1beta1',
        kind: 'Application',
        metadata: { name, tenant: 'edu' },
        spec: { components: [{ name: 'web', type: 'webservice', properties: { image } }] },
      }) as unknown as ResourceObject;
    const first = applicationKind.validate!(app('memo-a', 42));
    expect(first.length).toBeGreaterThan(0);
    expect(applicationKind.validate!(app('memo-a', 42))).toEqual(first);
    // The name is part of what is validated (rendering names objects after it): another name is its own entry.
    expect(applicationKind.validate!(app('memo-b', 'nginx:1.27'))).toEqual([]);
  });
});
