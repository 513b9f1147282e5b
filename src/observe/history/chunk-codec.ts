import { deflateRawSync, inflateRawSync } from 'node:zlib';

/** One point: epoch ms and value. */
export type Point = readonly [t: number, value: number];

/** First byte: how the rest is stored. */
const DEFLATED = 1;
const PLAIN = 2;

/**
 * Encodes the points of one chunk (ascending, on `stepMs` slots from `startAt`) compactly: the resolution, then per
 * point the gap in slots since the previous point and the change of the change of the value quantized to
 * `resolution` (a smooth series' second differences are small), both as variable-length integers; deflated unless
 * `compress` is false (plain is faster to write and about twice the size). A
 * smooth series costs about a byte a point or less; a constant one almost nothing. Values are kept to `resolution`
 * (half of it at worst), chosen per signal finer than any chart shows.
 */
export function encodeChunk(
  points: readonly Point[],
  startAt: number,
  stepMs: number,
  resolution: number,
  compress = true,
): Uint8Array {
  // At most 8 bytes of resolution, and per point two varints of at most 8 bytes each (|values| < 2^53).
  const buf = new Uint8Array(9 + points.length * 16);
  new DataView(buf.buffer).setFloat64(1, resolution);
  let n = 9;
  let slot = -1;
  let q = 0;
  let d = 0;
  for (const [t, v] of points) {
    const s = Math.round((t - startAt) / stepMs);
    if (s <= slot || !Number.isFinite(v)) continue;
    n = writeVarint(buf, n, s - slot - 1);
    const next = Math.round(v / resolution);
    n = writeVarint(buf, n, zigzag(next - q - d));
    slot = s;
    d = next - q;
    q = next;
  }
  if (!compress) {
    buf[0] = PLAIN;
    return buf.slice(0, n);
  }
  const packed = deflateRawSync(buf.subarray(1, n));
  const out = new Uint8Array(packed.length + 1);
  out[0] = DEFLATED;
  out.set(packed, 1);
  return out;
}

/** The points `encodeChunk` wrote; throws on bytes it did not write. */
export function decodeChunk(data: Uint8Array, startAt: number, stepMs: number): Point[] {
  let bytes: Uint8Array;
  if (data[0] === DEFLATED) bytes = inflateRawSync(data.subarray(1));
  else if (data[0] === PLAIN) bytes = data.subarray(1);
  else throw new Error(`unknown history chunk format ${data[0]}`);
  const resolution = new DataView(bytes.buffer, bytes.byteOffset, 8).getFloat64(0);
  const points: Point[] = [];
  const pos = { i: 8 };
  let slot = -1;
  let q = 0;
  let d = 0;
  while (pos.i < bytes.length) {
    slot += readVarint(bytes, pos) + 1;
    d += unzigzag(readVarint(bytes, pos));
    q += d;
    points.push([startAt + slot * stepMs, round(q * resolution, resolution)]);
  }
  return points;
}

/** q · resolution without the binary noise (0.1 + 0.2) that multiplication leaves. */
function round(v: number, resolution: number): number {
  const digits = Math.max(0, Math.min(15, Math.ceil(-Math.log10(resolution))));
  return Number(v.toFixed(digits));
}

// Arithmetic, not bitwise: quantized values may pass 2^31.
function zigzag(n: number): number {
  return n >= 0 ? 2 * n : -2 * n - 1;
}

function unzigzag(n: number): number {
  return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
}

function writeVarint(buf: Uint8Array, at: number, n: number): number {
  while (n >= 128) {
    buf[at++] = (n % 128) + 128;
    n = Math.floor(n / 128);
  }
  buf[at++] = n;
  return at;
}

function readVarint(bytes: Uint8Array, pos: { i: number }): number {
  let n = 0;
  let scale = 1;
  for (;;) {
    const b = bytes[pos.i++];
    if (b === undefined) throw new Error('truncated history chunk');
    n += (b & 127) * scale;
    if (b < 128) return n;
    scale *= 128;
  }
}
