import { InputError } from './errors.ts';

/**
 * Kubernetes resource quantities: CPU in millicores, memory and storage in bytes.
 *
 * Parsing is exact (decimal digits are read as integers, never as floats), so `"1.005"` is 1005m and `"0.1Gi"`
 * is refused rather than rounded. Negative quantities are refused everywhere: quotas and requests never go below
 * zero. Number inputs are read through their shortest decimal form (`String(1.005)` is `"1.005"`).
 */

export type QuantityKind = 'cpu' | 'bytes';

const CPU_EXPECTED = 'expected a CPU quantity such as 500m, 2 or 0.5';
const BYTES_EXPECTED =
  'expected a byte quantity such as 128Mi, 1Gi, 500M or 1e9 (suffixes Ki Mi Gi Ti Pi Ei, k M G T P E)';

/** Millicores must fit a safe integer; bytes may go to Kubernetes' int64 limit (just under 8Ei). */
const MAX_MILLICORES = BigInt(Number.MAX_SAFE_INTEGER);
const MAX_BYTES = 2n ** 63n - 1n;

/** Exponents beyond this are refused before any big arithmetic, so `1e999999999` costs nothing. */
const MAX_EXPONENT = 64;

const BINARY_SUFFIXES = ['Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'] as const;
const DECIMAL_SUFFIXES = ['k', 'M', 'G', 'T', 'P', 'E'] as const;

/** value = mantissa × 10^exp10 × 2^exp2 */
interface Exact {
  readonly mantissa: bigint;
  readonly exp10: number;
  readonly exp2: number;
}

const NUMBER = String.raw`(\d+(?:\.\d*)?|\.\d+)(?:[eE]([+-]?\d+))?`;
const CPU_PATTERN = new RegExp(`^${NUMBER}(m)?$`);
const BYTES_PATTERN = new RegExp(`^(?:${NUMBER}|(\\d+(?:\\.\\d*)?|\\.\\d+)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E))$`);

/** Why `q` is not a valid quantity of `kind` (a sentence naming what is accepted), or undefined if it is one. */
export function quantityProblem(kind: QuantityKind, q: unknown): string | undefined {
  const result = kind === 'cpu' ? readCpu(q) : readBytes(q);
  return typeof result === 'string' ? result : undefined;
}

/** CPU quantity → millicores: `"500m"` → 500, `"2"` and `2` → 2000, `"0.5"` → 500. */
export function parseCpu(q: string | number, path = 'quantity'): number {
  return orThrow(readCpu(q), 'CPU', path);
}

/** Byte quantity → bytes: `"128Mi"`, `"1Gi"`, `"1G"`, `"500M"`, `"1Ki"`, `"1k"`, `"1e3"`, `1024`. */
export function parseBytes(q: string | number, path = 'quantity'): number {
  return orThrow(readBytes(q), 'byte', path);
}

/** Millicores → the shortest quantity: whole cores as `"2"`, otherwise `"1500m"`. */
export function formatCpu(milli: number): string {
  assertFinite(milli, 'formatCpu');
  if (milli % 1000 === 0) return String(milli / 1000);
  return `${milli}m`;
}

/**
 * Bytes → a quantity with the largest suffix that divides exactly, binary first (2147483648 → `"2Gi"`), then
 * decimal (`1000` → `"1k"`), else the plain number.
 */
export function formatBytes(bytes: number): string {
  assertFinite(bytes, 'formatBytes');
  if (bytes === 0 || !Number.isInteger(bytes)) return String(bytes);
  for (let i = BINARY_SUFFIXES.length - 1; i >= 0; i--) {
    const unit = 2 ** (10 * (i + 1));
    if (bytes % unit === 0) return `${bytes / unit}${BINARY_SUFFIXES[i]}`;
  }
  for (let i = DECIMAL_SUFFIXES.length - 1; i >= 0; i--) {
    const unit = 10 ** (3 * (i + 1));
    if (bytes % unit === 0) return `${bytes / unit}${DECIMAL_SUFFIXES[i]}`;
  }
  return String(bytes);
}

function orThrow(result: number | string, noun: string, path: string): number {
  if (typeof result === 'number') return result;
  throw new InputError(`invalid ${noun} quantity at ${path}: ${result}`, [{ path, message: result }], {
    invalid: true,
  });
}

function assertFinite(n: number, fn: string): void {
  if (!Number.isFinite(n)) throw new RangeError(`${fn} needs a finite number, got ${n}`);
}

