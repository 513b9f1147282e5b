import { describe, expect, it } from 'vitest';
import { HeldTerms } from './held-terms.ts';

const REQ = { name: 'controllers', holder: 'a', epoch: 0, ttlMs: 15_000 };
const HELD = { name: 'controllers', holder: 'a', epoch: 3, held: true, remainingMs: 15_000 };
const FENCE = { name: 'controllers', holder: 'a', epoch: 3 };

describe('HeldTerms', () => {
  it('trusts a held term only until its time left, less a margin, counted from when the attempt was sent', () => {
    let now = 1000;
    const terms = new HeldTerms(() => now);
    const token = terms.begin('controllers');
    now = 1400; // the answer arrives later than it was asked: the time left counts from the asking
    terms.observe(REQ, HELD, token);
    expect(terms.holds(FENCE)).toBe(true);
    now = 1000 + 15_000 - 3000 - 1;
    expect(terms.holds(FENCE)).toBe(true);
    now = 1000 + 15_000 - 3000;
    expect(terms.holds(FENCE)).toBe(false);
  });

  it('never answers for another holder or term, nor after a release or an attempt that did not hold', () => {
    const terms = new HeldTerms(() => 0);
    terms.observe(REQ, HELD, terms.begin('controllers'));
    expect(terms.holds({ ...FENCE, epoch: 2 })).toBe(false);
    expect(terms.holds({ ...FENCE, holder: 'b' })).toBe(false);
    expect(terms.holds({ ...FENCE, name: 'other' })).toBe(false);
    terms.forget('controllers');
    expect(terms.holds(FENCE)).toBe(false);
    terms.observe(REQ, HELD, terms.begin('controllers'));
    terms.observe(REQ, { ...HELD, held: false, holder: 'b', epoch: 4 }, terms.begin('controllers'));
    expect(terms.holds(FENCE)).toBe(false);
  });

  it('drops the answer of an attempt sent before a release', () => {
    const terms = new HeldTerms(() => 0);
    const token = terms.begin('controllers');
    terms.forget('controllers');
    terms.observe(REQ, HELD, token);
    expect(terms.holds(FENCE)).toBe(false);
  });
});
