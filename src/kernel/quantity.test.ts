import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from './errors.ts';
import { formatBytes, formatCpu, parseBytes, parseCpu, quantityProblem } from './quantity.ts';

function thrown(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected an InputError');
}

describe('parseCpu', () => {
  it.each([
    ['500m', 500],
    ['2', 2000],
    [2, 2000],
    ['0.5', 500],
    [0.5, 500],
    ['1.5', 1500],
    ['.25', 250],
    ['0', 0],
    [0, 0],
    ['0m', 0],
    ['1m', 1],
    ['1.005', 1005],
    [1.005, 1005],
    ['1e3', 1_000_000],
    ['2500m', 2500],
    ['1e-3', 1],
  ] as const)('reads %j as %i millicores', (q, milli) => {
    expect(parseCpu(q)).toBe(milli);
  });

  it.each(['', ' 1', '1 ', 'abc', '1Gi', '1k', 'm', '1.2.3', '+1', '1e', '0x10'])(
    'refuses %j and says what is accepted',
    (q) => {
      const e = thrown(() => parseCpu(q, 'spec.quota.cpu'));
      expect(e.status).toBe(422);
      expect(e.causes).toHaveLength(1);
      expect(e.causes[0]!.path).toBe('spec.quota.cpu');
      expect(e.causes[0]!.message).toContain('expected a CPU quantity such as 500m, 2 or 0.5');
      expect(e.message).toContain('spec.quota.cpu');
    },
  );

  it('refuses negative quantities, saying so', () => {
    for (const q of ['-1', '-500m', -1, -0.5]) {
      expect(thrown(() => parseCpu(q)).causes[0]!.message).toContain('must not be negative');
    }
  });

  it('refuses precision finer than one millicore instead of rounding it away', () => {
    expect(thrown(() => parseCpu('0.5m')).causes[0]!.message).toContain('whole millicores');
    expect(thrown(() => parseCpu('0.0001')).causes[0]!.message).toContain('whole millicores');
    expect(thrown(() => parseCpu(1e-7)).causes[0]!.message).toContain('whole millicores');
  });

  it('refuses values that do not fit a safe integer of millicores', () => {
    expect(thrown(() => parseCpu('1e20')).causes[0]!.message).toContain('larger than the largest');
    expect(thrown(() => parseCpu('1e99999999')).causes[0]!.message).toContain('exponent is out of range');
    expect(thrown(() => parseCpu(Infinity)).causes[0]!.message).toContain('got Infinity');
  });

  it('uses "quantity" as the cause path when none is given', () => {
    expect(thrown(() => parseCpu('x')).causes[0]!.path).toBe('quantity');
  });
});

describe('parseBytes', () => {
  it.each([
    ['128Mi', 128 * 2 ** 20],
    ['1Gi', 2 ** 30],
    ['1G', 1e9],
    ['500M', 5e8],
    ['1Ki', 1024],
    ['1k', 1000],
    ['1e3', 1000],
    ['1E3', 1000],
    ['1E', 1e18],
    ['1Ei', 2 ** 60],
    ['1Ti', 2 ** 40],
    ['1Pi', 2 ** 50],
    ['2T', 2e12],
    ['3P', 3e15],
    ['0.5Ki', 512],
    ['1.5Gi', 1.5 * 2 ** 30],
    ['1.5k', 1500],
    ['1024', 1024],
    [1024, 1024],
    ['0', 0],
    [0, 0],
  ] as const)('reads %j as %d bytes', (q, bytes) => {
    expect(parseBytes(q)).toBe(bytes);
  });

  it.each(['', '1 Gi', '1gi', '1GB', '1m', 'Gi', '1e3Ki', '1KI', 'lots', '1.2.3Mi'])(
    'refuses %j and lists the accepted suffixes',
    (q) => {
      const e = thrown(() => parseBytes(q, 'spec.quota.memory'));
      expect(e.causes[0]).toEqual({
        path: 'spec.quota.memory',
        message: expect.stringContaining('expected a byte quantity such as 128Mi') as unknown as string,
      });
      expect(e.causes[0]!.message).toContain('Ki Mi Gi Ti Pi Ei, k M G T P E');
    },
  );

  it('refuses negative quantities, saying so', () => {
    expect(thrown(() => parseBytes('-1Gi')).causes[0]!.message).toContain('must not be negative');
    expect(thrown(() => parseBytes(-1)).causes[0]!.message).toContain('must not be negative');
  });

  it('refuses quantities that do not come to whole bytes', () => {
    expect(thrown(() => parseBytes('0.5')).causes[0]!.message).toContain('whole number of bytes');
    expect(thrown(() => parseBytes('0.1Ki')).causes[0]!.message).toContain('whole number of bytes');
  });

  it('accepts up to the int64 limit of Kubernetes and refuses beyond it', () => {
    expect(parseBytes('7Ei')).toBe(7 * 2 ** 60);
    expect(thrown(() => parseBytes('8Ei')).causes[0]!.message).toContain('larger than the largest');
  });
});