function readCpu(q: unknown): number | string {
  const text = asText(q, CPU_EXPECTED);
  if (typeof text !== 'object') return text;
  const m = CPU_PATTERN.exec(text.value);
  if (!m) return notAccepted(CPU_EXPECTED, text);
  const exact = decimal(m[1]!, m[2], m[3] === 'm' ? 0 : 3);
  if (exact === undefined) return `${CPU_EXPECTED}, got ${text.shown} (the exponent is out of range)`;
  return toInteger(exact, MAX_MILLICORES, {
    fraction: `${CPU_EXPECTED}, got ${text.shown} (CPU is counted in whole millicores; the smallest step is 1m)`,
    tooLarge: `${CPU_EXPECTED}, got ${text.shown} (larger than the largest accepted, ${formatCpu(Number.MAX_SAFE_INTEGER)})`,
  });
}

function readBytes(q: unknown): number | string {
  const text = asText(q, BYTES_EXPECTED);
  if (typeof text !== 'object') return text;
  const m = BYTES_PATTERN.exec(text.value);
  if (!m) return notAccepted(BYTES_EXPECTED, text);
  let exact: Exact | undefined;
  if (m[1] !== undefined) {
    exact = decimal(m[1], m[2], 0);
  } else {
    const suffix = m[4]!;
    const binary = BINARY_SUFFIXES.indexOf(suffix as (typeof BINARY_SUFFIXES)[number]);
    const dec = DECIMAL_SUFFIXES.indexOf(suffix as (typeof DECIMAL_SUFFIXES)[number]);
    const base = decimal(m[3]!, undefined, binary >= 0 ? 0 : 3 * (dec + 1));
    exact = base && { ...base, exp2: binary >= 0 ? 10 * (binary + 1) : 0 };
  }
  if (exact === undefined) return `${BYTES_EXPECTED}, got ${text.shown} (the exponent is out of range)`;
  return toInteger(exact, MAX_BYTES, {
    fraction: `${BYTES_EXPECTED}, got ${text.shown} (it must come to a whole number of bytes)`,
    tooLarge: `${BYTES_EXPECTED}, got ${text.shown} (larger than the largest accepted, 8Ei less one byte)`,
  });
}

/** The input as text to match, or the problem when it is not a string or number at all. */
function asText(q: unknown, expected: string): { value: string; shown: string } | string {
  if (typeof q === 'number') {
    if (!Number.isFinite(q)) return `${expected}, got ${q}`;
    if (q < 0) return `${expected}, got ${q} (quantities must not be negative)`;
    return { value: String(q), shown: String(q) };
  }
  if (typeof q === 'string') return { value: q, shown: JSON.stringify(q) };
  return `${expected}, got ${describeValue(q)}`;
}

function describeValue(q: unknown): string {
  if (q === null || q === undefined) return String(q);
  if (Array.isArray(q)) return 'an array';
  return typeof q === 'object' ? 'an object' : `a ${typeof q}`;
}

function notAccepted(expected: string, text: { value: string; shown: string }): string {
  if (text.value === '') return `${expected}, got an empty string`;
  const rest = text.value.slice(1);
  const negativeOfValid = text.value.startsWith('-') && (CPU_PATTERN.test(rest) || BYTES_PATTERN.test(rest));
  if (negativeOfValid) return `${expected}, got ${text.shown} (quantities must not be negative)`;
  return `${expected}, got ${text.shown}`;
}

/** `digits` (with an optional '.') × 10^(exponent + shift), or undefined when the exponent is absurd. */
function decimal(digits: string, exponent: string | undefined, shift: number): Exact | undefined {
  const [whole = '', fraction = ''] = digits.split('.');
  const mantissa = BigInt(`${whole}${fraction}` || '0');
  const exp = exponent === undefined ? 0 : Number(exponent);
  if (mantissa !== 0n && Math.abs(exp) > MAX_EXPONENT) return undefined;
  return {
    mantissa,
    exp10: mantissa === 0n ? 0 : exp - fraction.length + shift,
    exp2: 0,
  };
}

function toInteger(x: Exact, max: bigint, problems: { fraction: string; tooLarge: string }): number | string {
  let numerator = x.mantissa * 2n ** BigInt(x.exp2);
  let denominator = 1n;
  if (x.exp10 >= 0) numerator *= 10n ** BigInt(x.exp10);
  else denominator = 10n ** BigInt(-x.exp10);
  if (numerator % denominator !== 0n) return problems.fraction;
  const value = numerator / denominator;
  if (value > max) return problems.tooLarge;
  return Number(value);
}