describe('formatCpu', () => {
  it('writes whole cores without a suffix and the rest in millicores', () => {
    expect(formatCpu(0)).toBe('0');
    expect(formatCpu(2000)).toBe('2');
    expect(formatCpu(1500)).toBe('1500m');
    expect(formatCpu(1)).toBe('1m');
    expect(formatCpu(20_000)).toBe('20');
  });

  it('refuses a non-finite number as a programming error', () => {
    expect(() => formatCpu(NaN)).toThrow(RangeError);
  });

  it('round-trips through parseCpu for every whole number of millicores', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (milli) => {
        expect(parseCpu(formatCpu(milli))).toBe(milli);
      }),
    );
  });
});

describe('formatBytes', () => {
  it('prefers the largest exact binary suffix, then decimal, then the plain number', () => {
    expect(formatBytes(2147483648)).toBe('2Gi');
    expect(formatBytes(128 * 2 ** 20)).toBe('128Mi');
    expect(formatBytes(1536)).toBe('1536');
    expect(formatBytes(1024 * 1000)).toBe('1000Ki');
    expect(formatBytes(1000)).toBe('1k');
    expect(formatBytes(5e8)).toBe('500M');
    expect(formatBytes(1500)).toBe('1500');
    expect(formatBytes(1)).toBe('1');
    expect(formatBytes(0)).toBe('0');
    expect(formatBytes(2 ** 60)).toBe('1Ei');
  });

  it('refuses a non-finite number as a programming error', () => {
    expect(() => formatBytes(Infinity)).toThrow(RangeError);
  });

  it('round-trips through parseBytes for every safe whole number of bytes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (bytes) => {
        expect(parseBytes(formatBytes(bytes))).toBe(bytes);
      }),
    );
  });

  it('round-trips multiples of each binary unit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 20 }), fc.integer({ min: 1, max: 5 }), (n, power) => {
        const bytes = n * 1024 ** power;
        fc.pre(bytes <= Number.MAX_SAFE_INTEGER);
        expect(parseBytes(formatBytes(bytes))).toBe(bytes);
      }),
    );
  });
});

describe('quantityProblem', () => {
  it('is undefined for a valid quantity and a sentence for an invalid one', () => {
    expect(quantityProblem('cpu', '500m')).toBeUndefined();
    expect(quantityProblem('bytes', '1Gi')).toBeUndefined();
    expect(quantityProblem('cpu', '1Gi')).toBe('expected a CPU quantity such as 500m, 2 or 0.5, got "1Gi"');
    expect(quantityProblem('bytes', '500m')).toMatch(/^expected a byte quantity .*, got "500m"$/);
  });

  it('describes values of the wrong type without crashing', () => {
    expect(quantityProblem('cpu', true)).toContain('got a boolean');
    expect(quantityProblem('bytes', null)).toContain('got null');
    expect(quantityProblem('bytes', undefined)).toContain('got undefined');
    expect(quantityProblem('bytes', [1])).toContain('got an array');
    expect(quantityProblem('cpu', { cpu: 1 })).toContain('got an object');
  });

  it('agrees with the parsers on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), (q) => {
        const problem = quantityProblem('bytes', q);
        if (problem === undefined) expect(parseBytes(q)).toBeGreaterThanOrEqual(0);
        else expect(() => parseBytes(q)).toThrow(InputError);
      }),
    );
  });
});
